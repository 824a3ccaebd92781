import { rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDemoGuide, runDemo, type DemoResult } from './run-demo.js';

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
    expect(review!.totals).toMatchObject({ total: 5, completed: 4, escalated: 1, failed: 0, refused: 1 });
    const box = review!.box;
    expect(box).toMatch(/BATCH REVIEW: \d{4}-\d{2}-\d{2}-overnight/);
    expect(box).toMatch(/✓ DEMO-101: Add a slugify helper\s+\[Score: \d+\] \[Security: OK\]/);
    expect(box).toMatch(/⚠ DEMO-106: .*\[Checks: failed\]/);
    expect(box).toMatch(/Escalations Pending:[\s\S]*⚠ DEMO-104: Normalize to NFC/);
    expect(review!.refusedAtIntake.map((refusal) => refusal.ticketId)).toEqual(['DEMO-105']);
  });

  it('orders the queue by the seed: high priority first, flagged rework last', () => {
    const order = result.report.review!.queue.map((item) => item.ticketId);
    expect(order[0]).toBe('DEMO-101');
    expect(order.at(-1)).toBe('DEMO-106');
    expect(order.indexOf('DEMO-104')).toBeLessThan(order.indexOf('DEMO-106'));
  });

  it('commits each ticket on agent/<id> with the three trailers, DEMO-103 stacked on DEMO-102', () => {
    for (const ticket of ['DEMO-101', 'DEMO-102', 'DEMO-103', 'DEMO-106']) {
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

  it('prints progress and tells the user where everything is', async () => {
    expect(progress).toMatch(/DEMO-101 {2}C0/);
    const guide = await formatDemoGuide(result);
    expect(guide).toContain('manifest.yaml');
    expect(guide).toMatch(/Branches\s+agent\/DEMO-101, agent\/DEMO-102/);
  });
});
