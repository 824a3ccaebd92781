import type { BatchTransition } from '../../../domain/batch.js';
import type { Ticket } from '../../../domain/ticket.js';
import type { TicketRun, TicketRunTransition } from '../../../domain/ticket-run.js';
import type {
  BatchRecord,
  CheckpointRecord,
  EscalationRecord,
  GateResultRecord,
  MergeRequestRecord,
  ReviewActionRecord,
  Store,
} from '../../../ports/store.js';

interface Sequenced<T> {
  sequence: number;
  value: T;
}

interface StoredGateResult extends GateResultRecord {
  batchId: string;
  ticketId: string;
}

/** Records are JSON data; copying through JSON mirrors what a database keeps (no `undefined`, no shared objects). */
function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function runKey(batchId: string, ticketId: string): string {
  return JSON.stringify([batchId, ticketId]);
}

/**
 * The {@link Store} in memory, for tests and dry runs. It keeps the SQLite store's
 * rules (same orderings, upserts, one-per-key records, state checks on transitions,
 * no child records without their batch) and passes the same contract suite.
 */
export class MemoryStore implements Store {
  private sequence = 0;
  private closed = false;
  private readonly batches = new Map<string, Sequenced<BatchRecord>>();
  private readonly batchTransitions: BatchTransition[] = [];
  private readonly batchTickets = new Map<string, Ticket[]>();
  private readonly runs = new Map<string, Sequenced<TicketRun>>();
  private readonly runTransitions: TicketRunTransition[] = [];
  private readonly checkpoints: CheckpointRecord[] = [];
  private readonly escalations = new Map<string, Sequenced<EscalationRecord>>();
  private readonly mergeRequests = new Map<string, Sequenced<MergeRequestRecord>>();
  private gateResults: Sequenced<StoredGateResult>[] = [];
  private readonly reviewActions: ReviewActionRecord[] = [];

  private next(): number {
    this.sequence += 1;
    return this.sequence;
  }

  private requireOpen(): void {
    if (this.closed) throw new Error('store: the memory store is closed');
  }

  private requireBatch(batchId: string, what: string): void {
    this.requireOpen();
    if (!this.batches.has(batchId)) throw new Error(`store: cannot save ${what}: batch ${batchId} does not exist`);
  }

  async createBatch(batch: BatchRecord, tickets: Ticket[], runs: TicketRun[]): Promise<void> {
    this.requireOpen();
    if (this.batches.has(batch.id)) throw new Error(`store: batch ${batch.id} already exists`);
    const ticketIds = tickets.map((ticket) => ticket.id);
    const duplicate = ticketIds.find((id, index) => ticketIds.indexOf(id) !== index);
    if (duplicate !== undefined) throw new Error(`store: batch ${batch.id} lists ticket ${duplicate} twice`);
    const runKeys = runs.map((run) => runKey(run.batchId, run.ticketId));
    if (new Set(runKeys).size !== runKeys.length) throw new Error(`store: batch ${batch.id} has two runs for the same ticket`);
    const foreign = runs.find((run) => run.batchId !== batch.id && !this.batches.has(run.batchId));
    if (foreign !== undefined) throw new Error(`store: run of ticket ${foreign.ticketId} belongs to unknown batch ${foreign.batchId}`);
    this.batches.set(batch.id, { sequence: this.next(), value: copy(batch) });
    this.batchTickets.set(batch.id, copy(tickets));
    for (const run of runs) this.runs.set(runKey(run.batchId, run.ticketId), { sequence: this.next(), value: copy(run) });
  }

  async getBatch(batchId: string): Promise<BatchRecord | undefined> {
    this.requireOpen();
    const batch = this.batches.get(batchId);
    return batch === undefined ? undefined : copy(batch.value);
  }

  async latestBatch(): Promise<BatchRecord | undefined> {
    return (await this.listBatches()).at(-1);
  }

  async listBatches(): Promise<BatchRecord[]> {
    this.requireOpen();
    return [...this.batches.values()]
      .sort((left, right) => compareText(left.value.createdAt, right.value.createdAt) || left.sequence - right.sequence)
      .map((batch) => copy(batch.value));
  }

  async applyBatchTransition(transition: BatchTransition): Promise<void> {
    this.requireOpen();
    const batch = this.batches.get(transition.batchId);
    if (batch === undefined) throw new Error(`store: cannot apply batch transition: batch ${transition.batchId} does not exist`);
    if (batch.value.state !== transition.from) {
      throw new Error(
        `store: cannot apply batch transition ${transition.from} → ${transition.to}: batch ${transition.batchId} is in state "${batch.value.state}", not "${transition.from}"`,
      );
    }
    batch.value.state = transition.to;
    this.batchTransitions.push(copy(transition));
  }

  async listBatchTransitions(batchId: string): Promise<BatchTransition[]> {
    this.requireOpen();
    return copy(this.batchTransitions.filter((transition) => transition.batchId === batchId));
  }

  async listBatchTickets(batchId: string): Promise<Ticket[]> {
    this.requireOpen();
    return copy(this.batchTickets.get(batchId) ?? []);
  }

  async listRuns(batchId: string): Promise<TicketRun[]> {
    this.requireOpen();
    return [...this.runs.values()]
      .filter((run) => run.value.batchId === batchId)
      .sort((left, right) => left.sequence - right.sequence)
      .map((run) => copy(run.value));
  }

