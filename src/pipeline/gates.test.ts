import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import type { PlanOutput, ImplementationOutput } from '../domain/stage-output.js';
import { newTicketRun } from '../domain/ticket-run.js';
import type { Runtime } from '../runtime/open-runtime.js';
import { openRuntime } from '../runtime/open-runtime.js';
import { buildBatch, buildCheckpoint, buildMergeRequest, buildTicket } from '../testing/contracts/store-record-builders.js';
import { createGitFixture, type GitFixture } from '../testing/git-fixture.js';
import { applyRunEvent } from './apply-run-event.js';
import { runGates } from './gates.js';

/*
 * The gates on real repositories: real git worktrees, real `node --test` reports, the
 * real shell runner and SQLite store, opened the way the CLI opens them. Generation is
 * skipped: each test commits an agent's work on `agent/<ticket>` and records its MR.
 */

const BATCH = '2024-01-15-overnight';
const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const LIBRARY: Record<string, string> = {
  'package.json': '{ "name": "lib", "type": "module", "private": true }\n',
  'src/add.js': 'export function add(a, b) {\n  return a + b;\n}\n',
  'test/add.test.js': "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { add } from '../src/add.js';\ntest('add returns the sum', () => assert.equal(add(1, 2), 3));\n",
  'scripts/lint.mjs': [
    "import { readdirSync, readFileSync } from 'node:fs';",
    "const warnings = readdirSync('src').filter((name) => name.endsWith('.js')).reduce((sum, name) => sum + (readFileSync(`src/${name}`, 'utf8').match(/console\\.log/g) ?? []).length, 0);",
    "if (warnings > 0) console.log(`✖ ${warnings} problem${warnings === 1 ? '' : 's'} (0 errors, ${warnings} warning${warnings === 1 ? '' : 's'})`);",
    '',
  ].join('\n'),
  'scripts/coverage.mjs': [
    "import { mkdirSync, writeFileSync } from 'node:fs';",
    "const metric = (pct) => ({ total: 10, covered: pct / 10, skipped: 0, pct });",
    "mkdirSync('coverage', { recursive: true });",
    "writeFileSync('coverage/coverage-summary.json', JSON.stringify({ total: { lines: metric(90), statements: metric(90), functions: metric(100), branches: metric(80) }, [`${process.cwd()}/src/subtract.js`]: { lines: metric(100) } }));",
    '',
  ].join('\n'),
};

const SUBTRACT = {
  'src/subtract.js': "export function subtract(a, b) {\n  console.log('subtracting');\n  return a - b;\n}\n",
  'test/subtract.test.js':
    "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { subtract } from '../src/subtract.js';\ntest('subtract returns the difference', () => assert.equal(subtract(3, 2), 1));\n",
};

const PLAN: PlanOutput = { plan: ['Write subtract', 'Test that subtract returns the difference'], risks: ['Floating point'], decision_needed: null };
const REPORT: ImplementationOutput = { summary: 'Added subtract', changes: ['Add subtract helper'], tests_run: ['node --test'], partial: false, remaining_work: [], confidence: 0.9 };

interface GatingFixture {
  repository: GitFixture;
  runtime: Runtime;
  /** Commits files on `agent/<ticketId>`, records the ticket's run in `gating`, its checkpoints and its MR; returns the commit. */
  addMergeRequest(ticketId: string, files: Record<string, string>): Promise<string>;
}

