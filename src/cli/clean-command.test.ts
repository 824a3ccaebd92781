import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../adapters/stores/sqlite/sqlite-store.js';
import type { BatchState } from '../domain/batch.js';
import type { TicketRunState } from '../domain/ticket-run.js';
import { buildBatch, buildTicket } from '../testing/contracts/store-record-builders.js';
import { createGitFixture, type GitFixture } from '../testing/git-fixture.js';
import { runCli } from '../testing/run-cli.js';
import { formatBytes } from './commands/clean-command.js';

const fixtures: GitFixture[] = [];
afterEach(() => fixtures.splice(0).forEach((fixture) => fixture.cleanup()));

const DONE = '2024-01-15-overnight';
const RUNNING = '2024-01-16-overnight';

interface CleanJson {
  dryRun: boolean;
  batches: { batchId: string; state: string }[];
  removed: { kind: string; batchId: string; ticketId: string | null; path: string; bytes: number; files: number }[];
  kept: { batchId: string; ticketId: string; reason: string }[];
  failed: unknown[];
  bytesFreed: number;
  freed: string;
}

/**
 * A repository the way a night leaves it: a completed batch (PROJ-1 ready, PROJ-2 failed)
 * and a running one (PROJ-3 implementing, PROJ-4 ready), with real git worktrees on
 * branches agent/<id> and agent homes with files in them.
 */
async function repositoryAfterTwoNights(): Promise<GitFixture> {
  const fixture = createGitFixture({ files: { 'README.md': '# test\n' } });
  fixtures.push(fixture);
  const store = await SqliteStore.open(join(fixture.root, '.nightshift', 'nightshift.db'));
  const addBatch = async (id: string, state: BatchState, runs: Record<string, TicketRunState>, createdAt: string): Promise<void> => {
    const ids = Object.keys(runs);
    await store.createBatch(
      buildBatch(id, { state, createdAt }),
      ids.map((ticketId) => buildTicket(ticketId)),
      ids.map((ticketId) => ({ batchId: id, ticketId, state: runs[ticketId] as TicketRunState, partial: false, updatedAt: createdAt })),
    );
  };
  try {
    await addBatch(DONE, 'completed', { 'PROJ-1': 'ready', 'PROJ-2': 'failed' }, '2024-01-15T18:00:00.000Z');
    await addBatch(RUNNING, 'running', { 'PROJ-3': 'implementing', 'PROJ-4': 'ready' }, '2024-01-16T18:00:00.000Z');
  } finally {
    await store.close();
  }
  for (const ticketId of ['PROJ-1', 'PROJ-3', 'PROJ-4']) {
    fixture.git(['worktree', 'add', '--quiet', '-b', `agent/${ticketId}`, join('.nightshift', 'worktrees', ticketId), 'main']);
    fixture.writeFile(join('.nightshift', 'worktrees', ticketId, 'build.bin'), 'x'.repeat(2048));
  }
  const home = (batchId: string, ticketId: string): void => {
    const path = join(fixture.root, '.nightshift', 'agent-homes', batchId, ticketId, '.claude', 'settings.json');
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, '{"theme":"dark"}');
  };
  home(DONE, 'PROJ-1');
  home(DONE, 'PROJ-2');
  home(RUNNING, 'PROJ-3');
  home(RUNNING, 'PROJ-4');
  return fixture;
}

const exists = (fixture: GitFixture, ...parts: string[]): boolean => existsSync(join(fixture.root, '.nightshift', ...parts));