  async getRun(batchId: string, ticketId: string): Promise<TicketRun | undefined> {
    this.requireOpen();
    const run = this.runs.get(runKey(batchId, ticketId));
    return run === undefined ? undefined : copy(run.value);
  }

  async applyRunTransition(run: TicketRun, transition: TicketRunTransition): Promise<void> {
    this.requireOpen();
    if (run.batchId !== transition.batchId || run.ticketId !== transition.ticketId || run.state !== transition.to) {
      throw new Error(
        `store: run ${run.batchId}/${run.ticketId} in state "${run.state}" does not match its transition ${transition.batchId}/${transition.ticketId} → "${transition.to}"`,
      );
    }
    const stored = this.runs.get(runKey(run.batchId, run.ticketId));
    const name = `${transition.batchId}/${transition.ticketId}`;
    if (stored === undefined) throw new Error(`store: cannot apply run transition: run ${name} does not exist (was it created with its batch?)`);
    if (stored.value.state !== transition.from) {
      throw new Error(
        `store: cannot apply run transition ${transition.from} → ${transition.to}: run ${name} is in state "${stored.value.state}", not "${transition.from}"`,
      );
    }
    stored.value = copy(run);
    this.runTransitions.push(copy(transition));
  }

  async listRunTransitions(batchId: string, ticketId?: string): Promise<TicketRunTransition[]> {
    this.requireOpen();
    return copy(
      this.runTransitions.filter((transition) => transition.batchId === batchId && (ticketId === undefined || transition.ticketId === ticketId)),
    );
  }

  async saveCheckpoint(checkpoint: CheckpointRecord): Promise<void> {
    this.requireBatch(checkpoint.batchId, `checkpoint ${checkpoint.stage} of ${checkpoint.ticketId}`);
    this.checkpoints.push(copy(checkpoint));
  }

  async listCheckpoints(batchId: string, ticketId?: string): Promise<CheckpointRecord[]> {
    this.requireOpen();
    return copy(
      this.checkpoints.filter((checkpoint) => checkpoint.batchId === batchId && (ticketId === undefined || checkpoint.ticketId === ticketId)),
    );
  }

  async saveEscalation(escalation: EscalationRecord): Promise<void> {
    this.requireBatch(escalation.batchId, `escalation of ${escalation.ticketId}`);
    const key = JSON.stringify([escalation.batchId, escalation.ticketId, escalation.trigger]);
    const existing = this.escalations.get(key);
    this.escalations.set(key, { sequence: existing?.sequence ?? this.next(), value: copy(escalation) });
  }

  async listEscalations(filter: { batchId?: string; ticketId?: string; open?: boolean } = {}): Promise<EscalationRecord[]> {
    this.requireOpen();
    return [...this.escalations.values()]
      .filter(({ value }) => filter.batchId === undefined || value.batchId === filter.batchId)
      .filter(({ value }) => filter.ticketId === undefined || value.ticketId === filter.ticketId)
      .filter(({ value }) => filter.open === undefined || (value.answer === undefined) === filter.open)
      .sort((left, right) => left.sequence - right.sequence)
      .map(({ value }) => copy(value));
  }

  async saveMergeRequest(mergeRequest: MergeRequestRecord): Promise<void> {
    this.requireBatch(mergeRequest.batchId, `merge request of ${mergeRequest.ticketId}`);
    const key = runKey(mergeRequest.batchId, mergeRequest.ticketId);
    const existing = this.mergeRequests.get(key);
    this.mergeRequests.set(key, { sequence: existing?.sequence ?? this.next(), value: copy(mergeRequest) });
  }

  async getMergeRequest(batchId: string, ticketId: string): Promise<MergeRequestRecord | undefined> {
    this.requireOpen();
    const mergeRequest = this.mergeRequests.get(runKey(batchId, ticketId));
    return mergeRequest === undefined ? undefined : copy(mergeRequest.value);
  }

  async listMergeRequests(batchId: string): Promise<MergeRequestRecord[]> {
    this.requireOpen();
    return [...this.mergeRequests.values()]
      .filter(({ value }) => value.batchId === batchId)
      .sort((left, right) => left.sequence - right.sequence)
      .map(({ value }) => copy(value));
  }

  async saveGateResults(batchId: string, ticketId: string, results: GateResultRecord[]): Promise<void> {
    this.requireBatch(batchId, `gate results of ${ticketId}`);
    this.gateResults = this.gateResults.filter(({ value }) => !(value.batchId === batchId && value.ticketId === ticketId));
    for (const result of results) this.gateResults.push({ sequence: this.next(), value: { ...copy(result), batchId, ticketId } });
  }

  async listGateResults(batchId: string, ticketId?: string): Promise<GateResultRecord[]> {
    this.requireOpen();
    return this.gateResults
      .filter(({ value }) => value.batchId === batchId && (ticketId === undefined || value.ticketId === ticketId))
      .map(({ value: { batchId: _batch, ticketId: _ticket, ...result } }) => copy(result));
  }

  async saveReviewAction(action: ReviewActionRecord): Promise<void> {
    this.requireBatch(action.batchId, `review action of ${action.ticketId}`);
    this.reviewActions.push(copy(action));
  }

  async listReviewActions(batchId: string, ticketId?: string): Promise<ReviewActionRecord[]> {
    this.requireOpen();
    return copy(this.reviewActions.filter((action) => action.batchId === batchId && (ticketId === undefined || action.ticketId === ticketId)));
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

function compareText(left: string, right: string): number {
  if (left === right) return 0;
  return left < right ? -1 : 1;
}
