import type { BatchState, BatchTransition } from '../domain/batch.js';
import type { ReviewActionKind } from '../domain/review-decision.js';
import type { Stage } from '../domain/stage.js';
import type { Ticket } from '../domain/ticket.js';
import type { TicketRun, TicketRunTransition } from '../domain/ticket-run.js';
import type { CheckResultDetails, CheckStatus } from '../domain/check-outcome.js';
import type { ScoreBreakdownItem } from '../domain/quality-score.js';
import type { SecurityFinding } from '../domain/secret-scan.js';
import type { AgentUsage } from './agent.js';

export type { CheckResultDetails, CheckStatus, ScoreBreakdownItem, SecurityFinding };

/**
 * Everything Nightshift must remember across processes and crashes. Each write is
 * atomic; a state change and the transition record that explains it are written together.
 */
export interface Store {
  createBatch(batch: BatchRecord, tickets: Ticket[], runs: TicketRun[]): Promise<void>;
  getBatch(batchId: string): Promise<BatchRecord | undefined>;
  /** The most recently created batch, for commands run without `--batch`. */
  latestBatch(): Promise<BatchRecord | undefined>;
  listBatches(): Promise<BatchRecord[]>;
  applyBatchTransition(transition: BatchTransition): Promise<void>;
  listBatchTransitions(batchId: string): Promise<BatchTransition[]>;

  /** Tickets as they were when the batch was planned, in manifest order. */
  listBatchTickets(batchId: string): Promise<Ticket[]>;
  listRuns(batchId: string): Promise<TicketRun[]>;
  getRun(batchId: string, ticketId: string): Promise<TicketRun | undefined>;
  /** Stores the new run state and its transition record in one transaction. */
  applyRunTransition(run: TicketRun, transition: TicketRunTransition): Promise<void>;
  listRunTransitions(batchId: string, ticketId?: string): Promise<TicketRunTransition[]>;

  saveCheckpoint(checkpoint: CheckpointRecord): Promise<void>;
  listCheckpoints(batchId: string, ticketId?: string): Promise<CheckpointRecord[]>;

  saveEscalation(escalation: EscalationRecord): Promise<void>;
  /** Escalations in the order they were raised, narrowed by batch, ticket (across batches) and whether they are open. */
  listEscalations(filter?: { batchId?: string; ticketId?: string; open?: boolean }): Promise<EscalationRecord[]>;

  saveMergeRequest(mergeRequest: MergeRequestRecord): Promise<void>;
  getMergeRequest(batchId: string, ticketId: string): Promise<MergeRequestRecord | undefined>;
  listMergeRequests(batchId: string): Promise<MergeRequestRecord[]>;

  saveGateResults(batchId: string, ticketId: string, results: GateResultRecord[]): Promise<void>;
  listGateResults(batchId: string, ticketId?: string): Promise<GateResultRecord[]>;

  /** Appends a reviewer's action; actions are never changed or removed (they are the review's history). */
  saveReviewAction(action: ReviewActionRecord): Promise<void>;
  /** A batch's reviewer actions in the order recorded, optionally of one ticket. */
  listReviewActions(batchId: string, ticketId?: string): Promise<ReviewActionRecord[]>;

  close(): Promise<void>;
}

export interface BatchRecord {
  id: string;
  state: BatchState;
  createdAt: string;
  config: BatchConfig;
  manifestPath: string;
}

/** The seed's manifest `config` block, in our units. */
export interface BatchConfig {
  maxTickets: number;
  timeoutPerTicketMinutes: number;
  parallelAgents: number;
}

export interface CheckpointRecord {
  batchId: string;
  ticketId: string;
  stage: Stage;
  attempt: number;
  /** The validated structured output of the stage. */
  output: unknown;
  usage: AgentUsage;
  agent: string;
  sessionId?: string;
  createdAt: string;
}

export interface EscalationRecord {
  batchId: string;
  ticketId: string;
  trigger: string;
  question: string;
  options: string[];
  /** The C0/C1 output and anything else a human needs to decide. */
  context: unknown;
  createdAt: string;
  answer?: string;
  answeredAt?: string;
  /** Who answered (a reviewer's name), for the record and the next batch's log. */
  answeredBy?: string;
}

export interface MergeRequestRecord {
  batchId: string;
  ticketId: string;
  sourceBranch: string;
  targetBranch: string;
  title: string;
  description: string;
  hostId: string;
  url: string;
  commit: string;
  createdAt: string;
  qualityScore?: number;
  scoreBreakdown?: ScoreBreakdownItem[];
  securityFlags?: SecurityFinding[];
  reviewSummary?: string;
  /**
   * The branch this MR targeted before it was retargeted: a stacked MR targets its
   * parent's branch until the parent is merged, then the parent's own target.
   */
  retargetedFrom?: string;
  retargetedAt?: string;
}

/**
 * One configured check run on an MR's commit. `flaky`: it failed, then passed when run
 * again. The optional fields come from `CheckResultDetails` (per-test results, flaky
 * tests, coverage, lint warnings, the failed first run); older records lack them.
 */
export interface GateResultRecord extends Partial<CheckResultDetails> {
  name: string;
  command: string;
  status: CheckStatus;
  /** Wall time of every run of the check (both, when it was run again). */
  durationMilliseconds: number;
  outputTail: string;
  commit: string;
  createdAt: string;
}

/** One reviewer action on one MR (`nightshift review approve|request-changes|merge`), with who and when. */
export interface ReviewActionRecord {
  batchId: string;
  ticketId: string;
  action: ReviewActionKind;
  /** The reviewer's name (`--by`, else the USER of the shell). */
  reviewer: string;
  comment?: string;
  /** The MR's commit the action was about (the one the gates checked). */
  commit: string;
  /** For `merge`: the merge commit made on the target branch. */
  mergeCommit?: string;
  at: string;
}
