import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { TicketRun, TicketRunTransition } from '../../../domain/ticket-run.js';
import type { CheckpointRecord } from '../../../ports/store.js';
import { KyselyStore, requireRunMatchesTransition } from './kysely-store.js';
import type { NightshiftDatabase } from './nightshift-database.js';
import { StatementCachingDatabase } from './statement-caching-database.js';
import { SynchronousSqliteWrites } from './synchronous-sqlite-writes.js';

/** How long a writer waits for another process's lock before SQLite reports "database is locked". */
const BUSY_TIMEOUT_MILLISECONDS = 10_000;

/**
 * The embedded store: one SQLite file, by default `.nightshift/nightshift.db` of the
 * target repository, so a batch survives crashes and can be resumed by any later
 * process. WAL mode lets the dashboard read while the pipeline writes.
 */
export class SqliteStore extends KyselyStore {
  private constructor(
    database: Kysely<NightshiftDatabase>,
    /** The database file, or `:memory:`. */
    readonly path: string,
    private readonly synchronousWrites: SynchronousSqliteWrites,
  ) {
    super(database);
  }

  /** Straight on the connection when no Kysely transaction is open (see {@link SynchronousSqliteWrites}). */
  override async applyRunTransition(run: TicketRun, transition: TicketRunTransition): Promise<void> {
    if (!this.synchronousWrites.usable()) return super.applyRunTransition(run, transition);
    requireRunMatchesTransition(run, transition);
    this.synchronousWrites.applyRunTransition(run, transition);
  }

  override async saveCheckpoint(checkpoint: CheckpointRecord): Promise<void> {
    if (!this.synchronousWrites.usable()) return super.saveCheckpoint(checkpoint);
    this.synchronousWrites.saveCheckpoint(checkpoint);
  }

  /**
   * Opens (creating it and its parent directories when missing) the database at
   * `path` and runs the migrations. Pass `:memory:` for a throw-away database.
   */
  static async open(path: string): Promise<SqliteStore> {
    const location = path === ':memory:' ? path : resolve(path);
    if (location !== ':memory:') mkdirSync(dirname(location), { recursive: true });
    const connection = openConnection(location);
    const statements = new StatementCachingDatabase(connection);
    const database = new Kysely<NightshiftDatabase>({ dialect: new SqliteDialect({ database: statements }) });
    try {
      await KyselyStore.migrate(database, 'sqlite', location);
    } catch (error) {
      await database.destroy();
      throw error;
    }
    return new SqliteStore(database, location, new SynchronousSqliteWrites(connection, statements));
  }
}

function openConnection(location: string): Database.Database {
  let connection: Database.Database | undefined;
  try {
    connection = new Database(location);
    connection.pragma('journal_mode = WAL');
    connection.pragma(`busy_timeout = ${BUSY_TIMEOUT_MILLISECONDS}`);
    connection.pragma('foreign_keys = ON');
    return connection;
  } catch (error) {
    connection?.close();
    throw new Error(`store ${location}: cannot open the SQLite database: ${(error as Error).message}`, { cause: error });
  }
}
