import type { Insertable, Selectable } from 'kysely';
import type { BatchState, BatchTransition } from '../../../domain/batch.js';
import type { Stage } from '../../../domain/stage.js';
import type { Ticket } from '../../../domain/ticket.js';
import type { TicketRun, TicketRunState, TicketRunTransition } from '../../../domain/ticket-run.js';
import type {
  BatchRecord,
  CheckpointRecord,
  CheckResultDetails,
  EscalationRecord,
  GateResultRecord,
  MergeRequestRecord,
  ReviewActionRecord,
} from '../../../ports/store.js';
import type {
  BatchesTable,
  BatchTransitionsTable,
  CheckpointsTable,
  EscalationsTable,
  GateResultsTable,
  MergeRequestsTable,
  ReviewActionsTable,
  RunTransitionsTable,
  TicketRunsTable,
} from './nightshift-database.js';

/*
 * The border between the port's records and the tables: JSON becomes text,
 * booleans become 0/1, and absent optional fields become NULL (and back again,
 * as absent properties rather than `undefined` ones).
 */

function parseJson<T>(text: string, where: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new Error(`store: column ${where} holds text that is not JSON: ${(error as Error).message}`, { cause: error });
  }
}

/** Stores `undefined` JSON values as `null` so the column always parses. */
function toJson(value: unknown): string {
  return JSON.stringify(value === undefined ? null : value);
}

export function batchToRow(batch: BatchRecord): Insertable<BatchesTable> {
  return {
    id: batch.id,
    state: batch.state,
    created_at: batch.createdAt,
    config: toJson(batch.config),
    manifest_path: batch.manifestPath,
  };
}

export function rowToBatch(row: Selectable<BatchesTable>): BatchRecord {
  return {
    id: row.id,
    state: row.state as BatchState,
    createdAt: row.created_at,
    config: parseJson(row.config, `batches.config of batch ${row.id}`),
    manifestPath: row.manifest_path,
  };
}

export function batchTransitionToRow(transition: BatchTransition): Insertable<BatchTransitionsTable> {
  return {
    batch_id: transition.batchId,
    from_state: transition.from,
    to_state: transition.to,
    event: transition.event,
    reason: transition.reason ?? null,
    at: transition.at,
  };
}

export function rowToBatchTransition(row: Selectable<BatchTransitionsTable>): BatchTransition {
  const transition: BatchTransition = {
    batchId: row.batch_id,
    from: row.from_state as BatchState,
    to: row.to_state as BatchState,
    event: row.event as BatchTransition['event'],
    at: row.at,
  };
  if (row.reason !== null) transition.reason = row.reason;
  return transition;
}

export function ticketFromJson(text: string, where: string): Ticket {
  return parseJson<Ticket>(text, where);
}

export function runToRow(run: TicketRun, position: number): Insertable<TicketRunsTable> {
  return {
    batch_id: run.batchId,
    ticket_id: run.ticketId,
    position,
    state: run.state,
    partial: run.partial ? 1 : 0,
    reason: run.reason ?? null,
    updated_at: run.updatedAt,
  };
}

export function rowToRun(row: Selectable<TicketRunsTable>): TicketRun {
  const run: TicketRun = {
    batchId: row.batch_id,
    ticketId: row.ticket_id,
    state: row.state as TicketRunState,
    partial: Number(row.partial) === 1,
    updatedAt: row.updated_at,
  };
  if (row.reason !== null) run.reason = row.reason;
  return run;
}

export function runTransitionToRow(transition: TicketRunTransition): Insertable<RunTransitionsTable> {
  return {
    batch_id: transition.batchId,
    ticket_id: transition.ticketId,
    from_state: transition.from,
    to_state: transition.to,
    event: transition.event,
    reason: transition.reason ?? null,
    at: transition.at,
  };
}

export function rowToRunTransition(row: Selectable<RunTransitionsTable>): TicketRunTransition {
  const transition: TicketRunTransition = {
    batchId: row.batch_id,
    ticketId: row.ticket_id,
    from: row.from_state as TicketRunState,
    to: row.to_state as TicketRunState,
    event: row.event as TicketRunTransition['event'],
    at: row.at,
  };
  if (row.reason !== null) transition.reason = row.reason;
  return transition;
}

export function checkpointToRow(checkpoint: CheckpointRecord): Insertable<CheckpointsTable> {
  return {
    batch_id: checkpoint.batchId,
    ticket_id: checkpoint.ticketId,
    stage: checkpoint.stage,
    attempt: checkpoint.attempt,
    output: toJson(checkpoint.output),
    usage: toJson(checkpoint.usage),
    agent: checkpoint.agent,
    session_id: checkpoint.sessionId ?? null,
    created_at: checkpoint.createdAt,
  };
}

export function rowToCheckpoint(row: Selectable<CheckpointsTable>): CheckpointRecord {
  const where = `checkpoint ${row.stage} of ${row.batch_id}/${row.ticket_id}`;
  const checkpoint: CheckpointRecord = {
    batchId: row.batch_id,
    ticketId: row.ticket_id,
    stage: row.stage as Stage,
    attempt: Number(row.attempt),
    output: parseJson(row.output, `checkpoints.output of ${where}`),
    usage: parseJson(row.usage, `checkpoints.usage of ${where}`),
    agent: row.agent,
    createdAt: row.created_at,
  };
  if (row.session_id !== null) checkpoint.sessionId = row.session_id;
  return checkpoint;
}

export function escalationToRow(escalation: EscalationRecord): Insertable<EscalationsTable> {
  return {
    batch_id: escalation.batchId,
    ticket_id: escalation.ticketId,
    trigger: escalation.trigger,
    question: escalation.question,
    options: toJson(escalation.options),
    context: toJson(escalation.context),
    created_at: escalation.createdAt,
    answer: escalation.answer ?? null,
    answered_at: escalation.answeredAt ?? null,
    answered_by: escalation.answeredBy ?? null,
  };
}

