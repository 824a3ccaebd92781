import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../adapters/stores/sqlite/sqlite-store.js';
import { transitionTicketRun, type TicketRunEvent, type TicketRunState } from '../domain/ticket-run.js';
import { buildBatch, buildTicket } from '../testing/contracts/store-record-builders.js';
import { createGitFixture, type GitFixture } from '../testing/git-fixture.js';
import { runCli, type CliOutcome } from '../testing/run-cli.js';

const fixtures: GitFixture[] = [];
afterEach(() => fixtures.splice(0).forEach((fixture) => fixture.cleanup()));

const OLD_BATCH = '2024-01-15-overnight';
const BATCH = '2024-01-16-overnight';

const RECORDS = [
  { type: 'transition', from: 'queued', state: 'scoping', event: 'start', at: '2024-01-16T22:33:40.000Z' },
  { stage: 'C0', attempt: 1, type: 'tool-call', tool: 'Read', input: { file_path: 'src/index.js' }, at: '2024-01-16T22:33:43.000Z' },
  { stage: 'C0', attempt: 1, type: 'text-delta', text: 'Reading\nthe code\u001b[31m now', at: '2024-01-16T22:33:44.000Z' },
  { stage: 'C0', attempt: 1, type: 'stage-end', outcome: 'completed', at: '2024-01-16T22:33:50.000Z' },
];

function logPath(root: string, batchId: string, ticketId: string): string {
  return join(root, '.nightshift', 'batches', batchId, 'logs', `${ticketId}.ndjson`);
}

function appendRecords(root: string, batchId: string, ticketId: string, records: object[]): void {
  const path = logPath(root, batchId, ticketId);
  mkdirSync(dirname(path), { recursive: true });
  appendFileSync(path, records.map((record) => `${JSON.stringify({ batchId, ticketId, ...record })}\n`).join(''));
}

/** A repository with two batches in the real SQLite store: PROJ-1 in both, PROJ-2 only in the older one. */
async function repositoryWithLogs(runState: TicketRunState = 'ready'): Promise<GitFixture> {
  const fixture = createGitFixture({ files: { 'README.md': '# test\n' } });
  fixtures.push(fixture);
  const store = await SqliteStore.open(join(fixture.root, '.nightshift', 'nightshift.db'));
  try {
    await store.createBatch(buildBatch(OLD_BATCH, { state: 'completed', createdAt: '2024-01-15T18:00:00.000Z' }), [buildTicket('PROJ-1'), buildTicket('PROJ-2')], [
      { batchId: OLD_BATCH, ticketId: 'PROJ-1', state: 'skipped', partial: false, updatedAt: '2024-01-15T18:00:00.000Z' },
      { batchId: OLD_BATCH, ticketId: 'PROJ-2', state: 'ready', partial: false, updatedAt: '2024-01-15T18:00:00.000Z' },
    ]);
    await store.createBatch(buildBatch(BATCH, { state: 'running', createdAt: '2024-01-16T18:00:00.000Z' }), [buildTicket('PROJ-1')], [
      { batchId: BATCH, ticketId: 'PROJ-1', state: runState, partial: false, updatedAt: '2024-01-16T18:00:00.000Z' },
    ]);
  } finally {
    await store.close();
  }
  appendRecords(fixture.root, OLD_BATCH, 'PROJ-1', [{ type: 'transition', from: 'queued', state: 'skipped', event: 'skip', reason: 'PROJ-0 failed', at: '2024-01-15T22:00:00.000Z' }]);
  appendRecords(fixture.root, BATCH, 'PROJ-1', RECORDS);
  return fixture;
}

const UTC = { TZ: 'UTC' };