async function gatingFixture(gates: Record<string, unknown>, ticketIds: string[]): Promise<GatingFixture> {
  const config = { agent: { kind: 'command', command: 'true' }, gates: { timeout: '2m', ...gates } };
  const repository = createGitFixture({ files: { ...LIBRARY, 'nightshift.yaml': stringify(config) } });
  cleanups.push(() => repository.cleanup());
  const runtime = await openRuntime({ repositoryRoot: repository.root, environment: process.env });
  cleanups.push(() => runtime.close());
  const { store, clock, codeHost } = runtime.dependencies;
  const tickets = ticketIds.map((id) =>
    buildTicket(id, { title: 'Add subtract', complexity: 'small', estimatedFiles: ['src/*.js', 'test/*.js'], acceptanceCriteria: ['subtract returns the difference of two numbers'] }),
  );
  await store.createBatch(buildBatch(BATCH, { state: 'running' }), tickets, ticketIds.map((id) => newTicketRun(BATCH, id, clock.now().toISOString())));
  return {
    repository,
    runtime,
    addMergeRequest: async (ticketId, files) => {
      repository.git(['checkout', '-q', '-b', `agent/${ticketId}`, 'main']);
      for (const [path, content] of Object.entries(files)) repository.writeFile(path, content);
      repository.git(['add', '--all']);
      repository.git(['commit', '-qm', `feat(${ticketId}): Add subtract\n\nQuality-Score: pending-gates`]);
      const commit = repository.git(['rev-parse', 'HEAD']);
      repository.git(['checkout', '-q', 'main']);
      let run = (await store.getRun(BATCH, ticketId))!;
      for (const event of [{ type: 'start' }, { type: 'scope-complete' }, { type: 'plan-complete' }, { type: 'implementation-complete', partial: false }] as const) {
        run = await applyRunEvent(store, run, event, clock.now());
      }
      await store.saveCheckpoint({ ...buildCheckpoint(BATCH, ticketId, 'C0'), output: { summary: 'Subtract next to add', files: ['src/subtract.js'] } });
      await store.saveCheckpoint({ ...buildCheckpoint(BATCH, ticketId, 'C1'), output: PLAN });
      await store.saveCheckpoint({ ...buildCheckpoint(BATCH, ticketId, 'C2'), output: REPORT });
      const reference = await codeHost.openDraftMergeRequest({ sourceBranch: `agent/${ticketId}`, targetBranch: 'main', title: `Draft: ${ticketId}`, description: 'pending gates' });
      await store.saveMergeRequest(buildMergeRequest(BATCH, ticketId, { hostId: reference.id, url: reference.url, commit }));
      return commit;
    },
  };
}

function scratchDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'nightshift-gates-'));
  cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}

