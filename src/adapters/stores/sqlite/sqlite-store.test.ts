import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { newTicketRun, transitionTicketRun } from '../../../domain/ticket-run.js';
import { describeStoreContract } from '../../../testing/contracts/store.js';
import { SqliteStore } from './sqlite-store.js';
import { createStoreMigrationProvider } from './store-migrations.js';

const directories: string[] = [];

function temporaryDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'nightshift-sqlite-'));
  directories.push(directory);
  return directory;
}

afterAll(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

describeStoreContract('SqliteStore', () => SqliteStore.open(join(temporaryDirectory(), '.nightshift', 'nightshift.db')));

describe('SqliteStore on disk', () => {
  const AT = '2024-01-15T18:00:00.000Z';
  const batch = {
    id: '2024-01-15-overnight',
    state: 'pending' as const,
    createdAt: AT,
    config: { maxTickets: 20, timeoutPerTicketMinutes: 30, parallelAgents: 3 },
    manifestPath: '.nightshift/batches/2024-01-15-overnight/manifest.yaml',
  };
  const ticket = {
    id: 'PROJ-142',
    title: 'Auth',
    labels: ['ready-for-agent'],
    priority: 'high' as const,
    estimatedFiles: [],
    dependencies: [],
    body: '',
    acceptanceCriteria: ['works'],
    openQuestions: [],
    testCases: [],
    readinessChecklist: [],
    sourceReference: 'tickets/PROJ-142.md',
  };

  it('creates the parent directories and a WAL-mode database file', async () => {
    const path = join(temporaryDirectory(), 'repo', '.nightshift', 'nightshift.db');
    const store = await SqliteStore.open(path);
    await store.close();
    expect(existsSync(path)).toBe(true);
    const raw = new Database(path, { readonly: true });
    try {
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      const tables = raw.prepare("select name from sqlite_master where type = 'table' order by name").pluck().all();
      expect(tables).toEqual(
        expect.arrayContaining(['batches', 'batch_transitions', 'batch_tickets', 'ticket_runs', 'run_transitions', 'checkpoints', 'escalations', 'merge_requests', 'gate_results']),
      );
    } finally {
      raw.close();
    }
  });

  it('stores transitions and checkpoints straight, and through Kysely behind a Kysely transaction that is open (and rolls back)', async () => {
    const store = await SqliteStore.open(join(temporaryDirectory(), 'nightshift.db'));
    try {
      await store.createBatch(batch, [ticket], [newTicketRun(batch.id, ticket.id, AT)]);
      const started = transitionTicketRun(newTicketRun(batch.id, ticket.id, AT), { type: 'start' }, '2024-01-15T18:01:00.000Z');
      if (!started.ok) throw new Error(started.error);
      await store.applyRunTransition(started.run, started.transition);
      const scoped = transitionTicketRun(started.run, { type: 'scope-complete' }, '2024-01-15T18:02:00.000Z');
      if (!scoped.ok) throw new Error(scoped.error);
      const checkpoint = { batchId: batch.id, ticketId: ticket.id, stage: 'C0' as const, attempt: 1, output: { summary: 's', files: [] }, usage: { inputTokens: 1, outputTokens: 2 }, agent: 'instant', createdAt: AT };
      // While a Kysely transaction holds the connection, the writes must queue behind it, not slip into it:
      // that one rolls back here, and they must survive it.
      const database = (store as unknown as { database: Kysely<unknown> }).database;
      let queued: Promise<unknown>[] = [];
      await expect(
        database.transaction().execute(async () => {
          queued = [store.applyRunTransition(scoped.run, scoped.transition), store.saveCheckpoint(checkpoint)];
          await new Promise((resolve) => setTimeout(resolve, 20));
          throw new Error('rolled back on purpose');
        }),
      ).rejects.toThrow('rolled back on purpose');
      await Promise.all(queued);
      expect(await store.getRun(batch.id, ticket.id)).toStrictEqual(scoped.run);
      expect(await store.listRunTransitions(batch.id)).toStrictEqual([started.transition, scoped.transition]);
      expect(await store.listCheckpoints(batch.id)).toStrictEqual([checkpoint]);
      await expect(store.applyRunTransition(scoped.run, scoped.transition)).rejects.toThrow(/is in state "scoping"|is in state "planning"/);
      await expect(store.saveCheckpoint({ ...checkpoint, batchId: 'no-such-batch' })).rejects.toThrow(/FOREIGN KEY/);
    } finally {
      await store.close();
    }
  });

  it('keeps everything across close and reopen, and migrates only once', async () => {
    const path = join(temporaryDirectory(), 'nightshift.db');
    const first = await SqliteStore.open(path);
    await first.createBatch(batch, [ticket], [newTicketRun(batch.id, ticket.id, AT)]);
    const started = transitionTicketRun(newTicketRun(batch.id, ticket.id, AT), { type: 'start' }, '2024-01-15T18:01:00.000Z');
    if (!started.ok) throw new Error(started.error);
    await first.applyRunTransition(started.run, started.transition);
    await first.saveEscalation({
      batchId: batch.id,
      ticketId: ticket.id,
      trigger: 'architecture',
      question: 'Which?',
      options: [],
      context: null,
      createdAt: AT,
    });
    await first.close();

    const second = await SqliteStore.open(path);
    try {
      expect(await second.latestBatch()).toStrictEqual(batch);
      expect(await second.listBatchTickets(batch.id)).toStrictEqual([ticket]);
      expect(await second.getRun(batch.id, ticket.id)).toStrictEqual(started.run);
      expect(await second.listRunTransitions(batch.id)).toStrictEqual([started.transition]);
      expect(await second.listEscalations({ open: true })).toHaveLength(1);
    } finally {
      await second.close();
    }
    const raw = new Database(path, { readonly: true });
    try {
      expect(raw.prepare('select name from kysely_migration').pluck().all()).toEqual(['0001-initial-schema', '0002-escalation-answered-by', '0003-review-actions', '0004-gate-result-details']);
    } finally {
      raw.close();
    }
  });

  it('lets two open stores on one file see each other’s writes', async () => {
    const path = join(temporaryDirectory(), 'nightshift.db');
    const writer = await SqliteStore.open(path);
    const reader = await SqliteStore.open(path);
    try {
      await writer.createBatch(batch, [ticket], [newTicketRun(batch.id, ticket.id, AT)]);
      expect((await reader.getBatch(batch.id))?.id).toBe(batch.id);
    } finally {
      await writer.close();
      await reader.close();
    }
  });

  it('works in memory with `:memory:`', async () => {
    const store = await SqliteStore.open(':memory:');
    await store.createBatch(batch, [], []);
    expect((await store.listBatches()).map((record) => record.id)).toEqual([batch.id]);
    await store.close();
  });

  it('migrates a database made before 0002: old escalations keep their answer, new ones record who answered', async () => {
    const path = join(temporaryDirectory(), 'nightshift.db');
    const old = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new Database(path) }) });
    const initialOnly = { getMigrations: async () => ({ '0001-initial-schema': (await createStoreMigrationProvider('sqlite').getMigrations())['0001-initial-schema']! }) };
    const migrated = await new Migrator({ db: old, provider: initialOnly }).migrateToLatest();
    expect(migrated.error).toBeUndefined();
    await old.destroy();
    const before = new Database(path);
    before.prepare('insert into batches (id, state, created_at, config, manifest_path) values (?, ?, ?, ?, ?)').run(batch.id, 'completed', AT, JSON.stringify(batch.config), batch.manifestPath);
    before
      .prepare('insert into escalations (batch_id, ticket_id, trigger, question, options, context, created_at, answer, answered_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(batch.id, 'PROJ-1', 'architecture', 'Which?', '[]', 'null', AT, 'This one', AT);
    before.close();

    const store = await SqliteStore.open(path);
    try {
      const [answeredBefore] = await store.listEscalations();
      expect(answeredBefore).toStrictEqual({ batchId: batch.id, ticketId: 'PROJ-1', trigger: 'architecture', question: 'Which?', options: [], context: null, createdAt: AT, answer: 'This one', answeredAt: AT });
      await store.saveEscalation({ ...answeredBefore!, answeredBy: 'ada' });
      expect((await store.listEscalations())[0]?.answeredBy).toBe('ada');
    } finally {
      await store.close();
    }
  });

  it('names the file when it cannot be opened as a database', async () => {
    const path = join(temporaryDirectory(), 'not-a-database.db');
    writeFileSync(path, 'this is plain text, not SQLite '.repeat(100));
    await expect(SqliteStore.open(path)).rejects.toThrow(path);
  });
});
