import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../adapters/stores/sqlite/sqlite-store.js';
import { computeQualityScore } from '../domain/quality-score.js';
import { buildBatch, buildGateResult, buildMergeRequest, buildTicket } from '../testing/contracts/store-record-builders.js';
import { createGitFixture, type GitFixture } from '../testing/git-fixture.js';
import { runCli } from '../testing/run-cli.js';

const fixtures: GitFixture[] = [];
afterEach(() => fixtures.splice(0).forEach((fixture) => fixture.cleanup()));

const BATCH = '2024-01-16-overnight';

const gateResults = [
  buildGateResult('test', {
    status: 'flaky',
    attempts: 2,
    tests: { counts: { passed: 3, failed: 0, skipped: 1, total: 4 }, cases: [] },
    flakyTests: ['auth › logs out'],
  }),
  buildGateResult('lint', { lintWarnings: 2 }),
];

const score = computeQualityScore({
  gateResults,
  diff: { files: [{ path: 'src/auth.py', status: 'modified', binary: false, deletedCount: 0, addedLines: [{ lineNumber: 1, text: 'x' }] }] },
  complexity: 'small',
  estimatedFiles: ['src/auth.py'],
  securityFindings: [{ rule: 'risky-path', severity: 'low', file: 'src/auth.py', message: 'modified authentication code' }],
  partial: false,
  retries: 1,
  planRisks: 2,
});

/** A repository whose real SQLite store holds one scored MR (PROJ-1) and one still gating (PROJ-2). */
async function repositoryWithScores(): Promise<GitFixture> {
  const fixture = createGitFixture({ files: { 'README.md': '# test\n' } });
  fixtures.push(fixture);
  const store = await SqliteStore.open(join(fixture.root, '.nightshift', 'nightshift.db'));
  try {
    await store.createBatch(buildBatch(BATCH, { state: 'running' }), [buildTicket('PROJ-1', { title: 'Log in and out' }), buildTicket('PROJ-2')], [
      { batchId: BATCH, ticketId: 'PROJ-1', state: 'ready', partial: false, updatedAt: '2024-01-16T18:00:00.000Z' },
      { batchId: BATCH, ticketId: 'PROJ-2', state: 'gating', partial: false, updatedAt: '2024-01-16T18:00:00.000Z' },
    ]);
    await store.saveMergeRequest(
      buildMergeRequest(BATCH, 'PROJ-1', { commit: 'c'.repeat(40), qualityScore: score.score, scoreBreakdown: score.breakdown, securityFlags: [{ rule: 'risky-path', severity: 'low', file: 'src/auth.py', message: 'modified authentication code' }] }),
    );
    await store.saveMergeRequest(buildMergeRequest(BATCH, 'PROJ-2'));
    await store.saveGateResults(BATCH, 'PROJ-1', gateResults);
  } finally {
    await store.close();
  }
  return fixture;
}

describe('nightshift score', () => {
  it('explains every point won and lost, and the checks the score rests on', async () => {
    const fixture = await repositoryWithScores();
    const outcome = await runCli(['score', 'PROJ-1'], { cwd: fixture.root });
    expect(outcome.stderr).not.toMatch(/^nightshift:/m);
    expect(outcome.exitCode).toBe(0);
    const lines = outcome.stdout.split('\n');
    expect(lines.slice(0, 2)).toEqual([`PROJ-1: Log in and out — quality score ${score.score}/100`, `Batch ${BATCH} · commit cccccccccccc · ready`]);
    expect(outcome.stdout).toContain('  checks       26/35 (−9)        1 of 2 checks passed (test flaky: it passed only when run again, for half credit).');
    expect(outcome.stdout).toContain('  lint         3/5 (−2)          The lint check reported 2 warnings, which cost 2 points.');
    expect(outcome.stdout).toContain('  uncertainty  3/5 (−2)          The plan names 2 risks (−2).');
    expect(outcome.stdout).toContain('  retries      −3 (penalty)      1 retry after invalid agent answers cost 3 points each.');
    expect(outcome.stdout).toContain(`Won ${score.score + 3} of 100 points on the criteria (lost ${100 - score.score - 3}), minus 3 in penalties = ${score.score}/100.`);
    expect(outcome.stdout).toContain('  test: flaky (3 passed, 0 failed, 1 skipped; flipped: auth › logs out; run twice)\n  lint: passed (2 lint warnings)');
    expect(outcome.stdout).toContain('  low risky-path in src/auth.py: modified authentication code');
  });

  it('prints the breakdown with the points lost as JSON', async () => {
    const fixture = await repositoryWithScores();
    const outcome = await runCli(['score', 'PROJ-1', '--batch', BATCH, '--json'], { cwd: fixture.root });
    expect(outcome.exitCode).toBe(0);
    const json = JSON.parse(outcome.stdout) as { qualityScore: number; commit: string; breakdown: { criterion: string; points: number; lost: number }[]; checks: unknown[] };
    expect(json.qualityScore).toBe(score.score);
    expect(json.commit).toBe('c'.repeat(40));
    expect(json.breakdown.map((item) => [item.criterion, item.points, item.lost])).toEqual([
      ['checks', 26, 9],
      ['tests', 0, 15],
      ['diff size', 10, 0],
      ['scope', 15, 0],
      ['security', 14, 1],
      ['lint', 3, 2],
      ['uncertainty', 3, 2],
      ['retries', -3, 3],
    ]);
    expect(json.checks).toEqual([
      { name: 'test', status: 'flaky', attempts: 2, tests: { passed: 3, failed: 0, skipped: 1, total: 4 }, flakyTests: ['auth › logs out'] },
      { name: 'lint', status: 'passed', attempts: 1, lintWarnings: 2 },
    ]);
  });

  it('says why there is no score: an unknown ticket, or one not gated yet', async () => {
    const fixture = await repositoryWithScores();
    const unknown = await runCli(['score', 'PROJ-9'], { cwd: fixture.root });
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(/ticket PROJ-9 is in no batch/);
    const pending = await runCli(['score', 'PROJ-2'], { cwd: fixture.root });
    expect(pending.exitCode).toBe(2);
    expect(pending.stderr).toContain(`nightshift: ticket PROJ-2 has no quality score in batch ${BATCH}: its run is gating: run \`nightshift gates\`\n`);
    expect(pending.stdout).toBe('');
  });
});