describe('runGates', () => {
  it('runs every check on the MR commit, reads JUnit, TAP, coverage and lint, scores, summarizes and notes the score', async () => {
    const fixture = await gatingFixture(
      {
        commands: {
          test: { command: 'mkdir -p reports && node --test --test-reporter=junit --test-reporter-destination=reports/junit.xml', report: 'reports/junit.xml', format: 'junit' },
          tap: { command: 'mkdir -p reports && node --test --test-reporter=tap --test-reporter-destination=reports/tap.txt', report: 'reports/tap.txt' },
          lint: 'node scripts/lint.mjs',
          coverage: { command: 'node scripts/coverage.mjs', report: 'coverage/coverage-summary.json', format: 'coverage-json' },
        },
      },
      ['MATH-1'],
    );
    const commit = await fixture.addMergeRequest('MATH-1', SUBTRACT);
    const { store } = fixture.runtime.dependencies;

    const report = await runGates(fixture.runtime.dependencies, { batchId: BATCH });

    expect(report.gated).toEqual([{ ticketId: 'MATH-1', commit, qualityScore: expect.any(Number), securityFlags: 0, checksFailed: 0, checksFlaky: 0 }]);
    const results = await store.listGateResults(BATCH, 'MATH-1');
    expect(results.map((result) => [result.name, result.status, result.commit, result.attempts])).toEqual([
      ['test', 'passed', commit, 1],
      ['tap', 'passed', commit, 1],
      ['lint', 'passed', commit, 1],
      ['coverage', 'passed', commit, 1],
    ]);
    const names = (index: number) => results[index]?.tests?.cases.map((test) => [test.name, test.status]);
    expect(names(0)).toEqual([['add returns the sum', 'passed'], ['subtract returns the difference', 'passed']]);
    expect(names(1)).toEqual(names(0));
    expect(results[0]?.tests?.counts).toEqual({ passed: 2, failed: 0, skipped: 0, total: 2 });
    expect(results[2]?.lintWarnings).toBe(1);
    expect(results[3]?.coverage).toEqual({ total: { lines: 90, statements: 90, functions: 100, branches: 80 }, changedFiles: [{ path: 'src/subtract.js', coverage: { lines: 100 } }] });

    const mergeRequest = await store.getMergeRequest(BATCH, 'MATH-1');
    expect(mergeRequest?.commit).toBe(commit);
    expect(mergeRequest?.scoreBreakdown?.map((item) => [item.criterion, item.points])).toEqual([
      ['checks', 35],
      ['tests', 15],
      ['diff size', 10],
      ['scope', 15],
      ['security', 15],
      ['lint', 4],
      ['uncertainty', 4],
    ]);
    expect(mergeRequest?.qualityScore).toBe(98);
    const summary = mergeRequest?.reviewSummary ?? '';
    expect(summary).toContain('| test | ✅ passed | 2 passed · 0 failed · 0 skipped |');
    expect(summary).toContain('| lint | ✅ passed | 1 warning |');
    expect(summary).toContain('| coverage | ✅ passed | lines 90 %, statements 90 %, functions 100 %, branches 80 % |');
    expect(summary).toContain('- [ ] subtract returns the difference of two numbers\n  - Plan (C1): Test that subtract returns the difference\n  - Tests: ✅ `subtract returns the difference`\n');
    expect(summary).toContain('The agent reports a confidence of 90 % in its work.');
    expect(readFileSync(mergeRequest!.url.replace('file://', ''), 'utf8')).toBe(summary);

    const note = fixture.repository.git(['notes', '--ref=refs/notes/nightshift', 'show', commit]);
    expect(note.split('\n').slice(0, 5)).toEqual(['Quality-Score: 98', 'Ticket: MATH-1', `Batch: ${BATCH}`, 'Checks: 4/4 passed', 'Security-Flags: 0']);
    expect(fixture.repository.git(['log', '-1', '--format=%(trailers:key=Quality-Score,valueonly)', 'agent/MATH-1'])).toBe('pending-gates');
    expect(fixture.repository.git(['rev-parse', 'agent/MATH-1'])).toBe(commit);
    expect((await store.getRun(BATCH, 'MATH-1'))?.state).toBe('ready');
    expect((await store.getBatch(BATCH))?.state).toBe('completed');
  });

  it('reports a check that fails and then passes as flaky, naming the test that flipped; without re-runs it is a failure', async () => {
    for (const rerunFailed of [true, false]) {
      const marker = join(scratchDirectory(), 'ran-once');
      const flakyTest = `import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { existsSync, writeFileSync } from 'node:fs';\ntest('subtract survives a cold cache', () => {\n  const warm = existsSync(${JSON.stringify(marker)});\n  writeFileSync(${JSON.stringify(marker)}, 'x');\n  assert.ok(warm, 'the cache was cold');\n});\n`;
      const fixture = await gatingFixture(
        { rerun_failed: rerunFailed, commands: { test: { command: 'mkdir -p reports && node --test --test-reporter=tap --test-reporter-destination=reports/tap.txt', report: 'reports/tap.txt', format: 'tap' } } },
        ['MATH-2'],
      );
      const commit = await fixture.addMergeRequest('MATH-2', { ...SUBTRACT, 'test/flaky.test.js': flakyTest });
      const report = await runGates(fixture.runtime.dependencies, { batchId: BATCH });
      const [result] = await fixture.runtime.dependencies.store.listGateResults(BATCH, 'MATH-2');
      if (rerunFailed) {
        expect(report.gated[0]).toMatchObject({ commit, checksFlaky: 1, checksFailed: 0 });
        expect(result).toMatchObject({ status: 'flaky', attempts: 2, flakyTests: ['subtract survives a cold cache'] });
        expect(result?.firstAttempt).toMatchObject({ exitCode: 1, failedTests: ['subtract survives a cold cache'] });
        expect(result?.tests?.cases.find((test) => test.flaky === true)?.name).toBe('subtract survives a cold cache');
        const mergeRequest = await fixture.runtime.dependencies.store.getMergeRequest(BATCH, 'MATH-2');
        expect(mergeRequest?.scoreBreakdown?.[0]).toMatchObject({ criterion: 'checks', points: 18 });
        expect(mergeRequest?.reviewSummary).toContain('| test | ⚠️ flaky (passed only on re-run) | 3 passed · 0 failed · 0 skipped · 1 flaky |');
        expect(mergeRequest?.reviewSummary).toContain('Tests that flipped: `subtract survives a cold cache`.');
        expect(fixture.repository.git(['notes', '--ref=refs/notes/nightshift', 'show', commit])).toContain('Checks: 0/1 passed; flaky: test');
      } else {
        expect(report.gated[0]).toMatchObject({ checksFlaky: 0, checksFailed: 1 });
        expect(result).toMatchObject({ status: 'failed', attempts: 1 });
        expect(result?.tests?.cases.filter((test) => test.status === 'failed').map((test) => test.message)).toEqual(['the cache was cold']);
      }
    }
  });

  it('refuses an MR whose branch moved after it was opened, and fails its run with the reason', async () => {
    const fixture = await gatingFixture({ commands: { test: 'node --test' } }, ['MATH-3']);
    const recorded = await fixture.addMergeRequest('MATH-3', SUBTRACT);
    fixture.repository.git(['checkout', '-q', 'agent/MATH-3']);
    fixture.repository.writeFile('src/extra.js', 'export const extra = 1;\n');
    fixture.repository.git(['add', '--all']);
    fixture.repository.git(['commit', '-qm', 'someone else']);
    fixture.repository.git(['checkout', '-q', 'main']);

    const report = await runGates(fixture.runtime.dependencies, { batchId: BATCH });
    expect(report.gated).toEqual([]);
    expect(report.refused).toEqual([{ ticketId: 'MATH-3', reason: expect.stringContaining(`not at the MR's commit ${recorded.slice(0, 12)}`) }]);
    const { store } = fixture.runtime.dependencies;
    expect(await store.getRun(BATCH, 'MATH-3')).toMatchObject({ state: 'failed', reason: expect.stringMatching(/the branch moved after the MR was opened/) });
    expect(await store.listGateResults(BATCH, 'MATH-3')).toEqual([]);
    expect((await store.getMergeRequest(BATCH, 'MATH-3'))?.qualityScore).toBeUndefined();
    expect(fixture.repository.git(['notes', '--ref=refs/notes/nightshift', 'list'])).toBe('');
  });

  it('checks a clean checkout of the commit, and never reads a report the run did not write', async () => {
    const fixture = await gatingFixture({ rerun_failed: false, commands: { test: { command: 'exit 3', report: 'reports/junit.xml', format: 'junit' } } }, ['MATH-4']);
    const passingReport = '<testsuites><testsuite name="s"><testcase name="stale pass"/></testsuite></testsuites>\n';
    const commit = await fixture.addMergeRequest('MATH-4', { ...SUBTRACT, 'reports/junit.xml': passingReport });
    const { workspace, store } = fixture.runtime.dependencies;
    const worktree = await workspace.prepareWorktree({ branch: 'agent/MATH-4', startPoint: 'main', directoryName: 'MATH-4' });
    fixture.repository.writeFile('leftover.txt', 'from an earlier run\n', worktree.path);

    await runGates(fixture.runtime.dependencies, { batchId: BATCH });
    const [result] = await store.listGateResults(BATCH, 'MATH-4');
    expect(result).toMatchObject({ status: 'failed', exitCode: 3, commit, reportProblem: 'reports/junit.xml was not written' });
    expect(result?.tests).toBeUndefined();
    expect(await workspace.readFile(worktree.path, 'leftover.txt')).toEqual({ status: 'missing' });
    const summary = (await store.getMergeRequest(BATCH, 'MATH-4'))?.reviewSummary ?? '';
    expect(summary).toContain('| test | ❌ failed | exit code 3 |');
    expect(summary).not.toContain('leftover.txt');
  });

  it('gates at most gates.concurrency MRs at once', async () => {
    const events = join(scratchDirectory(), 'events.log');
    // Each check waits (up to 20 s) until two checks have started, then holds on a little: with a limit of 2 the first two
    // always meet and a third never joins them, whatever the timing; without the limit the third would start while they hold.
    const check = [
      "const { appendFileSync, readFileSync } = require('node:fs');",
      `const log = ${JSON.stringify(events)};`,
      'const pause = (milliseconds) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, milliseconds);',
      "appendFileSync(log, 'start\\n');",
      'const until = Date.now() + 20000;',
      "while (Date.now() < until && readFileSync(log, 'utf8').split('start').length - 1 < 2) pause(50);",
      'pause(1500);',
      "appendFileSync(log, 'end\\n');",
    ].join(' ');
    const fixture = await gatingFixture({ concurrency: 2, commands: { slow: `node -e ${JSON.stringify(check)}` } }, ['MATH-5', 'MATH-6', 'MATH-7']);
    for (const ticketId of ['MATH-5', 'MATH-6', 'MATH-7']) await fixture.addMergeRequest(ticketId, { [`src/${ticketId}.js`]: `export const id = '${ticketId}';\n` });

    const report = await runGates(fixture.runtime.dependencies, { batchId: BATCH });
    expect(report.gated.map((gated) => gated.ticketId)).toEqual(['MATH-5', 'MATH-6', 'MATH-7']);
    let running = 0;
    let most = 0;
    for (const event of readFileSync(events, 'utf8').trim().split('\n')) {
      running += event === 'start' ? 1 : -1;
      most = Math.max(most, running);
    }
    expect(most).toBe(2);
  });
});
