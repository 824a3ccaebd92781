import type { Ticket } from '../../domain/ticket.js';
import type { BatchRecord, CheckpointRecord, EscalationRecord, GateResultRecord, MergeRequestRecord, ReviewActionRecord } from '../../ports/store.js';

/*
 * Builders of complete, realistic store records (the seed's batch and tickets), each
 * taking overrides, for the store contract and for any test that needs a record.
 */

/** The time every built record carries unless told otherwise. */
export const RECORD_TIME = '2024-01-15T18:00:00.000Z';

/** A ready ticket with every field filled, unicode and Markdown in its body. */
export function buildTicket(id: string, overrides: Partial<Ticket> = {}): Ticket {
  return {
    id,
    title: `Ticket ${id}`,
    labels: ['ready-for-agent'],
    priority: 'medium',
    complexity: 'small',
    estimatedFiles: ['src/auth.py', 'tests/*'],
    dependencies: [],
    status: 'open',
    createdAt: '2024-01-10T09:00:00Z',
    body: `# ${id}\n\nSome *markdown* with "quotes" and unicode: é ✓`,
    acceptanceCriteria: ['it works'],
    openQuestions: [],
    testCases: ['logs in'],
    readinessChecklist: [{ text: 'Acceptance criteria clear', checked: true }],
    sourceReference: `tickets/${id}.md`,
    ...overrides,
  };
}

/** A pending batch with the seed's manifest config. */
export function buildBatch(id: string, overrides: Partial<BatchRecord> = {}): BatchRecord {
  return {
    id,
    state: 'pending',
    createdAt: RECORD_TIME,
    config: { maxTickets: 20, timeoutPerTicketMinutes: 30, parallelAgents: 3 },
    manifestPath: `.nightshift/batches/${id}/manifest.yaml`,
    ...overrides,
  };
}

/** A checkpoint with nested output, usage with cost, and a session id. */
export function buildCheckpoint(batchId: string, ticketId: string, stage: CheckpointRecord['stage'], createdAt = RECORD_TIME): CheckpointRecord {
  return {
    batchId,
    ticketId,
    stage,
    attempt: 1,
    output: { summary: `${stage} of ${ticketId}`, files: ['src/a.ts'], nested: { list: [1, 2, { deep: true }] } },
    usage: { inputTokens: 1200, outputTokens: 340, costUsd: 0.0123 },
    agent: 'claude-code',
    sessionId: `session-${ticketId}-${stage}`,
    createdAt,
  };
}

/** An open architecture escalation with two options. */
export function buildEscalation(batchId: string, ticketId: string, overrides: Partial<EscalationRecord> = {}): EscalationRecord {
  return {
    batchId,
    ticketId,
    trigger: 'architecture',
    question: 'Sessions or JWT?',
    options: ['sessions', 'JWT'],
    context: { plan: ['step one'], risks: [] },
    createdAt: RECORD_TIME,
    ...overrides,
  };
}

/** A merge request as the local host would record it, before gates. */
export function buildMergeRequest(batchId: string, ticketId: string, overrides: Partial<MergeRequestRecord> = {}): MergeRequestRecord {
  return {
    batchId,
    ticketId,
    sourceBranch: `agent/${ticketId}`,
    targetBranch: 'main',
    title: `feat(${ticketId}): do it`,
    description: 'What changed',
    hostId: `local-agent-${ticketId}`,
    url: `file:///repo/.nightshift/merge-requests/agent-${ticketId}.md`,
    commit: 'a'.repeat(40),
    createdAt: RECORD_TIME,
    ...overrides,
  };
}

/** A passed gate result of `npm run <name>`. */
export function buildGateResult(name: string, overrides: Partial<GateResultRecord> = {}): GateResultRecord {
  return {
    name,
    command: `npm run ${name}`,
    status: 'passed',
    durationMilliseconds: 1234,
    outputTail: `${name} ok\n`,
    commit: 'b'.repeat(40),
    createdAt: RECORD_TIME,
    ...overrides,
  };
}

/** An approval by `ada` of the MR's commit, with a comment. */
export function buildReviewAction(batchId: string, ticketId: string, overrides: Partial<ReviewActionRecord> = {}): ReviewActionRecord {
  return {
    batchId,
    ticketId,
    action: 'approve',
    reviewer: 'ada',
    comment: 'Looks right — “ship it” ✓',
    commit: 'a'.repeat(40),
    at: '2024-01-16T08:10:00.000Z',
    ...overrides,
  };
}