describe('nightshift logs', () => {
  it('prints the latest batch log of a ticket, one readable line per record', async () => {
    const fixture = await repositoryWithLogs();
    const outcome = await runCli(['logs', 'PROJ-1', '--repo', fixture.root], { environment: UTC });
    expect(outcome.exitCode).toBe(0);
    expect(outcome.stdout).toBe(
      [
        '22:33:40      transition queued → scoping',
        '22:33:43 C0#1 tool-call Read src/index.js',
        '22:33:44 C0#1 text-delta Reading the code now',
        '22:33:50 C0#1 stage-end completed',
        '',
      ].join('\n'),
    );
  });

  it('prints the raw records with --json, and an older batch with --batch', async () => {
    const fixture = await repositoryWithLogs();
    const json = await runCli(['logs', 'PROJ-1', '--json', '--repo', fixture.root]);
    expect(json.exitCode).toBe(0);
    expect(json.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as unknown)).toEqual(RECORDS.map((record) => ({ batchId: BATCH, ticketId: 'PROJ-1', ...record })));

    const older = await runCli(['logs', 'PROJ-1', '--batch', OLD_BATCH, '--repo', fixture.root], { environment: UTC });
    expect(older.stdout).toBe('22:00:00      transition queued → skipped: PROJ-0 failed\n');
  });

  it('says when the ticket has no log yet', async () => {
    const fixture = await repositoryWithLogs();
    const outcome = await runCli(['logs', 'PROJ-2', '--repo', fixture.root]);
    expect(outcome.exitCode).toBe(0);
    expect(outcome.stdout).toBe('');
    expect(outcome.stderr).toMatch(/No log yet for PROJ-2 in batch 2024-01-15-overnight/);
  });

  it.each([
    [['logs', 'PROJ-9'], /ticket PROJ-9 is in no batch/],
    [['logs', 'PROJ-2', '--batch', BATCH], /ticket PROJ-2 is not in batch 2024-01-16-overnight/],
    [['logs', 'PROJ-1', '--batch', '2024-02-01-overnight'], /no batch named 2024-02-01-overnight/],
    [['logs', '../../etc/passwd'], /not safe/],
  ])('refuses %j with exit 2 and a clear message', async (args, message) => {
    const fixture = await repositoryWithLogs();
    const outcome = await runCli([...args, '--repo', fixture.root]);
    expect(outcome.exitCode).toBe(2);
    expect(outcome.stderr).toMatch(message);
    expect(outcome.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });

  it('follows the log as it grows and stops when the run is over', async () => {
    const fixture = await repositoryWithLogs('scoping');
    const cli = startCli(['logs', 'PROJ-1', '--follow', '--repo', fixture.root]);
    await cli.waitFor(/stage-end completed/);
    appendRecords(fixture.root, BATCH, 'PROJ-1', [{ stage: 'C1', attempt: 1, type: 'stage-start', at: '2024-01-16T22:34:00.000Z' }]);
    await cli.waitFor(/C1#1 stage-start/);
    await advanceRun(fixture.root, { type: 'fail', reason: 'the agent gave up' });
    appendRecords(fixture.root, BATCH, 'PROJ-1', [{ type: 'transition', from: 'scoping', state: 'failed', event: 'fail', reason: 'the agent gave up', at: '2024-01-16T22:35:00.000Z' }]);
    const outcome = await cli.done;
    expect(outcome.exitCode).toBe(0);
    expect(outcome.stdout.trimEnd().split('\n').slice(-2)).toEqual(['22:34:00 C1#1 stage-start', '22:35:00      transition scoping → failed: the agent gave up']);
    expect(outcome.stderr).toMatch(/The run is over/);
  });

  it('stops following on Ctrl-C', async () => {
    const fixture = await repositoryWithLogs('scoping');
    const cli = startCli(['logs', 'PROJ-1', '--follow', '--repo', fixture.root]);
    await cli.waitFor(/Following PROJ-1/);
    cli.interrupt();
    const outcome = await cli.done;
    expect(outcome.exitCode).toBe(0);
    expect(outcome.stderr).toMatch(/Stopped\./);
  });
});

async function advanceRun(root: string, event: TicketRunEvent): Promise<void> {
  const store = await SqliteStore.open(join(root, '.nightshift', 'nightshift.db'));
  try {
    const run = await store.getRun(BATCH, 'PROJ-1');
    if (run === undefined) throw new Error('no run');
    const result = transitionTicketRun(run, event, '2024-01-16T22:35:00.000Z');
    if (!result.ok) throw new Error(result.error);
    await store.applyRunTransition(result.run, result.transition);
  } finally {
    await store.close();
  }
}

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Like `runCli`, but the test can wait for output while the command still runs, and press Ctrl-C. */
function startCli(args: string[]): { waitFor(pattern: RegExp): Promise<void>; interrupt(): void; done: Promise<CliOutcome> } {
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(projectRoot, 'src', 'cli', 'bin.ts'), ...args], {
    env: { ...process.env, NO_COLOR: '1', TZ: 'UTC' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  const check = (): void => {
    for (const waiter of [...waiters]) {
      if (waiter.pattern.test(stdout + stderr)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    check();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    check();
  });
  const done = new Promise<CliOutcome>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (exitCode) => resolve({ exitCode, stdout, stderr }));
  });
  return {
    waitFor: (pattern) =>
      new Promise<void>((resolve, reject) => {
        waiters.push({ pattern, resolve });
        check();
        void done.then((outcome) => reject(new Error(`the command ended (exit ${outcome.exitCode}) before printing ${pattern}:\n${outcome.stdout}\n${outcome.stderr}`)));
      }),
    interrupt: () => child.kill('SIGINT'),
    done,
  };
}
