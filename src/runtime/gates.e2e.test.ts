import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runBatch } from '../pipeline/run-batch.js';
import type { GateResultRecord } from '../ports/store.js';
import { createNightFixture, type NightFixture } from '../testing/night-fixture.js';
import { runCli } from '../testing/run-cli.js';
import { ticketFileText } from '../testing/ticket-file-text.js';

/*
 * Stage 3 through the whole night: the real Claude Code CLI implements three tickets
 * against the scripted model server — a clean change, a change that breaks a test, and
 * a change whose new test fails on its first run only — and the gates check each MR's
 * commit with real `node --test` JUnit and TAP reports.
 */

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const LIBRARY = {
  'package.json': '{ "name": "lib", "type": "module", "private": true }\n',
  'src/add.js': 'export function add(a, b) {\n  return a + b;\n}\n',
  'test/add.test.js': "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { add } from '../src/add.js';\ntest('add returns the sum', () => assert.equal(add(1, 2), 3));\n",
};

const GATES = {
  test: { command: 'mkdir -p reports && node --test --test-reporter=junit --test-reporter-destination=reports/junit.xml', report: 'reports/junit.xml', format: 'junit' },
  tap: { command: 'mkdir -p reports && node --test --test-reporter=tap --test-reporter-destination=reports/tap.txt', report: 'reports/tap.txt', format: 'tap' },
};

const SUBTRACT_FILES = [
  { write: { path: 'src/subtract.js', content: 'export function subtract(a, b) {\n  return a - b;\n}\n' } },
  {
    write: {
      path: 'test/subtract.test.js',
      content: "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { subtract } from '../src/subtract.js';\ntest('subtract returns the difference', () => assert.equal(subtract(3, 2), 1));\n",
    },
  },
];

const stages = (implementation: object[], confidence?: number) => ({
  C0: [{ report: { summary: 'Add subtract next to add', files: ['src/subtract.js', 'test/subtract.test.js'], complexity: 'small' } }],
  C1: [{ report: { plan: ['Write subtract in src/subtract.js', 'Test that subtract returns the difference'], risks: [], complexity: 'small', decision_needed: null } }],
  C2: [
    ...implementation,
    { report: { summary: 'Added subtract', changes: ['Add subtract helper returning the difference'], tests_run: ['node --test'], ...(confidence === undefined ? {} : { confidence }) } },
  ],
});

function ticket(id: string, title: string): string {
  return ticketFileText({ id, title, priority: 'medium', estimatedFiles: ['src/*.js', 'test/*.js'], acceptanceCriteria: ['subtract returns the difference of two numbers', 'add still returns the sum'] });
}

