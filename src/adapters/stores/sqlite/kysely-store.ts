import { Migrator } from 'kysely';
import type { Kysely, Transaction } from 'kysely';
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
import type { NightshiftDatabase } from './nightshift-database.js';
import { createStoreMigrationProvider } from './store-migrations.js';
import type { StoreDialect } from './store-migrations.js';
import {
  batchToRow,
  batchTransitionToRow,
  checkpointToRow,
  escalationToRow,
  gateResultToRow,
  mergeRequestToRow,
  reviewActionToRow,
  rowToBatch,
  rowToBatchTransition,
  rowToCheckpoint,
  rowToEscalation,
  rowToGateResult,
  rowToMergeRequest,
  rowToReviewAction,
  rowToRun,
  rowToRunTransition,
  runToRow,
  runTransitionToRow,
  ticketFromJson,
} from './store-rows.js';

/**
 * The {@link Store} written once in portable Kysely queries (no dialect-specific SQL,
 * JSON as text), so SQLite today and PostgreSQL later share every query. A subclass
 * owns the connection and says how to open it.
 */
export class KyselyStore implements Store {
  constructor(protected readonly database: Kysely<NightshiftDatabase>) {}

  /** Brings the schema to the latest migration; throws with the failing migration's name. */
  static async migrate(database: Kysely<NightshiftDatabase>, dialect: StoreDialect, location: string): Promise<void> {
    const migrator = new Migrator({ db: database, provider: createStoreMigrationProvider(dialect) });
    const { error, results } = await migrator.migrateToLatest();
    if (error !== undefined) {
      const failed = results?.find((result) => result.status === 'Error')?.migrationName ?? 'unknown';
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(`store ${location}: migration "${failed}" failed: ${message}`, { cause: error });
    }
  }

  async createBatch(batch: BatchRecord, tickets: Ticket[], runs: TicketRun[]): Promise<void> {
    await this.database.transaction().execute(async (transaction) => {
      await transaction.insertInto('batches').values(batchToRow(batch)).execute();
      if (tickets.length > 0) {
        await transaction
          .insertInto('batch_tickets')
          .values(tickets.map((ticket, position) => ({ batch_id: batch.id, ticket_id: ticket.id, position, ticket: JSON.stringify(ticket) })))
          .execute();
      }
      if (runs.length > 0) {
        await transaction.insertInto('ticket_runs').values(runs.map((run, position) => runToRow(run, position))).execute();
      }
    });
  }

  async getBatch(batchId: string): Promise<BatchRecord | undefined> {
    const row = await this.database.selectFrom('batches').selectAll().where('id', '=', batchId).executeTakeFirst();
    return row === undefined ? undefined : rowToBatch(row);
  }

  async latestBatch(): Promise<BatchRecord | undefined> {
    const row = await this.database
      .selectFrom('batches')
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('sequence', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row === undefined ? undefined : rowToBatch(row);
  }

  async listBatches(): Promise<BatchRecord[]> {
    const rows = await this.database.selectFrom('batches').selectAll().orderBy('created_at').orderBy('sequence').execute();
    return rows.map(rowToBatch);
  }

  async applyBatchTransition(transition: BatchTransition): Promise<void> {
    await this.database.transaction().execute(async (transaction) => {
      const result = await transaction
        .updateTable('batches')
        .set({ state: transition.to })
        .where('id', '=', transition.batchId)
        .where('state', '=', transition.from)
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) {
        const current = await transaction.selectFrom('batches').select('state').where('id', '=', transition.batchId).executeTakeFirst();
        throw new Error(
          current === undefined
            ? `store: cannot apply batch transition: batch ${transition.batchId} does not exist`
            : `store: cannot apply batch transition ${transition.from} → ${transition.to}: batch ${transition.batchId} is in state "${current.state}", not "${transition.from}"`,
        );
      }
      await transaction.insertInto('batch_transitions').values(batchTransitionToRow(transition)).execute();
    });
  }

