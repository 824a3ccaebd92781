import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from 'kysely';
import { describe, expect, it } from 'vitest';
import { newTicketRun } from '../../../domain/ticket-run.js';
import { KyselyStore } from './kysely-store.js';
import type { NightshiftDatabase } from './nightshift-database.js';
import { createStoreMigrationProvider } from './store-migrations.js';

/** A Kysely that compiles for PostgreSQL and records the SQL instead of sending it anywhere. */
function postgresRecorder(): { database: Kysely<NightshiftDatabase>; statements: string[] } {
  const statements: string[] = [];
  const database = new Kysely<NightshiftDatabase>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (introspected) => new PostgresIntrospector(introspected),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
    log: (event) => {
      if (event.level === 'query') statements.push(event.query.sql);
    },
  });
  return { database, statements };
}

const SQLITE_ONLY = /autoincrement|insert or |replace into|json_extract|datetime\(|strftime|pragma|rowid|"?sqlite_/i;

describe('the store schema and queries on PostgreSQL', () => {
  it('migrates with identity columns and no SQLite-only SQL', async () => {
    const { database, statements } = postgresRecorder();
    const migrations = await createStoreMigrationProvider('postgres').getMigrations();
    for (const migration of Object.values(migrations)) await migration.up(database);
    const ddl = statements.join(';\n');
    expect(ddl).toContain('generated always as identity');
    expect(ddl).not.toMatch(SQLITE_ONLY);
    expect(ddl).toContain('create table "gate_results"');
    expect(ddl).toContain('create table "review_actions"');
  });

  it('compiles every store query without SQLite-only SQL', async () => {
    const { database, statements } = postgresRecorder();
    const store = new KyselyStore(database);
    const run = newTicketRun('b', 'PROJ-1', 'now');
    const calls: Array<() => Promise<unknown>> = [
      () => store.createBatch({ id: 'b', state: 'pending', createdAt: 'now', config: { maxTickets: 1, timeoutPerTicketMinutes: 1, parallelAgents: 1 }, manifestPath: 'm' }, [], [run]),
      () => store.getBatch('b'),
      () => store.latestBatch(),
      () => store.listBatches(),
      () => store.applyBatchTransition({ batchId: 'b', from: 'pending', to: 'running', event: 'start', at: 'now' }),
      () => store.listBatchTransitions('b'),
      () => store.listBatchTickets('b'),
      () => store.listRuns('b'),
      () => store.getRun('b', 'PROJ-1'),
      () => store.applyRunTransition({ ...run, state: 'scoping' }, { batchId: 'b', ticketId: 'PROJ-1', from: 'queued', to: 'scoping', event: 'start', at: 'now' }),
      () => store.listRunTransitions('b', 'PROJ-1'),
      () => store.listCheckpoints('b'),
      () => store.saveEscalation({ batchId: 'b', ticketId: 'PROJ-1', trigger: 't', question: 'q', options: [], context: null, createdAt: 'now' }),
      () => store.listEscalations({ batchId: 'b', open: true }),
      () => store.saveMergeRequest({ batchId: 'b', ticketId: 'PROJ-1', sourceBranch: 's', targetBranch: 't', title: 't', description: 'd', hostId: 'h', url: 'u', commit: 'c', createdAt: 'now' }),
      () => store.listMergeRequests('b'),
      () => store.saveGateResults('b', 'PROJ-1', []),
      () => store.listGateResults('b'),
      () => store.saveReviewAction({ batchId: 'b', ticketId: 'PROJ-1', action: 'approve', reviewer: 'ada', commit: 'c', at: 'now' }),
      () => store.listReviewActions('b', 'PROJ-1'),
    ];
    for (const call of calls) await call().catch(() => undefined);
    const sql = statements.join(';\n');
    expect(sql).toContain('on conflict ("batch_id", "ticket_id") do update set');
    expect(sql).not.toMatch(SQLITE_ONLY);
    expect(statements.length).toBeGreaterThan(calls.length);
  });

  it('lists its migrations in code, without reading any directory', async () => {
    expect(Object.keys(await createStoreMigrationProvider('sqlite').getMigrations())).toEqual(['0001-initial-schema', '0002-escalation-answered-by', '0003-review-actions', '0004-gate-result-details']);
  });
});
