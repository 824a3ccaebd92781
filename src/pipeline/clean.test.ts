import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalFilesArtifactStore } from '../adapters/artifacts/local-files/local-files-artifact-store.js';
import { MemoryStore } from '../adapters/stores/memory/memory-store.js';
import { GitWorkspace } from '../adapters/workspaces/git/git-workspace.js';
import type { BatchState } from '../domain/batch.js';
import type { TicketRunState } from '../domain/ticket-run.js';
import { buildBatch, buildTicket } from '../testing/contracts/store-record-builders.js';
import { createGitFixture, type GitFixture } from '../testing/git-fixture.js';
import { cleanBatches, type CleanDependencies, type CleanReport } from './clean.js';

let repository: GitFixture;
let dependencies: CleanDependencies;
let store: MemoryStore;
let nightshift: string;

beforeEach(() => {
  repository = createGitFixture({ files: { 'README.md': '# test\n' } });
  nightshift = join(repository.root, '.nightshift');
  store = new MemoryStore();
  dependencies = {
    store,
    artifacts: new LocalFilesArtifactStore(nightshift),
    workspace: new GitWorkspace({ repositoryRoot: repository.root, worktreesDirectory: join(nightshift, 'worktrees') }),
    settings: { agentPrivateRoot: join(nightshift, 'agent-homes') },
  };
});
afterEach(async () => {
  await store.close();
  repository.cleanup();
});

async function addBatch(id: string, state: BatchState, runs: Record<string, TicketRunState>, createdAt: string): Promise<void> {
  const ticketIds = Object.keys(runs);
  await store.createBatch(
    buildBatch(id, { state, createdAt }),
    ticketIds.map((ticketId) => buildTicket(ticketId)),
    ticketIds.map((ticketId) => ({ batchId: id, ticketId, state: runs[ticketId] as TicketRunState, partial: false, updatedAt: createdAt })),
  );
}

async function addWorktree(ticketId: string): Promise<string> {
  const worktree = await dependencies.workspace.prepareWorktree({ branch: `agent/${ticketId}`, startPoint: 'main', directoryName: ticketId });
  repository.writeFile('build/output.bin', 'x'.repeat(1000), worktree.path);
  return worktree.path;
}

async function addAgentHome(batchId: string, ticketId: string): Promise<void> {
  await dependencies.artifacts.writeText(`agent-homes/${batchId}/${ticketId}/.claude/settings.json`, '{"a":1}');
}

function summary(report: CleanReport): string[] {
  return report.removed.map((item) => `${item.kind} ${item.batchId} ${item.ticketId ?? '(batch)'} ${item.relativePath}`);
}

