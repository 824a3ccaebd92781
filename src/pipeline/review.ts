import { renderReviewBox } from '../domain/review-box.js';
import { decisionStateOf, reviewTimeMinutes, type ReviewDecisionState } from '../domain/review-decision.js';
import { countSecurityFlags } from '../domain/secret-scan.js';
import { orderReviewQueue, type OrderedReviewQueueItem, type ReviewQueueItem } from '../domain/review-queue.js';
import type { TicketRunState } from '../domain/ticket-run.js';
import type { BatchRecord, EscalationRecord, GateResultRecord, MergeRequestRecord, ReviewActionRecord } from '../ports/store.js';
import { requireBatch } from './generate.js';
import type { PipelineDependencies } from './pipeline-dependencies.js';
import { readReviewTiming } from './review-timing.js';

/** The morning view of one batch: totals, the ordered queue, escalations and the seed's box. */
export interface BatchReview {
  batch: BatchRecord;
  totals: ReviewTotals;
  /** The queue in the seed's order; each MR carries its decision state and review time. */
  queue: OrderedReviewQueueItem<ReviewQueueItem & QueueDecision>[];
  mergeRequests: (MergeRequestRecord & { state: TicketRunState; checks: GateResultRecord[]; decision: MergeRequestDecision })[];
  /** When the review queue was ready (the batch's `complete` transition); review times start here. */
  queueReadyAt?: string;
  escalations: EscalationRecord[];
  /** Tickets that ended without an MR or escalation, with why. */
  notReady: { ticketId: string; state: TicketRunState; reason?: string }[];
  refusedAtIntake: IntakeRefusal[];
  box: string;
}

/** Where a reviewer left an MR: its latest decision, who made it and when, and its review time. */
export interface MergeRequestDecision {
  state: ReviewDecisionState;
  /** The reviewer of the latest action. */
  by?: string;
  at?: string;
  comment?: string;
  /** From the queue being ready to the first decision; undefined while pending. */
  reviewTimeMinutes?: number;
  actions: ReviewActionRecord[];
}

/** The decision fields each MR of the queue carries (escalations carry none). */
export interface QueueDecision {
  decision?: ReviewDecisionState;
  reviewTimeMinutes?: number;
}

export interface ReviewTotals {
  total: number;
  completed: number;
  escalated: number;
  failed: number;
  partial: number;
  skipped: number;
  inProgress: number;
  refused: number;
}

export interface IntakeRefusal {
  ticketId: string;
  reasons: string[];
}

/** Where intake keeps the tickets it refused for a batch, so the morning view can show them. */
export function intakeRefusalsPath(batchId: string): string {
  return `batches/${batchId}/refused.json`;
}

/**
 * Stage 4 of the seed: gathers a batch's MRs, escalations and outcomes into the
 * review queue, ordered by the seed's rules, and renders the batch review box.
 */
