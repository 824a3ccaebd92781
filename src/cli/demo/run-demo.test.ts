import { rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_HARD_CODED_TOKEN } from './demo-scenario.js';
import { formatDemoGuide, formatDemoOutput, runDemo, type DemoResult } from './run-demo.js';

let result: DemoResult;
let progress = '';

beforeAll(async () => {
  result = await runDemo({ output: { write: (text: string) => (progress += text) }, reviewWidth: 80 });
}, 180_000);

afterAll(() => rmSync(result.directory, { recursive: true, force: true }));

const git = (...args: string[]) => execFileSync('git', args, { cwd: result.repository, encoding: 'utf8' }).trim();

describe('nightshift demo (real Claude Code CLI, scripted model server)', () => {
  it('shows every path of the seed in the review box', () => {
    const review = result.report.review;
    expect(review).toBeDefined();
    expect(review!.totals).toMatchObject({ total: 7, completed: 6, escalated: 1, failed: 0, refused: 1 });
    const box = review!.box;
    expect(box).toMatch(/BATCH REVIEW: \d{4}-\d{2}-\d{2}-overnight/);
    expect(box).toMatch(/✓ DEMO-101: Add a slugify helper\s+\[Score: \d+\] \[Security: OK\]/);
    expect(box).toMatch(/⚠ DEMO-107: Publish release notes on GitHub\s+\[Score: \d+\] \[Security: 1\] +║/);
    expect(box).toMatch(/⚠ DEMO-108: .*\[Security: OK\] \[Checks: flaky\]/);
    expect(box).toMatch(/⚠ DEMO-106: .*\[Checks: failed\]/);
    expect(box).toMatch(/Escalations Pending:[\s\S]*⚠ DEMO-104: Normalize to NFC/);
    expect(review!.refusedAtIntake.map((refusal) => refusal.ticketId)).toEqual(['DEMO-105']);
  });

  it('orders the queue by the seed: the security flag first, then high priority, rework last', () => {
    const queue = result.report.review!.queue;
    expect(queue.map((item) => item.ticketId)).toEqual(['DEMO-107', 'DEMO-101', 'DEMO-102', 'DEMO-103', 'DEMO-104', 'DEMO-108', 'DEMO-106']);
    expect(queue.map((item) => item.group)).toEqual(['security', 'high-priority', 'high-quality', 'high-quality', 'escalation', 'needs-rework', 'needs-rework']);
  });

  it('commits each ticket on agent/<id> with the three trailers, DEMO-103 stacked on DEMO-102', () => {
    for (const ticket of ['DEMO-101', 'DEMO-102', 'DEMO-103', 'DEMO-106', 'DEMO-107', 'DEMO-108']) {
      const trailers = git('log', '-1', '--format=%(trailers:only,unfold)', `agent/${ticket}`).split('\n');
      expect(trailers).toEqual([expect.stringMatching(/^Agent: batch-\d{4}-\d{2}-\d{2}$/), 'Checkpoint: C2-complete', 'Quality-Score: pending-gates']);
    }
    expect(git('merge-base', '--is-ancestor', 'agent/DEMO-102', 'agent/DEMO-103')).toBe('');
    const stacked = result.report.review!.mergeRequests.find((mergeRequest) => mergeRequest.ticketId === 'DEMO-103');
    expect(stacked?.targetBranch).toBe('agent/DEMO-102');
    expect(git('branch', '--list', 'agent/DEMO-105')).toBe('');
  });

  it('flags the change whose tests fail, with the failing check in its summary', () => {
    const flagged = result.report.review!.mergeRequests.find((mergeRequest) => mergeRequest.ticketId === 'DEMO-106');
    expect(flagged?.checks.find((check) => check.name === 'test')?.status).toBe('failed');
    expect(flagged?.qualityScore).toBeLessThan(90);
    expect(flagged?.reviewSummary).toMatch(/\| test \| .*failed/);
  });

  it('flags the hard-coded token, masked everywhere it is shown', () => {
    const flagged = result.report.review!.mergeRequests.find((mergeRequest) => mergeRequest.ticketId === 'DEMO-107');
    expect(git('show', 'agent/DEMO-107:src/release-notes.js')).toContain(DEMO_HARD_CODED_TOKEN);
    expect(flagged?.securityFlags).toEqual([
      { rule: 'secretlint/github', severity: 'high', file: 'src/release-notes.js', line: 1, message: 'possible secret added (github (GITHUB_TOKEN)): ghp_…(40 chars)' },
    ]);
    expect(flagged?.reviewSummary).toContain('`secretlint/github` in `src/release-notes.js` line 1: possible secret added (github (GITHUB\\_TOKEN)): ghp\\_…(40 chars)');
    expect(JSON.stringify(result.report)).not.toContain(DEMO_HARD_CODED_TOKEN);
    expect(JSON.stringify(result.scores)).not.toContain(DEMO_HARD_CODED_TOKEN);
  });

  it('reports the test that failed once and passed on the re-run as flaky, without the marker in the commit', () => {
    const flaky = result.report.review!.mergeRequests.find((mergeRequest) => mergeRequest.ticketId === 'DEMO-108');
    expect(flaky?.checks.map((check) => [check.name, check.status, check.attempts])).toEqual([
      ['test', 'flaky', 2],
      ['lint', 'passed', 1],
    ]);
    expect(flaky?.reviewSummary).toMatch(/\| test \| .*flaky/);
    expect(result.report.gates?.gated.find((gated) => gated.ticketId === 'DEMO-108')).toMatchObject({ checksFlaky: 1, checksFailed: 0 });
    expect(git('ls-tree', '-r', '--name-only', 'agent/DEMO-108').split('\n').filter((path) => path.startsWith('.cache'))).toEqual([]);
    const queued = result.report.review!.queue.find((item) => item.ticketId === 'DEMO-108');
    expect(queued).toMatchObject({ checksFailed: 0, checksFlaky: 1 });
  });

  it('prints the box with the security flag and the flaky check, then the top MR’s score breakdown', async () => {
    const output = await formatDemoOutput(result);
    expect(output).toMatch(/⚠ DEMO-107: Publish release notes on GitHub\s+\[Score: \d+\] \[Security: 1\]/);
    expect(output).toMatch(/⚠ DEMO-108: Add a retry helper\s+\[Score: \d+\] \[Security: OK\] \[Checks: flaky\]/);
    expect(output).toMatch(/Why DEMO-107, the top MR of the queue, scored \d+ \(nightshift score DEMO-107\):/);
    expect(output).toMatch(/ {2}security +0\/15 \(−15\) +1 finding \(1 high\) cost 15 points\./);
    expect(output).toContain('  high secretlint/github in src/release-notes.js:1: possible secret added (github (GITHUB_TOKEN)): ghp_…(40 chars)');
    expect(output).toMatch(/ {2}DEMO-108 {2}\d+ {2}\(checks −\d+/);
    expect(output).toContain('Where to look:');
    expect(output).not.toContain(DEMO_HARD_CODED_TOKEN);
  });

  it('prints progress and tells the user where everything is', async () => {
    expect(progress).toMatch(/DEMO-101 {2}C0/);
    const guide = await formatDemoGuide(result);
    expect(guide).toContain('manifest.yaml');
    expect(guide).toMatch(/Branches\s+agent\/DEMO-101, agent\/DEMO-102/);
  });
});