describe('nightshift clean', () => {
  it('--dry-run lists what would go and its size, and removes nothing', async () => {
    const fixture = await repositoryAfterTwoNights();
    const outcome = await runCli(['clean', '--dry-run', '--repo', fixture.root]);
    expect(outcome.exitCode).toBe(0);
    expect(outcome.stdout).toMatch(/^Would clean 1 batch\(es\): 2024-01-15-overnight \(completed\)\n/);
    expect(outcome.stdout).toMatch(/would remove worktree +PROJ-1 +\d+\.\d KiB {2}\.nightshift\/worktrees\/PROJ-1\n/);
    expect(outcome.stdout).toMatch(/would remove agent home +PROJ-2 +16 B {2}\.nightshift\/agent-homes\/2024-01-15-overnight\/PROJ-2\n/);
    expect(outcome.stdout).toMatch(/Would free \d+\.\d KiB \([\d,]+ bytes\)/);
    expect(outcome.stdout).not.toMatch(/PROJ-3|PROJ-4/);
    expect(exists(fixture, 'worktrees', 'PROJ-1')).toBe(true);
    expect(exists(fixture, 'agent-homes', DONE, 'PROJ-2')).toBe(true);
  });

  it('removes the finished batch worktrees through git, keeps the branches, and reports the bytes freed as JSON', async () => {
    const fixture = await repositoryAfterTwoNights();
    const dryRun = JSON.parse((await runCli(['clean', '--dry-run', '--json', '--repo', fixture.root])).stdout) as CleanJson;
    const outcome = await runCli(['clean', '--json', '--repo', fixture.root]);
    expect(outcome.exitCode).toBe(0);
    const report = JSON.parse(outcome.stdout) as CleanJson;
    expect(report.dryRun).toBe(false);
    expect(report.removed.map((item) => `${item.kind} ${item.ticketId}`)).toEqual(['worktree PROJ-1', 'agent-home PROJ-1', 'agent-home PROJ-2']);
    expect(report.removed[0]?.path).toBe(join(fixture.root, '.nightshift', 'worktrees', 'PROJ-1'));
    expect(report.bytesFreed).toBe(dryRun.bytesFreed);
    expect(report.bytesFreed).toBeGreaterThan(2048);
    expect(report.freed).toBe(formatBytes(report.bytesFreed));
    expect(report.failed).toEqual([]);

    expect(exists(fixture, 'worktrees', 'PROJ-1')).toBe(false);
    expect(fixture.git(['worktree', 'list', '--porcelain'])).not.toContain('PROJ-1');
    expect(fixture.git(['branch', '--list', 'agent/*'])).toMatch(/agent\/PROJ-1/);
    expect(exists(fixture, 'agent-homes', DONE)).toBe(false);
    expect(exists(fixture, 'worktrees', 'PROJ-4')).toBe(true);
    expect(exists(fixture, 'nightshift.db')).toBe(true);
  });

  it('--all also cleans the finished tickets of a running batch, keeping the one still at work', async () => {
    const fixture = await repositoryAfterTwoNights();
    const outcome = await runCli(['clean', '--all', '--repo', fixture.root]);
    expect(outcome.exitCode).toBe(0);
    expect(outcome.stdout).toMatch(/removed worktree +PROJ-4/);
    expect(outcome.stdout).toMatch(/Kept:\n {2}PROJ-3 \(2024-01-16-overnight\): still implementing\n/);
    expect(exists(fixture, 'worktrees', 'PROJ-4')).toBe(false);
    expect(exists(fixture, 'worktrees', 'PROJ-3')).toBe(true);
    expect(exists(fixture, 'agent-homes', RUNNING, 'PROJ-3')).toBe(true);
  });

  it('--batch cleans the one batch named', async () => {
    const fixture = await repositoryAfterTwoNights();
    const report = JSON.parse((await runCli(['clean', '--batch', RUNNING, '--json', '--repo', fixture.root])).stdout) as CleanJson;
    expect(report.batches).toEqual([{ batchId: RUNNING, state: 'running' }]);
    expect(report.removed.map((item) => `${item.kind} ${item.ticketId}`)).toEqual(['worktree PROJ-4', 'agent-home PROJ-4']);
    expect(exists(fixture, 'worktrees', 'PROJ-1')).toBe(true);
  });

  it.each([
    [['clean', '--batch', '2024-02-01-overnight'], /no batch named 2024-02-01-overnight/],
    [['clean', '--batch', '../../etc'], /batch id/],
    [['clean', '--batch', DONE, '--all'], /cannot be used with/],
  ])('refuses %j with exit 2', async (args, message) => {
    const fixture = await repositoryAfterTwoNights();
    const outcome = await runCli([...args, '--repo', fixture.root]);
    expect(outcome.exitCode).toBe(2);
    expect(outcome.stderr).toMatch(message);
    expect(exists(fixture, 'worktrees', 'PROJ-1')).toBe(true);
  });

  it('says so when no batch is finished', async () => {
    const fixture = createGitFixture({ files: { 'README.md': '# test\n' } });
    fixtures.push(fixture);
    const outcome = await runCli(['clean', '--repo', fixture.root]);
    expect(outcome.exitCode).toBe(0);
    expect(outcome.stdout).toMatch(/No finished batch to clean/);
  });
});

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.0 KiB'],
    [1536, '1.5 KiB'],
    [5 * 1024 ** 3, '5.0 GiB'],
  ])('%d → %s', (bytes, expected) => {
    expect(formatBytes(bytes)).toBe(expected);
  });
});