describe('cleanBatches', () => {
  beforeEach(async () => {
    await addBatch('2024-01-15-overnight', 'completed', { 'PROJ-1': 'ready', 'PROJ-2': 'failed' }, '2024-01-15T18:00:00.000Z');
    await addBatch('2024-01-16-overnight', 'running', { 'PROJ-3': 'implementing', 'PROJ-4': 'ready' }, '2024-01-16T18:00:00.000Z');
    for (const ticketId of ['PROJ-1', 'PROJ-3', 'PROJ-4']) await addWorktree(ticketId);
    await addAgentHome('2024-01-15-overnight', 'PROJ-1');
    await addAgentHome('2024-01-15-overnight', 'PROJ-2');
    await addAgentHome('2024-01-16-overnight', 'PROJ-3');
    await addAgentHome('2024-01-16-overnight', 'PROJ-4');
  });

  it('lists what would go, with sizes, and removes nothing on a dry run', async () => {
    const result = await cleanBatches(dependencies, { dryRun: true });
    if (!result.ok) throw new Error(result.reason);
    expect(result.report.batches).toEqual([{ batchId: '2024-01-15-overnight', state: 'completed' }]);
    expect(summary(result.report)).toEqual([
      'worktree 2024-01-15-overnight PROJ-1 worktrees/PROJ-1',
      'agent-home 2024-01-15-overnight PROJ-1 agent-homes/2024-01-15-overnight/PROJ-1',
      'agent-home 2024-01-15-overnight PROJ-2 agent-homes/2024-01-15-overnight/PROJ-2',
    ]);
    const worktree = result.report.removed[0];
    expect(worktree?.bytes).toBeGreaterThan(1000);
    expect(worktree?.absolutePath).toBe(join(nightshift, 'worktrees', 'PROJ-1'));
    expect(result.report.bytesFreed).toBe(result.report.removed.reduce((total, item) => total + item.bytes, 0));
    expect(existsSync(join(nightshift, 'worktrees', 'PROJ-1'))).toBe(true);
    expect(existsSync(join(nightshift, 'agent-homes', '2024-01-15-overnight', 'PROJ-1'))).toBe(true);
  });

  it('removes the finished batch worktrees (git forgets them, branches stay) and agent homes, leaving running batches alone', async () => {
    const result = await cleanBatches(dependencies, { dryRun: false });
    if (!result.ok) throw new Error(result.reason);
    expect(result.report.failed).toEqual([]);
    expect(summary(result.report)).toHaveLength(3);
    expect(existsSync(join(nightshift, 'worktrees', 'PROJ-1'))).toBe(false);
    expect(repository.git(['worktree', 'list'])).not.toContain('PROJ-1');
    expect(repository.git(['branch', '--list', 'agent/PROJ-1'])).toContain('agent/PROJ-1');
    expect(existsSync(join(nightshift, 'agent-homes', '2024-01-15-overnight'))).toBe(false);
    expect(existsSync(join(nightshift, 'worktrees', 'PROJ-3'))).toBe(true);
    expect(existsSync(join(nightshift, 'worktrees', 'PROJ-4'))).toBe(true);
    expect(existsSync(join(nightshift, 'agent-homes', '2024-01-16-overnight', 'PROJ-4'))).toBe(true);

    const again = await cleanBatches(dependencies, { dryRun: false });
    expect(again.ok && again.report.removed).toEqual([]);
  });

  it('with --all, also cleans the finished tickets of a running batch, never the one still working', async () => {
    const result = await cleanBatches(dependencies, { dryRun: false, includeUnfinishedBatches: true });
    if (!result.ok) throw new Error(result.reason);
    expect(summary(result.report)).toContain('worktree 2024-01-16-overnight PROJ-4 worktrees/PROJ-4');
    expect(result.report.kept).toEqual([{ batchId: '2024-01-16-overnight', ticketId: 'PROJ-3', reason: 'still implementing' }]);
    expect(existsSync(join(nightshift, 'worktrees', 'PROJ-4'))).toBe(false);
    expect(existsSync(join(nightshift, 'worktrees', 'PROJ-3'))).toBe(true);
    expect(existsSync(join(nightshift, 'agent-homes', '2024-01-16-overnight', 'PROJ-3'))).toBe(true);
  });

  it('keeps the worktree of a ticket that another batch is still working on', async () => {
    await addBatch('2024-01-17-overnight', 'paused', { 'PROJ-1': 'planning' }, '2024-01-17T18:00:00.000Z');
    const result = await cleanBatches(dependencies, { dryRun: false });
    if (!result.ok) throw new Error(result.reason);
    expect(result.report.kept).toEqual([{ batchId: '2024-01-15-overnight', ticketId: 'PROJ-1', reason: 'its worktree is in use by batch 2024-01-17-overnight (planning)' }]);
    expect(existsSync(join(nightshift, 'worktrees', 'PROJ-1'))).toBe(true);
    expect(existsSync(join(nightshift, 'agent-homes', '2024-01-15-overnight', 'PROJ-1'))).toBe(false);
  });

  it('cleans one named batch, and refuses one that does not exist or is not a batch id', async () => {
    const result = await cleanBatches(dependencies, { dryRun: true, batchId: '2024-01-16-overnight' });
    expect(result.ok && summary(result.report)).toEqual([
      'worktree 2024-01-16-overnight PROJ-4 worktrees/PROJ-4',
      'agent-home 2024-01-16-overnight PROJ-4 agent-homes/2024-01-16-overnight/PROJ-4',
    ]);
    expect(await cleanBatches(dependencies, { dryRun: true, batchId: '2024-02-01-overnight' })).toEqual({ ok: false, reason: expect.stringMatching(/no batch named 2024-02-01-overnight/) });
    expect(await cleanBatches(dependencies, { dryRun: true, batchId: '../etc' })).toEqual({ ok: false, reason: expect.stringMatching(/batch id/) });
  });

  it('counts what lies in a batch home beside its tickets once, and removes it with the batch folder', async () => {
    await dependencies.artifacts.writeText('agent-homes/2024-01-15-overnight/stray.log', '12345');
    const dryRun = await cleanBatches(dependencies, { dryRun: true });
    if (!dryRun.ok) throw new Error(dryRun.reason);
    const batchFolder = dryRun.report.removed.find((item) => item.ticketId === undefined);
    expect(batchFolder).toMatchObject({ kind: 'agent-home', relativePath: 'agent-homes/2024-01-15-overnight', bytes: 5, files: 1 });
    const result = await cleanBatches(dependencies, { dryRun: false });
    expect(result.ok && result.report.bytesFreed).toBe(dryRun.report.bytesFreed);
  });

  it('leaves agent homes configured outside .nightshift/ alone, and says so', async () => {
    const result = await cleanBatches({ ...dependencies, settings: { agentPrivateRoot: '/elsewhere/agent-homes' } }, { dryRun: true });
    if (!result.ok) throw new Error(result.reason);
    expect(result.report.removed.map((item) => item.kind)).toEqual(['worktree']);
    expect(result.report.notes).toEqual([expect.stringContaining('outside .nightshift/')]);
  });
});
