import type Database from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** Distinct SQL texts kept prepared; the store issues a few dozen, so this is never reached in practice. */
const MAXIMUM_STATEMENTS = 500;

/**
 * The SQLite connection as Kysely sees it, with each distinct SQL text prepared once.
 * Kysely prepares every query it runs, and a night runs the same few statements for
 * every transition and checkpoint: preparing them again each time was a visible share of
 * Nightshift's own cost per ticket. Safe because Kysely's SQLite driver runs one query at
 * a time on its single connection and consumes each statement fully before the next.
 */
export class StatementCachingDatabase implements SqliteDatabase {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(private readonly connection: Database.Database) {}

  prepare(sql: string): SqliteStatement {
    return this.statement(sql);
  }

  /** The prepared statement for `sql`, as better-sqlite3 gives it (named parameters, `get`), for writes made beside Kysely. */
  statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.connection.prepare(sql);
      if (this.statements.size >= MAXIMUM_STATEMENTS) this.statements.clear();
      this.statements.set(sql, statement);
    }
    return statement;
  }

  close(): void {
    this.statements.clear();
    this.connection.close();
  }
}