export function rowToEscalation(row: Selectable<EscalationsTable>): EscalationRecord {
  const where = `escalation of ${row.batch_id}/${row.ticket_id}`;
  const escalation: EscalationRecord = {
    batchId: row.batch_id,
    ticketId: row.ticket_id,
    trigger: row.trigger,
    question: row.question,
    options: parseJson(row.options, `escalations.options of ${where}`),
    context: parseJson(row.context, `escalations.context of ${where}`),
    createdAt: row.created_at,
  };
  if (row.answer !== null) escalation.answer = row.answer;
  if (row.answered_at !== null) escalation.answeredAt = row.answered_at;
  if (row.answered_by !== null) escalation.answeredBy = row.answered_by;
  return escalation;
}

export function mergeRequestToRow(mergeRequest: MergeRequestRecord): Insertable<MergeRequestsTable> {
  return {
    batch_id: mergeRequest.batchId,
    ticket_id: mergeRequest.ticketId,
    source_branch: mergeRequest.sourceBranch,
    target_branch: mergeRequest.targetBranch,
    title: mergeRequest.title,
    description: mergeRequest.description,
    host_id: mergeRequest.hostId,
    url: mergeRequest.url,
    commit_sha: mergeRequest.commit,
    created_at: mergeRequest.createdAt,
    quality_score: mergeRequest.qualityScore ?? null,
    score_breakdown: mergeRequest.scoreBreakdown === undefined ? null : toJson(mergeRequest.scoreBreakdown),
    security_flags: mergeRequest.securityFlags === undefined ? null : toJson(mergeRequest.securityFlags),
    review_summary: mergeRequest.reviewSummary ?? null,
    retargeted_from: mergeRequest.retargetedFrom ?? null,
    retargeted_at: mergeRequest.retargetedAt ?? null,
  };
}

export function rowToMergeRequest(row: Selectable<MergeRequestsTable>): MergeRequestRecord {
  const where = `merge request of ${row.batch_id}/${row.ticket_id}`;
  const mergeRequest: MergeRequestRecord = {
    batchId: row.batch_id,
    ticketId: row.ticket_id,
    sourceBranch: row.source_branch,
    targetBranch: row.target_branch,
    title: row.title,
    description: row.description,
    hostId: row.host_id,
    url: row.url,
    commit: row.commit_sha,
    createdAt: row.created_at,
  };
  if (row.quality_score !== null) mergeRequest.qualityScore = Number(row.quality_score);
  if (row.score_breakdown !== null) mergeRequest.scoreBreakdown = parseJson(row.score_breakdown, `merge_requests.score_breakdown of ${where}`);
  if (row.security_flags !== null) mergeRequest.securityFlags = parseJson(row.security_flags, `merge_requests.security_flags of ${where}`);
  if (row.review_summary !== null) mergeRequest.reviewSummary = row.review_summary;
  if (row.retargeted_from !== null) mergeRequest.retargetedFrom = row.retargeted_from;
  if (row.retargeted_at !== null) mergeRequest.retargetedAt = row.retargeted_at;
  return mergeRequest;
}

export function gateResultToRow(batchId: string, ticketId: string, result: GateResultRecord): Insertable<GateResultsTable> {
  return {
    batch_id: batchId,
    ticket_id: ticketId,
    name: result.name,
    command: result.command,
    status: result.status,
    duration_milliseconds: result.durationMilliseconds,
    output_tail: result.outputTail,
    commit_sha: result.commit,
    created_at: result.createdAt,
    details: gateResultDetailsJson(result),
  };
}

export function rowToGateResult(row: Selectable<GateResultsTable>): GateResultRecord {
  const details = row.details === null ? {} : parseJson<Partial<CheckResultDetails>>(row.details, `gate_results.details of ${row.batch_id}/${row.ticket_id}/${row.name}`);
  return {
    ...details,
    name: row.name,
    command: row.command,
    status: row.status as GateResultRecord['status'],
    durationMilliseconds: Number(row.duration_milliseconds),
    outputTail: row.output_tail,
    commit: row.commit_sha,
    createdAt: row.created_at,
  };
}

/** The optional details of a gate result as one JSON object, or NULL when it has none. */
function gateResultDetailsJson(result: GateResultRecord): string | null {
  const { name: _name, command: _command, status: _status, durationMilliseconds: _duration, outputTail: _outputTail, commit: _commit, createdAt: _createdAt, ...details } = result;
  const present = Object.fromEntries(Object.entries(details).filter(([, value]) => value !== undefined));
  return Object.keys(present).length === 0 ? null : JSON.stringify(present);
}

export function reviewActionToRow(action: ReviewActionRecord): Insertable<ReviewActionsTable> {
  return {
    batch_id: action.batchId,
    ticket_id: action.ticketId,
    action: action.action,
    reviewer: action.reviewer,
    comment: action.comment ?? null,
    commit_sha: action.commit,
    merge_commit_sha: action.mergeCommit ?? null,
    at: action.at,
  };
}

export function rowToReviewAction(row: Selectable<ReviewActionsTable>): ReviewActionRecord {
  const action: ReviewActionRecord = {
    batchId: row.batch_id,
    ticketId: row.ticket_id,
    action: row.action as ReviewActionRecord['action'],
    reviewer: row.reviewer,
    commit: row.commit_sha,
    at: row.at,
  };
  if (row.comment !== null) action.comment = row.comment;
  if (row.merge_commit_sha !== null) action.mergeCommit = row.merge_commit_sha;
  return action;
}