  async listBatchTransitions(batchId: string): Promise<BatchTransition[]> {
    const rows = await this.database.selectFrom('batch_transitions').selectAll().where('batch_id', '=', batchId).orderBy('sequence').execute();
    return rows.map(rowToBatchTransition);
  }

  async listBatchTickets(batchId: string): Promise<Ticket[]> {
    const rows = await this.database
      .selectFrom('batch_tickets')
      .select(['ticket_id', 'ticket'])
      .where('batch_id', '=', batchId)
      .orderBy('position')
      .execute();
    return rows.map((row) => ticketFromJson(row.ticket, `batch_tickets.ticket of ${batchId}/${row.ticket_id}`));
  }

  async listRuns(batchId: string): Promise<TicketRun[]> {
    const rows = await this.database.selectFrom('ticket_runs').selectAll().where('batch_id', '=', batchId).orderBy('position').execute();
    return rows.map(rowToRun);
  }

  async getRun(batchId: string, ticketId: string): Promise<TicketRun | undefined> {
    const row = await this.database
      .selectFrom('ticket_runs')
      .selectAll()
      .where('batch_id', '=', batchId)
      .where('ticket_id', '=', ticketId)
      .executeTakeFirst();
    return row === undefined ? undefined : rowToRun(row);
  }

  async applyRunTransition(run: TicketRun, transition: TicketRunTransition): Promise<void> {
    requireRunMatchesTransition(run, transition);
    await this.database.transaction().execute(async (transaction) => {
      const row = runToRow(run, 0);
      const result = await transaction
        .updateTable('ticket_runs')
        .set({ state: row.state, partial: row.partial, reason: row.reason, updated_at: row.updated_at })
        .where('batch_id', '=', run.batchId)
        .where('ticket_id', '=', run.ticketId)
        .where('state', '=', transition.from)
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) await this.explainMissedRunUpdate(transaction, transition);
      await transaction.insertInto('run_transitions').values(runTransitionToRow(transition)).execute();
    });
  }

  private async explainMissedRunUpdate(transaction: Transaction<NightshiftDatabase>, transition: TicketRunTransition): Promise<never> {
    const current = await transaction
      .selectFrom('ticket_runs')
      .select('state')
      .where('batch_id', '=', transition.batchId)
      .where('ticket_id', '=', transition.ticketId)
      .executeTakeFirst();
    throw missedRunUpdateError(transition, current?.state);
  }

  async listRunTransitions(batchId: string, ticketId?: string): Promise<TicketRunTransition[]> {
    let query = this.database.selectFrom('run_transitions').selectAll().where('batch_id', '=', batchId);
    if (ticketId !== undefined) query = query.where('ticket_id', '=', ticketId);
    const rows = await query.orderBy('sequence').execute();
    return rows.map(rowToRunTransition);
  }

  async saveCheckpoint(checkpoint: CheckpointRecord): Promise<void> {
    await this.database.insertInto('checkpoints').values(checkpointToRow(checkpoint)).execute();
  }

  async listCheckpoints(batchId: string, ticketId?: string): Promise<CheckpointRecord[]> {
    let query = this.database.selectFrom('checkpoints').selectAll().where('batch_id', '=', batchId);
    if (ticketId !== undefined) query = query.where('ticket_id', '=', ticketId);
    const rows = await query.orderBy('sequence').execute();
    return rows.map(rowToCheckpoint);
  }

  async saveEscalation(escalation: EscalationRecord): Promise<void> {
    const row = escalationToRow(escalation);
    const { batch_id: _batch, ticket_id: _ticket, trigger: _trigger, ...changes } = row;
    await this.database
      .insertInto('escalations')
      .values(row)
      .onConflict((conflict) => conflict.columns(['batch_id', 'ticket_id', 'trigger']).doUpdateSet(changes))
      .execute();
  }

  async listEscalations(filter: { batchId?: string; ticketId?: string; open?: boolean } = {}): Promise<EscalationRecord[]> {
    let query = this.database.selectFrom('escalations').selectAll();
    if (filter.batchId !== undefined) query = query.where('batch_id', '=', filter.batchId);
    if (filter.ticketId !== undefined) query = query.where('ticket_id', '=', filter.ticketId);
    if (filter.open === true) query = query.where('answer', 'is', null);
    if (filter.open === false) query = query.where('answer', 'is not', null);
    const rows = await query.orderBy('sequence').execute();
    return rows.map(rowToEscalation);
  }

  async saveMergeRequest(mergeRequest: MergeRequestRecord): Promise<void> {
    const row = mergeRequestToRow(mergeRequest);
    const { batch_id: _batch, ticket_id: _ticket, ...changes } = row;
    await this.database
      .insertInto('merge_requests')
      .values(row)
      .onConflict((conflict) => conflict.columns(['batch_id', 'ticket_id']).doUpdateSet(changes))
      .execute();
  }

  async getMergeRequest(batchId: string, ticketId: string): Promise<MergeRequestRecord | undefined> {
    const row = await this.database
      .selectFrom('merge_requests')
      .selectAll()
      .where('batch_id', '=', batchId)
      .where('ticket_id', '=', ticketId)
      .executeTakeFirst();
    return row === undefined ? undefined : rowToMergeRequest(row);
  }

  async listMergeRequests(batchId: string): Promise<MergeRequestRecord[]> {
    const rows = await this.database.selectFrom('merge_requests').selectAll().where('batch_id', '=', batchId).orderBy('sequence').execute();
    return rows.map(rowToMergeRequest);
  }

  async saveGateResults(batchId: string, ticketId: string, results: GateResultRecord[]): Promise<void> {
    await this.database.transaction().execute(async (transaction) => {
      await transaction.deleteFrom('gate_results').where('batch_id', '=', batchId).where('ticket_id', '=', ticketId).execute();
      if (results.length > 0) {
        await transaction.insertInto('gate_results').values(results.map((result) => gateResultToRow(batchId, ticketId, result))).execute();
      }
    });
  }

  async listGateResults(batchId: string, ticketId?: string): Promise<GateResultRecord[]> {
    let query = this.database.selectFrom('gate_results').selectAll().where('batch_id', '=', batchId);
    if (ticketId !== undefined) query = query.where('ticket_id', '=', ticketId);
    const rows = await query.orderBy('sequence').execute();
    return rows.map(rowToGateResult);
  }

  async saveReviewAction(action: ReviewActionRecord): Promise<void> {
    await this.database.insertInto('review_actions').values(reviewActionToRow(action)).execute();
  }

  async listReviewActions(batchId: string, ticketId?: string): Promise<ReviewActionRecord[]> {
    let query = this.database.selectFrom('review_actions').selectAll().where('batch_id', '=', batchId);
    if (ticketId !== undefined) query = query.where('ticket_id', '=', ticketId);
    const rows = await query.orderBy('sequence').execute();
    return rows.map(rowToReviewAction);
  }

  async close(): Promise<void> {
    await this.database.destroy();
  }
}

/** A run and the transition stored with it must name the same run, and the transition must lead to the run's state. */
export function requireRunMatchesTransition(run: TicketRun, transition: TicketRunTransition): void {
  if (run.batchId !== transition.batchId || run.ticketId !== transition.ticketId || run.state !== transition.to) {
    throw new Error(
      `store: run ${run.batchId}/${run.ticketId} in state "${run.state}" does not match its transition ${transition.batchId}/${transition.ticketId} → "${transition.to}"`,
    );
  }
}

/** Why a run transition updated no row: the run is missing, or it is in another state than the transition starts from. */
export function missedRunUpdateError(transition: TicketRunTransition, currentState: string | undefined): Error {
  const run = `${transition.batchId}/${transition.ticketId}`;
  return new Error(
    currentState === undefined
      ? `store: cannot apply run transition: run ${run} does not exist (was it created with its batch?)`
      : `store: cannot apply run transition ${transition.from} → ${transition.to}: run ${run} is in state "${currentState}", not "${transition.from}"`,
  );
}
