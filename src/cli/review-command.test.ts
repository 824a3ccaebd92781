import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../adapters/stores/sqlite/sqlite-store.js';
import { runGates } from '../pipeline/gates.js';
import { runGeneration } from '../pipeline/generate.js';
import { runIntake } from '../pipeline/intake.js';
import { openRuntime } from '../runtime/open-runtime.js';
import { buildBatch, buildGateResult, buildMergeRequest, buildTicket } from '../testing/contracts/store-record-builders.js';
import { createGitFixture, type GitFixture } from '../testing/git-fixture.js';
import { InstantAgent } from '../testing/instant-agent.js';
import { runCli, type CliOutcome } from '../testing/run-cli.js';
import { ticketFileText } from '../testing/ticket-file-text.js';

const fixtures: GitFixture[] = [];
afterEach(() => fixtures.splice(0).forEach((fixture) => fixture.cleanup()));

/**
 * A real repository whose batch went through the real intake, generation (the instant
 * agent: no model) and gates: T-1 and T-3 on their own, T-2 depending on T-1 (so its MR
 * is stacked on agent/T-1).
 */
async function repositoryWithGatedBatch(): Promise<{ repository: GitFixture; batchId: string }> {
  const repository = createGitFixture({
    files: {
      'README.md': '# Demo\n',
      'nightshift.yaml': stringify({ agent: { kind: 'command', command: 'true' }, batch: { parallel_agents: 1 }, gates: { commands: { test: 'true' } } }),
      'tickets/T-1.md': ticketFileText({ id: 'T-1', title: 'Add login', priority: 'high' }),
      'tickets/T-2.md': ticketFileText({ id: 'T-2', title: 'Add logout', dependencies: ['T-1'] }),
      'tickets/T-3.md': ticketFileText({ id: 'T-3', title: 'Tidy utils' }),
    },
  });
  fixtures.push(repository);
  const runtime = await openRuntime({ repositoryRoot: repository.root, environment: {} });
  try {
    runtime.dependencies.agent = new InstantAgent();
    const intake = await runIntake(runtime.dependencies, { dryRun: false });
    await runGeneration(runtime.dependencies, { batchId: intake.batchId });
    await runGates(runtime.dependencies, { batchId: intake.batchId });
    return { repository, batchId: intake.batchId };
  } finally {
    await runtime.close();
  }
}

function nightshift(repository: GitFixture, args: string[], user = 'ada'): Promise<CliOutcome> {
  return runCli([...args, '--repo', repository.root], { environment: { USER: user } });
}

function expectRefusal(outcome: CliOutcome, message: RegExp): void {
  expect(outcome.stderr).toMatch(message);
  expect(outcome.exitCode).toBe(2);
  expect(outcome.stderr).not.toMatch(/unexpected error|\n\s+at /);
}

interface ReviewJson {
  state: string;
  queueReadyAt: string | null;
  queue: { ticketId: string; kind: string; decision?: string; reviewTimeMinutes?: number | null }[];
  mergeRequests: { ticketId: string; targetBranch: string; retargetedFrom: string | null; commit: string; decision: string; decidedBy: string | null; reviewTimeMinutes: number | null; reviewActions: { action: string; reviewer: string; comment: string | null; mergeCommit: string | null }[] }[];
}

async function reviewJson(repository: GitFixture): Promise<ReviewJson> {
  const outcome = await nightshift(repository, ['review', '--json']);
  expect(outcome.exitCode).toBe(0);
  return JSON.parse(outcome.stdout) as ReviewJson;
}