describe('the automated gates through the whole night', () => {
  it('passes a clean change with a high score, flags a broken test with a low one, and reports a flaky test as flaky', async () => {
    const markers = mkdtempSync(join(tmpdir(), 'nightshift-flaky-'));
    cleanups.push(() => rmSync(markers, { recursive: true, force: true }));
    const marker = join(markers, 'cache-warmed');
    const flakyTest = [
      "import { test } from 'node:test';",
      "import assert from 'node:assert/strict';",
      "import { existsSync, writeFileSync } from 'node:fs';",
      "test('cache warms up before subtracting', () => {",
      `  const warm = existsSync(${JSON.stringify(marker)});`,
      `  writeFileSync(${JSON.stringify(marker)}, 'warm');`,
      "  assert.ok(warm, 'the cache was cold');",
      '});',
      '',
    ].join('\n');
    const fixture: NightFixture = await createNightFixture({
      files: LIBRARY,
      tickets: { 'MATH-1.md': ticket('MATH-1', 'Add subtract'), 'MATH-2.md': ticket('MATH-2', 'Add subtract, break add'), 'MATH-3.md': ticket('MATH-3', 'Add subtract with a cache') },
      scenario: {
        tickets: {
          'MATH-1': stages([...SUBTRACT_FILES, { run: { command: 'node --test' } }], 0.9),
          'MATH-2': stages([...SUBTRACT_FILES, { edit: { path: 'src/add.js', old: 'return a + b;', new: 'return a - b;' } }]),
          'MATH-3': stages([...SUBTRACT_FILES, { write: { path: 'test/cache.test.js', content: flakyTest } }]),
        },
      },
      gates: GATES,
      gateSettings: { concurrency: 2 },
    });
    cleanups.push(() => fixture.cleanup());
    const runtime = await fixture.openRuntime();
    cleanups.push(() => runtime.close());

    const night = await runBatch(runtime.dependencies, {});
    const review = night.review!;
    const batchId = review.batch.id;
    const { store } = runtime.dependencies;
    expect(night.gates?.gated.map((gated) => gated.ticketId)).toEqual(['MATH-1', 'MATH-2', 'MATH-3']);

    const head = (ticketId: string) => fixture.repository.git(['rev-parse', `agent/${ticketId}`]);
    const resultsOf = async (ticketId: string): Promise<GateResultRecord[]> => store.listGateResults(batchId, ticketId);
    const mergeRequestOf = async (ticketId: string) => (await store.getMergeRequest(batchId, ticketId))!;
    for (const ticketId of ['MATH-1', 'MATH-2', 'MATH-3']) {
      const mergeRequest = await mergeRequestOf(ticketId);
      expect(mergeRequest.commit).toBe(head(ticketId));
      expect((await resultsOf(ticketId)).map((result) => result.commit)).toEqual([head(ticketId), head(ticketId)]);
      const note = fixture.repository.git(['notes', '--ref=refs/notes/nightshift', 'show', `agent/${ticketId}`]);
      expect(note.split('\n')[0]).toBe(`Quality-Score: ${mergeRequest.qualityScore}`);
      expect(fixture.repository.git(['log', '-1', '--format=%(trailers:key=Quality-Score,valueonly)', `agent/${ticketId}`])).toBe('pending-gates');
    }

    // The clean change: both reports read, every test passed, a high score, and the tests behind each criterion.
    const clean = await resultsOf('MATH-1');
    expect(clean.map((result) => [result.name, result.status, result.attempts, result.tests?.counts])).toEqual([
      ['test', 'passed', 1, { passed: 2, failed: 0, skipped: 0, total: 2 }],
      ['tap', 'passed', 1, { passed: 2, failed: 0, skipped: 0, total: 2 }],
    ]);
    const cleanMergeRequest = await mergeRequestOf('MATH-1');
    expect(cleanMergeRequest.qualityScore).toBeGreaterThan(90);
    const cleanSummary = cleanMergeRequest.reviewSummary ?? '';
    expect(cleanSummary).toContain('| test | ✅ passed | 2 passed · 0 failed · 0 skipped |');
    expect(cleanSummary).toContain('- [ ] subtract returns the difference of two numbers\n  - Plan (C1): Test that subtract returns the difference\n  - Done (C2): Add subtract helper returning the difference\n  - Tests: ✅ `subtract returns the difference`');
    expect(cleanSummary).toContain('- [ ] add still returns the sum\n  - Tests: ✅ `add returns the sum`');
    expect(cleanSummary).toContain('The agent reports a confidence of 90 % in its work.');
    expect(readFileSync(cleanMergeRequest.url.replace('file://', ''), 'utf8')).toBe(cleanSummary);

    // The broken test: failed on both runs in both reports, named with its message, flagged in the box, a low score.
    const broken = await resultsOf('MATH-2');
    expect(broken.map((result) => [result.name, result.status, result.attempts])).toEqual([
      ['test', 'failed', 2],
      ['tap', 'failed', 2],
    ]);
    expect(broken[0]?.tests?.cases.filter((test) => test.status === 'failed').map((test) => test.name)).toEqual(['add returns the sum']);
    const brokenMergeRequest = await mergeRequestOf('MATH-2');
    expect(brokenMergeRequest.qualityScore).toBeLessThan(70);
    expect(brokenMergeRequest.reviewSummary).toContain('| test | ❌ failed (twice) | 1 passed · 1 failed · 0 skipped |');
    expect(brokenMergeRequest.reviewSummary).toMatch(/- ❌ \*\*test\*\*: failed tests\n {2}- `add returns the sum` — Expected values to be strictly equal/);
    expect(brokenMergeRequest.reviewSummary).toContain('- [ ] add still returns the sum\n  - Tests: ❌ `add returns the sum`');
    expect(review.box).toMatch(/⚠ MATH-2: .*\[Checks: failed\]/);

    // The flaky test: failed, then passed on the re-run — reported flaky, never as a pass, and scored below a clean pass.
    const flaky = await resultsOf('MATH-3');
    expect(flaky.map((result) => [result.name, result.status, result.attempts])).toEqual([
      ['test', 'flaky', 2],
      ['tap', 'passed', 1],
    ]);
    expect(flaky[0]?.flakyTests).toEqual(['cache warms up before subtracting']);
    expect(flaky[0]?.firstAttempt).toMatchObject({ exitCode: 1, failedTests: ['cache warms up before subtracting'] });
    const flakyMergeRequest = await mergeRequestOf('MATH-3');
    expect(flakyMergeRequest.scoreBreakdown?.[0]).toMatchObject({ criterion: 'checks', points: 26, explanation: expect.stringContaining('test flaky') });
    expect(flakyMergeRequest.qualityScore).toBeLessThan(cleanMergeRequest.qualityScore!);
    expect(flakyMergeRequest.qualityScore).toBeGreaterThan(brokenMergeRequest.qualityScore!);
    expect(flakyMergeRequest.reviewSummary).toContain('| test | ⚠️ flaky (passed only on re-run) | 3 passed · 0 failed · 0 skipped · 1 flaky |');
    expect(flakyMergeRequest.reviewSummary).toContain('Tests that flipped: `cache warms up before subtracting`.');
    expect(fixture.repository.git(['notes', '--ref=refs/notes/nightshift', 'show', 'agent/MATH-3'])).toContain('Checks: 1/2 passed; flaky: test');
    expect(review.box).toMatch(/⚠ MATH-3: /);

    const log = readFileSync(join(runtime.nightshiftDirectory, 'batches', batchId, 'logs', 'MATH-3.ndjson'), 'utf8');
    const gateEvents = log.trim().split('\n').map((line) => JSON.parse(line) as { type: string; gate?: string; status?: string }).filter((event) => event.type.startsWith('gate'));
    expect(gateEvents.map((event) => [event.type, event.gate, event.status])).toEqual([
      ['gate-start', 'test', undefined],
      ['gate-rerun', 'test', undefined],
      ['gate-end', 'test', 'flaky'],
      ['gate-start', 'tap', undefined],
      ['gate-end', 'tap', 'passed'],
      ['gates-complete', undefined, undefined],
    ]);

    const explained = await runCli(['score', 'MATH-3'], { cwd: fixture.repository.root, environment: { NIGHTSHIFT_TEST_MODEL_KEY: 'scripted' } });
    expect(explained.exitCode).toBe(0);
    expect(explained.stdout).toContain(`MATH-3: Add subtract with a cache — quality score ${flakyMergeRequest.qualityScore}/100`);
    expect(explained.stdout).toContain('  test: flaky (3 passed, 0 failed, 0 skipped; flipped: cache warms up before subtracting; run twice)');
  });
});
