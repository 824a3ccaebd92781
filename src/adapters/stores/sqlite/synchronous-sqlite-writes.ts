import type Database from 'better-sqlite3';
import type { CheckpointRecord } from '../../../ports/store.js';
import type { TicketRun, TicketRunTransition } from '../../../domain/ticket-run.js';
import { missedRunUpdateError } from './kysely-store.js';
import type { StatementCachingDatabase } from './statement-caching-database.js';
import { checkpointToRow, runToRow, runTransitionToRow } from './store-rows.js';

/**
 * The two writes every stage of every ticket makes — a run transition (run row and
 * transition record, in one transaction) and a checkpoint — done straight on the
 * better-sqlite3 connection, synchronously: through Kysely's asynchronous driver they
 * cost several times more, a visible share of Nightshift's own time per ticket. Same
 * tables, same rows (from the same row builders), same errors as {@link KyselyStore}.
 *
 * Only usable while no Kysely transaction is open on the connection (`usable()`): a
 * synchronous transaction then runs from BEGIN to COMMIT before any other code can, so
 * it cannot interleave with one of Kysely's.
 */
export class SynchronousSqliteWrites {
  constructor(
    private readonly connection: Database.Database,
    /** Kysely's view of the same connection, whose prepared statements these writes share. */
    private readonly statements: StatementCachingDatabase,
  ) {}

  usable(): boolean {
    return this.connection.open && !this.connection.inTransaction;
  }

  applyRunTransition(run: TicketRun, transition: TicketRunTransition): void {
    const runRow = runToRow(run, 0);
    const transitionRow = runTransitionToRow(transition);
    this.connection.transaction(() => {
      const updated = this.statement(
        'UPDATE ticket_runs SET state = @state, partial = @partial, reason = @reason, updated_at = @updated_at WHERE batch_id = @batch_id AND ticket_id = @ticket_id AND state = @from_state',
      ).run({ state: runRow.state, partial: runRow.partial, reason: runRow.reason, updated_at: runRow.updated_at, batch_id: run.batchId, ticket_id: run.ticketId, from_state: transition.from });
      if (updated.changes === 0) {
        const current = this.statement('SELECT state FROM ticket_runs WHERE batch_id = ? AND ticket_id = ?').get(transition.batchId, transition.ticketId) as { state: string } | undefined;
        throw missedRunUpdateError(transition, current?.state);
      }
      this.insert('run_transitions', transitionRow);
    })();
  }

  saveCheckpoint(checkpoint: CheckpointRecord): void {
    this.insert('checkpoints', checkpointToRow(checkpoint));
  }

  private insert(table: 'run_transitions' | 'checkpoints', row: object): void {
    const columns = Object.keys(row);
    this.statement(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((column) => `@${column}`).join(', ')})`).run(row);
  }

  private statement(sql: string): Database.Statement {
    return this.statements.statement(sql);
  }
}