describe('nightshift review approve|request-changes|merge', () => {
  it('records decisions with who and when, merges approved MRs for real, retargets the stacked one, and reviews the batch', { timeout: 240_000 }, async () => {
    const { repository, batchId } = await repositoryWithGatedBatch();
    const before = await reviewJson(repository);
    expect(before.state).toBe('completed');
    expect(before.queueReadyAt).not.toBeNull();
    expect(before.mergeRequests.map((mergeRequest) => [mergeRequest.ticketId, mergeRequest.targetBranch, mergeRequest.decision]).sort()).toEqual([
      ['T-1', 'main', 'pending'],
      ['T-2', 'agent/T-1', 'pending'],
      ['T-3', 'main', 'pending'],
    ]);
    const mainBefore = repository.git(['rev-parse', 'main']);

    expectRefusal(await nightshift(repository, ['review', 'merge', 'T-1']), /T-1 was not approved[\s\S]*nightshift review approve T-1/);
    expect(repository.git(['rev-parse', 'main'])).toBe(mainBefore);

    const approved = await nightshift(repository, ['review', 'approve', 'T-1', '--comment', 'Clean and tested']);
    expect(approved.exitCode).toBe(0);
    expect(approved.stdout).toContain(`Approved T-1 (batch ${batchId}) as ada.`);
    expect((await nightshift(repository, ['review', 'approve', 'T-2', '--batch', batchId, '--by', 'grace'])).exitCode).toBe(0);
    expectRefusal(await nightshift(repository, ['review', 'merge', 'T-2']), /stacked on agent\/T-1, which is not merged yet[\s\S]*merge T-1 first/);

    const afterApproval = await reviewJson(repository);
    const first = afterApproval.mergeRequests.find((mergeRequest) => mergeRequest.ticketId === 'T-1')!;
    expect(first).toMatchObject({ decision: 'approved', decidedBy: 'ada', reviewActions: [{ action: 'approve', reviewer: 'ada', comment: 'Clean and tested', mergeCommit: null }] });
    expect(first.reviewTimeMinutes).toBeGreaterThanOrEqual(0);
    expect(afterApproval.queue.find((item) => item.ticketId === 'T-1')).toMatchObject({ decision: 'approved', reviewTimeMinutes: first.reviewTimeMinutes });
    expect(afterApproval.queue.find((item) => item.ticketId === 'T-3')).toMatchObject({ decision: 'pending', reviewTimeMinutes: null });

    const merged = await nightshift(repository, ['review', 'merge', 'T-1', '--by', 'grace']);
    expect(merged.exitCode).toBe(0);
    expect(merged.stdout).toMatch(/Merged T-1 .* as grace\.\nMerge commit [0-9a-f]{12} on main\./);
    expect(merged.stdout).toContain('Ticket T-1 is now "done"');
    expect(merged.stdout).toContain("T-2's merge request now targets main (was agent/T-1).");
    const mergeCommit = repository.git(['rev-parse', 'main']);
    expect(repository.git(['rev-list', '--parents', '-n', '1', 'main']).split(' ')).toEqual([mergeCommit, mainBefore, first.commit]);
    expect(repository.git(['log', '-1', '--format=%B', 'main'])).toMatch(/^Merge agent\/T-1 into main: T-1 Add login\n\nApproved-by: ada\nMerged-by: grace\n/);
    expect(existsSync(join(repository.root, 'instant-agent-T-1.txt'))).toBe(true);
    expect(readFileSync(join(repository.root, 'tickets/T-1.md'), 'utf8')).toMatch(/^status: done$/m);
    const localRecord = JSON.parse(readFileSync(join(repository.root, '.nightshift/merge-requests/agent-T-2.json'), 'utf8')) as { targetBranch: string };
    expect(localRecord.targetBranch).toBe('main');
    expectRefusal(await nightshift(repository, ['review', 'approve', 'T-1']), /already merged by grace/);

    const stacked = await nightshift(repository, ['review', 'merge', 'T-2', '--json']);
    expect(stacked.exitCode).toBe(0);
    expect(JSON.parse(stacked.stdout)).toMatchObject({ ticketId: 'T-2', action: 'merge', reviewer: 'ada', decision: 'merged', merge: { targetBranch: 'main', alreadyMerged: false }, batchState: 'completed' });
    expect(repository.git(['rev-parse', 'main^2'])).toBe(repository.git(['rev-parse', 'agent/T-2']));

    const last = await nightshift(repository, ['review', 'approve', 'T-3']);
    expect(last.exitCode).toBe(0);
    expect(last.stdout).toContain(`Every merge request and escalation of batch ${batchId} has a decision: the batch is reviewed.`);

    const gated = repository.git(['rev-parse', 'agent/T-3']);
    const moved = repository.git(['commit-tree', `${gated}^{tree}`, '-p', gated, '-m', 'a change nobody gated']);
    repository.git(['update-ref', 'refs/heads/agent/T-3', moved, gated]);
    const mainBeforeThird = repository.git(['rev-parse', 'main']);
    expectRefusal(await nightshift(repository, ['review', 'merge', 'T-3']), /agent\/T-3 is at [0-9a-f]{12}, not at [0-9a-f]{12}, the commit the gates checked: it moved since the gates/);
    expect(repository.git(['rev-parse', 'main'])).toBe(mainBeforeThird);
    repository.git(['update-ref', 'refs/heads/agent/T-3', gated, moved]);
    expect((await nightshift(repository, ['review', 'merge', 'T-3'])).exitCode).toBe(0);

    const after = await reviewJson(repository);
    expect(after.state).toBe('reviewed');
    expect(after.mergeRequests.map((mergeRequest) => [mergeRequest.ticketId, mergeRequest.decision, mergeRequest.targetBranch, mergeRequest.retargetedFrom]).sort()).toEqual([
      ['T-1', 'merged', 'main', null],
      ['T-2', 'merged', 'main', 'agent/T-1'],
      ['T-3', 'merged', 'main', null],
    ]);
    const box = await nightshift(repository, ['review']);
    expect(box.stdout).toContain('BATCH REVIEW');
    expect(box.stdout).toMatch(/Decisions:\n(\s+✔ T-\d merged by \w+ into main, review time [^\n]+\n){3}/);

    const metrics = await nightshift(repository, ['metrics', '--json']);
    expect(metrics.exitCode).toBe(0);
    const report = JSON.parse(metrics.stdout) as { batches: { tickets: number; completionRate: number; medianReviewTimeMinutes: number; state: string }[]; weeks: { line: string }[] };
    expect(report.batches[0]).toMatchObject({ tickets: 3, completionRate: 1, state: 'reviewed' });
    expect(report.batches[0]?.medianReviewTimeMinutes).toBeGreaterThanOrEqual(0);
    expect(report.weeks[0]?.line).toMatch(/^Week 1: 3 tickets, 100% completion, avg score \d+$/);
  });

  it('refuses tickets that have nothing to review and a reviewer without a name', { timeout: 120_000 }, async () => {
    const { repository } = await repositoryWithGatedBatch();
    expectRefusal(await nightshift(repository, ['review', 'approve', 'T-9']), /ticket T-9 is not in batch/);
    expectRefusal(await nightshift(repository, ['review', 'approve', 'T-1', '--by', '  ']), /the reviewer is empty/);
    expectRefusal(await nightshift(repository, ['review', 'approve', 'T-1', '--batch', '2020-01-01-overnight']), /no batch named 2020-01-01-overnight/);
    expectRefusal(await nightshift(repository, ['metrics', '--batches', 'zero']), /--batches must be a whole number/);
    const metrics = await nightshift(repository, ['metrics']);
    expect(metrics.exitCode).toBe(0);
    expect(metrics.stdout).toMatch(/Tickets\s+Completion\s+Avg score\s+Escalation\s+Review time\s+Cost\/completed/);
    expect(metrics.stdout).toMatch(/3 ✗\s+100% ✓/);
    expect(metrics.stdout).toContain('3 merge request(s) still wait for a decision');
  });
});

