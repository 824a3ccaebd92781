import type { Generated } from 'kysely';

/**
 * The tables of Nightshift's store, as Kysely sees them. Column names are snake_case,
 * JSON travels as text and booleans as 0/1 integers, so the same queries run on
 * SQLite and PostgreSQL. Rows are translated to the port's records in `store-rows.ts`.
 */
export interface NightshiftDatabase {
  batches: BatchesTable;
  batch_transitions: BatchTransitionsTable;
  batch_tickets: BatchTicketsTable;
  ticket_runs: TicketRunsTable;
  run_transitions: RunTransitionsTable;
  checkpoints: CheckpointsTable;
  escalations: EscalationsTable;
  merge_requests: MergeRequestsTable;
  gate_results: GateResultsTable;
  review_actions: ReviewActionsTable;
}

/** `sequence` columns are identities that keep insertion order, since timestamps may tie. */
export interface BatchesTable {
  sequence: Generated<number>;
  id: string;
  state: string;
  created_at: string;
  config: string;
  manifest_path: string;
}

export interface BatchTransitionsTable {
  sequence: Generated<number>;
  batch_id: string;
  from_state: string;
  to_state: string;
  event: string;
  reason: string | null;
  at: string;
}

export interface BatchTicketsTable {
  batch_id: string;
  ticket_id: string;
  /** The ticket's index in the batch manifest. */
  position: number;
  ticket: string;
}

export interface TicketRunsTable {
  batch_id: string;
  ticket_id: string;
  /** The run's index in the list given to `createBatch`. */
  position: number;
  state: string;
  partial: number;
  reason: string | null;
  updated_at: string;
}

export interface RunTransitionsTable {
  sequence: Generated<number>;
  batch_id: string;
  ticket_id: string;
  from_state: string;
  to_state: string;
  event: string;
  reason: string | null;
  at: string;
}

export interface CheckpointsTable {
  sequence: Generated<number>;
  batch_id: string;
  ticket_id: string;
  stage: string;
  attempt: number;
  output: string;
  usage: string;
  agent: string;
  session_id: string | null;
  created_at: string;
}

export interface EscalationsTable {
  sequence: Generated<number>;
  batch_id: string;
  ticket_id: string;
  trigger: string;
  question: string;
  options: string;
  context: string;
  created_at: string;
  answer: string | null;
  answered_at: string | null;
  /** Added by migration 0002. */
  answered_by: string | null;
}

export interface MergeRequestsTable {
  sequence: Generated<number>;
  batch_id: string;
  ticket_id: string;
  source_branch: string;
  target_branch: string;
  title: string;
  description: string;
  host_id: string;
  url: string;
  commit_sha: string;
  created_at: string;
  quality_score: number | null;
  score_breakdown: string | null;
  security_flags: string | null;
  review_summary: string | null;
  /** Added by migration 0003. */
  retargeted_from: string | null;
  /** Added by migration 0003. */
  retargeted_at: string | null;
}

export interface GateResultsTable {
  sequence: Generated<number>;
  batch_id: string;
  ticket_id: string;
  name: string;
  command: string;
  status: string;
  duration_milliseconds: number;
  output_tail: string;
  commit_sha: string;
  created_at: string;
  /** Added by migration 0004: the check's details as JSON (per-test results, flaky tests, coverage …); NULL when none. */
  details: string | null;
}

/** Added by migration 0003: one row per reviewer action, never updated. */
export interface ReviewActionsTable {
  sequence: Generated<number>;
  batch_id: string;
  ticket_id: string;
  action: string;
  reviewer: string;
  comment: string | null;
  commit_sha: string;
  merge_commit_sha: string | null;
  at: string;
}