export async function buildBatchReview(dependencies: PipelineDependencies, request: { batchId?: string; width?: number }): Promise<BatchReview> {
  const { store } = dependencies;
  const batch = await requireBatch(dependencies, request.batchId);
  const tickets = new Map((await store.listBatchTickets(batch.id)).map((ticket) => [ticket.id, ticket]));
  const runs = await store.listRuns(batch.id);
  const escalations = (await store.listEscalations({ batchId: batch.id })).filter((escalation) => escalation.answer === undefined);
  const timing = await readReviewTiming(store, batch.id);
  const reviewActions = await store.listReviewActions(batch.id);
  const mergeRequests: BatchReview['mergeRequests'] = [];
  const notReady: BatchReview['notReady'] = [];
  const items: (ReviewQueueItem & QueueDecision)[] = [];
  for (const run of runs) {
    const ticket = tickets.get(run.ticketId);
    const title = ticket?.title ?? run.ticketId;
    const priority = ticket?.priority ?? 'medium';
    if (run.state === 'ready' || run.state === 'partial') {
      const mergeRequest = await store.getMergeRequest(batch.id, run.ticketId);
      if (mergeRequest === undefined) continue;
      const checks = (await store.listGateResults(batch.id, run.ticketId)).filter((result) => result.commit === mergeRequest.commit);
      const checksFlaky = checks.filter((result) => result.status === 'flaky').length;
      const checksFailed = checks.filter((result) => result.status !== 'passed' && result.status !== 'flaky').length;
      const decision = decisionOf(reviewActions.filter((action) => action.ticketId === run.ticketId), timing.queueReadyAt, timing.gatedAt[run.ticketId]);
      mergeRequests.push({ ...mergeRequest, state: run.state, checks, decision });
      items.push({
        kind: 'merge-request',
        ticketId: run.ticketId,
        title,
        priority,
        qualityScore: mergeRequest.qualityScore ?? 0,
        securityFlagCount: countSecurityFlags(mergeRequest.securityFlags ?? []),
        checksFailed,
        checksFlaky,
        state: run.state,
        decision: decision.state,
        ...(decision.reviewTimeMinutes === undefined ? {} : { reviewTimeMinutes: decision.reviewTimeMinutes }),
      });
    } else if (run.state === 'escalated') {
      const escalation = escalations.find((candidate) => candidate.ticketId === run.ticketId);
      items.push({ kind: 'escalation', ticketId: run.ticketId, title, priority, question: escalation?.question ?? run.reason ?? 'decision needed' });
    } else {
      notReady.push({ ticketId: run.ticketId, state: run.state, ...(run.reason === undefined ? {} : { reason: run.reason }) });
    }
  }
  const refusedAtIntake = await readIntakeRefusals(dependencies, batch.id);
  const count = (...states: TicketRunState[]) => runs.filter((run) => states.includes(run.state)).length;
  const totals: ReviewTotals = {
    total: runs.length,
    completed: count('ready', 'partial'),
    escalated: count('escalated'),
    failed: count('failed', 'timed_out'),
    partial: count('partial'),
    skipped: count('skipped'),
    inProgress: count('queued', 'scoping', 'planning', 'implementing', 'gating'),
    refused: refusedAtIntake.length,
  };
  const queue = orderReviewQueue(items);
  const box = renderReviewBox(
    {
      batchId: batch.id,
      totals,
      readyForReview: queue.flatMap((entry) =>
        entry.kind === 'merge-request'
          ? [
              {
                ticketId: entry.ticketId,
                title: entry.title,
                qualityScore: entry.qualityScore,
                securityFlagCount: entry.securityFlagCount,
                checksFailed: entry.checksFailed,
                checksFlaky: entry.checksFlaky ?? 0,
              },
            ]
          : [],
      ),
      escalations: queue.flatMap((entry) => (entry.kind === 'escalation' ? [{ ticketId: entry.ticketId, question: entry.question }] : [])),
    },
    request.width === undefined ? {} : { width: request.width },
  );
  return { batch, totals, queue, mergeRequests, ...(timing.queueReadyAt === undefined ? {} : { queueReadyAt: timing.queueReadyAt }), escalations, notReady, refusedAtIntake, box };
}

function decisionOf(actions: ReviewActionRecord[], queueReadyAt: string | undefined, gatedAt: string | undefined): MergeRequestDecision {
  const latest = actions.at(-1);
  const minutes = reviewTimeMinutes({ ...(queueReadyAt === undefined ? {} : { queueReadyAt }), ...(gatedAt === undefined ? {} : { gatedAt }), actions });
  return {
    state: decisionStateOf(actions),
    ...(latest === undefined ? {} : { by: latest.reviewer, at: latest.at }),
    ...(latest?.comment === undefined ? {} : { comment: latest.comment }),
    ...(minutes === undefined ? {} : { reviewTimeMinutes: minutes }),
    actions,
  };
}

async function readIntakeRefusals(dependencies: PipelineDependencies, batchId: string): Promise<IntakeRefusal[]> {
  const text = await dependencies.artifacts.readText(intakeRefusalsPath(batchId));
  if (text === undefined) return [];
  const parsed: unknown = JSON.parse(text);
  return Array.isArray(parsed) ? (parsed as IntakeRefusal[]) : [];
}
