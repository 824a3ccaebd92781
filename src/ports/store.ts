import type { BatchState, BatchTransition } from '../domain/batch.js';
import type { Stage } from '../domain/stage.js';
import type { Ticket } from '../domain/ticket.js';
import type { TicketRun, TicketRunTransition } from '../domain/ticket-run.js';
import type { ScoreBreakdownItem } from '../domain/quality-score.js';
import type { SecurityFinding } from '../domain/secret-scan.js';
import type { AgentUsage } from './agent.js';

export type { ScoreBreakdownItem, SecurityFinding };

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
  listEscalations(filter?: { batchId?: string; open?: boolean }): Promise<EscalationRecord[]>;

  saveMergeRequest(mergeRequest: MergeRequestRecord): Promise<void>;
  getMergeRequest(batchId: string, ticketId: string): Promise<MergeRequestRecord | undefined>;
  listMergeRequests(batchId: string): Promise<MergeRequestRecord[]>;

  saveGateResults(batchId: string, ticketId: string, results: GateResultRecord[]): Promise<void>;
  listGateResults(batchId: string, ticketId?: string): Promise<GateResultRecord[]>;

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
}

export interface GateResultRecord {
  name: string;
  command: string;
  status: 'passed' | 'failed' | 'timed_out' | 'skipped';
  durationMilliseconds: number;
  outputTail: string;
  commit: string;
  createdAt: string;
}