describe('nightshift review show', () => {
  /** A real SQLite store holding three gated MRs: one with a flaky check, one with a failed and a flaky one, one clean. */
  async function repositoryWithCheckedMergeRequests(): Promise<GitFixture> {
    const repository = createGitFixture({ files: { 'README.md': '# test\n' } });
    fixtures.push(repository);
    const batchId = '2024-01-16-overnight';
    const store = await SqliteStore.open(join(repository.root, '.nightshift', 'nightshift.db'));
    try {
      const tickets = [buildTicket('R-1', { title: 'Retry helper' }), buildTicket('R-2', { title: 'Broken helper' }), buildTicket('R-3', { title: 'Clean helper' })];
      const runs = tickets.map((ticket) => ({ batchId, ticketId: ticket.id, state: 'ready' as const, partial: false, updatedAt: '2024-01-16T18:00:00.000Z' }));
      await store.createBatch(buildBatch(batchId, { state: 'completed' }), tickets, runs);
      const checks: Record<string, Parameters<typeof buildGateResult>[1][]> = {
        'R-1': [{ status: 'flaky', attempts: 2 }, {}],
        'R-2': [{ status: 'flaky', attempts: 2 }, { status: 'failed' }],
        'R-3': [{}, {}],
      };
      for (const [ticketId, [test, lint]] of Object.entries(checks)) {
        const commit = ticketId.slice(-1).repeat(40);
        await store.saveMergeRequest(buildMergeRequest(batchId, ticketId, { commit, qualityScore: 95 }));
        await store.saveGateResults(batchId, ticketId, [buildGateResult('test', { ...test, commit }), buildGateResult('lint', { ...lint, commit })]);
      }
    } finally {
      await store.close();
    }
    return repository;
  }

  it('tags a flaky check as flaky and a failed one as failed, in the box and in the JSON', async () => {
    const repository = await repositoryWithCheckedMergeRequests();
    const box = await nightshift(repository, ['review']);
    expect(box.exitCode).toBe(0);
    expect(box.stdout).toMatch(/⚠ R-1: Retry helper +\[Score: 95\] \[Security: OK\] \[Checks: flaky\]/);
    expect(box.stdout).toMatch(/⚠ R-2: Broken helper +\[Score: 95\] \[Security: OK\] \[Checks: failed\]/);
    expect(box.stdout).toMatch(/✓ R-3: Clean helper +\[Score: 95\] \[Security: OK\] +║/);

    const json = await reviewJson(repository);
    const counts = (json.queue as unknown as { ticketId: string; group: string; checksFailed: number; checksFlaky: number }[]).map((item) => [item.ticketId, item.group, item.checksFailed, item.checksFlaky]);
    expect(counts).toEqual([
      ['R-3', 'high-quality', 0, 0],
      ['R-1', 'needs-rework', 0, 1],
      ['R-2', 'needs-rework', 1, 1],
    ]);
  });
});
