import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { runBatch } from '../pipeline/run-batch.js';
import { startModelServer } from '../testing/model-server/start-model-server.js';
import { createNightFixture, type NightFixture } from '../testing/night-fixture.js';
import { ticketFileText } from '../testing/ticket-file-text.js';

const fixtures: NightFixture[] = [];
afterEach(async () => {
  for (const fixture of fixtures.splice(0)) await fixture.cleanup();
});

const LIBRARY = {
  'package.json': '{ "name": "lib", "type": "module", "private": true }\n',
  'src/add.js': 'export function add(a, b) {\n  return a + b;\n}\n',
  'test/add.test.js': "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { add } from '../src/add.js';\ntest('add', () => assert.equal(add(1, 2), 3));\n",
};

const SCOPE = { report: { summary: 'Add subtract next to add', files: ['src/subtract.js', 'test/subtract.test.js'], complexity: 'small' } };
const PLAN = { report: { plan: ['Write subtract', 'Test it'], risks: [], complexity: 'small', decision_needed: null } };
const IMPLEMENT = [
  { write: { path: 'src/subtract.js', content: 'export function subtract(a, b) {\n  return a - b;\n}\n' } },
  {
    write: {
      path: 'test/subtract.test.js',
      content: "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { subtract } from '../src/subtract.js';\ntest('subtract', () => assert.equal(subtract(3, 2), 1));\n",
    },
  },
  { edit: { path: 'src/add.js', old: 'return a + b;', new: 'return a + b; // sum' } },
  { run: { command: 'node --test' } },
  { report: { summary: 'Added subtract', changes: ['Add subtract helper', 'Test subtract'], tests_run: ['node --test'] } },
];

describe('the whole night with the real Claude Code CLI against the scripted model server', () => {
  it('takes a ticket from its file to a scored draft MR whose commit carries the seed trailers', async () => {
    const fixture = await createNightFixture({
      files: LIBRARY,
      tickets: { 'MATH-1.md': ticketFileText({ id: 'MATH-1', title: 'Add subtract', priority: 'high', estimatedFiles: ['src/*.js', 'test/*.js'] }) },
      scenario: { tickets: { 'MATH-1': { C0: [SCOPE], C1: [PLAN], C2: IMPLEMENT } } },
      gates: { test: 'node --test' },
    });
    fixtures.push(fixture);
    const runtime = await fixture.openRuntime();
    try {
      const report = await runBatch(runtime.dependencies, {});
      expect(report.intake?.plan.selected.map((ticket) => ticket.id)).toEqual(['MATH-1']);
      const review = report.review;
      expect(review?.totals).toMatchObject({ total: 1, completed: 1, escalated: 0, failed: 0 });
      expect(review?.batch.state).toBe('completed');
      const mergeRequest = review?.mergeRequests[0];
      expect(mergeRequest).toMatchObject({ ticketId: 'MATH-1', sourceBranch: 'agent/MATH-1', targetBranch: 'main', state: 'ready' });
      expect(mergeRequest?.checks.map((check) => [check.name, check.status])).toEqual([['test', 'passed']]);
      expect(mergeRequest?.qualityScore).toBeGreaterThan(90);
      expect(review?.box).toMatch(/✓ MATH-1: Add subtract\s+\[Score: \d+\] \[Security: OK\]/);

      const message = fixture.repository.git(['log', '-1', '--format=%B', 'agent/MATH-1']);
      expect(message).toMatch(/^feat\(MATH-1\): Add subtract\n\n- Add subtract helper\n- Test subtract\n/);
      const trailers = fixture.repository.git(['log', '-1', '--format=%(trailers:only,unfold)', 'agent/MATH-1']);
      expect(trailers.split('\n').filter(Boolean)).toEqual([`Agent: batch-${review?.batch.id.slice(0, 10)}`, 'Checkpoint: C2-complete', 'Quality-Score: pending-gates']);
      expect(fixture.repository.git(['log', '-1', '--format=%an <%ae>', 'agent/MATH-1'])).toBe('Nightshift <nightshift@localhost>');
      expect(fixture.repository.git(['show', 'agent/MATH-1:src/add.js'])).toContain('// sum');
      expect(fixture.repository.git(['show', '--stat', '--format=', 'agent/MATH-1'])).toMatch(/src\/subtract\.js/);

      const checkpoints = await runtime.dependencies.store.listCheckpoints(review!.batch.id, 'MATH-1');
      expect(checkpoints.map((checkpoint) => checkpoint.stage)).toEqual(['C0', 'C1', 'C2']);
      expect(checkpoints[0]?.usage.inputTokens).toBeGreaterThan(0);
      const transitions = await runtime.dependencies.store.listRunTransitions(review!.batch.id, 'MATH-1');
      expect(transitions.map((transition) => transition.to)).toEqual(['scoping', 'planning', 'implementing', 'gating', 'ready']);

      const log = readFileSync(`${runtime.nightshiftDirectory}/batches/${review!.batch.id}/logs/MATH-1.ndjson`, 'utf8');
      const events = log.trim().split('\n').map((line) => JSON.parse(line) as { type: string; tool?: string });
      expect(events.filter((event) => event.type === 'agent-start')).toHaveLength(3);
      expect(events.some((event) => event.type === 'tool-call' && event.tool === 'Write')).toBe(true);
      expect(events.some((event) => event.type === 'gate-end')).toBe(true);
      expect(readFileSync(mergeRequest!.url.replace('file://', ''), 'utf8')).toContain('Quality score');
    } finally {
      await runtime.close();
    }
  });

  it('retries an invalid C0 answer once with the validation error, then fails the ticket with the reason', async () => {
    const fixture = await createNightFixture({
      files: LIBRARY,
      tickets: {
        'MATH-2.md': ticketFileText({ id: 'MATH-2', title: 'Recovers on retry', priority: 'high' }),
        'MATH-3.md': ticketFileText({ id: 'MATH-3', title: 'Never answers JSON' }),
      },
      scenario: {
        tickets: {
          'MATH-2': { C0: [{ say: 'I think this is about subtraction.' }], 'C0#2': [SCOPE], C1: [PLAN], C2: IMPLEMENT },
          'MATH-3': { C0: [{ say: 'no json here' }], 'C0#2': [{ say: '{"summary": 42}' }] },
        },
      },
    });
    fixtures.push(fixture);
    const runtime = await fixture.openRuntime();
    try {
      const report = await runBatch(runtime.dependencies, {});
      const runs = await runtime.dependencies.store.listRuns(report.review!.batch.id);
      const recovered = runs.find((run) => run.ticketId === 'MATH-2');
      const failed = runs.find((run) => run.ticketId === 'MATH-3');
      expect(recovered?.state).toBe('ready');
      expect(failed?.state).toBe('failed');
      expect(failed?.reason).toMatch(/C0 answer was invalid twice: .*summary/);
      const retried = fixture.server.requests.filter((request) => request.ticketId === 'MATH-2' && request.stage === 'C0');
      expect(retried.map((request) => request.attempt)).toEqual([1, 2]);
      const checkpoints = await runtime.dependencies.store.listCheckpoints(report.review!.batch.id, 'MATH-2');
      expect(checkpoints[0]).toMatchObject({ stage: 'C0', attempt: 2 });
      expect(report.review?.box).toMatch(/Failed: 1/);
    } finally {
      await runtime.close();
    }
  });

  it('escalates at C1 with the question, and skips the dependent ticket with the reason', async () => {
    const fixture = await createNightFixture({
      files: LIBRARY,
      tickets: {
        'MATH-4.md': ticketFileText({ id: 'MATH-4', title: 'Pick a number type', priority: 'high' }),
        'MATH-5.md': ticketFileText({ id: 'MATH-5', title: 'Use the number type', dependencies: ['MATH-4'] }),
      },
      scenario: {
        tickets: {
          'MATH-4': {
            C0: [SCOPE],
            C1: [{ report: { plan: ['Choose'], risks: [], decision_needed: { kind: 'architecture', question: 'BigInt or Number?', options: ['BigInt', 'Number'] } } }],
          },
        },
      },
    });
    fixtures.push(fixture);
    const runtime = await fixture.openRuntime();
    try {
      const report = await runBatch(runtime.dependencies, {});
      const review = report.review!;
      expect(review.totals).toMatchObject({ total: 2, escalated: 1, skipped: 1, completed: 0 });
      expect(review.escalations[0]).toMatchObject({ ticketId: 'MATH-4', trigger: 'agent-decision:architecture', question: 'BigInt or Number?', options: ['BigInt', 'Number'] });
      expect(review.box).toMatch(/Escalations Pending:[\s\S]*⚠ MATH-4: BigInt or Number\?/);
      expect(review.notReady).toEqual([{ ticketId: 'MATH-5', state: 'skipped', reason: expect.stringMatching(/dependency MATH-4 did not complete \(it ended escalated/) }]);
      expect(fixture.repository.git(['branch', '--list', 'agent/MATH-5'])).toBe('');
      expect(readFileSync(`${fixture.repository.root}/tickets/MATH-4.md`, 'utf8')).toMatch(/^status: escalated$/m);
    } finally {
      await runtime.close();
    }
  });
});

describe('a failed ticket taken again by a later batch', () => {
  it('starts from a clean worktree, with what the earlier run left kept in a stash, not lost', async () => {
    const fixture = await createNightFixture({
      files: LIBRARY,
      tickets: { 'MATH-6.md': ticketFileText({ id: 'MATH-6', title: 'Add subtract', priority: 'high', estimatedFiles: ['src/*.js', 'test/*.js'] }) },
      scenario: {
        tickets: {
          // The first night the agent never gives a valid scope: the ticket fails and is taken again the next night.
          'MATH-6': { C0: [{ say: 'no JSON here' }], 'C0#2': [{ say: 'still no JSON' }] },
        },
      },
    });
    fixtures.push(fixture);
    const secondNight = await startModelServer({ scenario: { tickets: { 'MATH-6': { C0: [SCOPE], C1: [PLAN], C2: IMPLEMENT } } } });
    try {
      const runtime = await fixture.openRuntime();
      let first;
      try {
        first = await runBatch(runtime.dependencies, {});
      } finally {
        await runtime.close();
      }
      const firstRun = (await listRunsOf(fixture, first.review!.batch.id)).find((run) => run.ticketId === 'MATH-6');
      expect(firstRun).toMatchObject({ state: 'failed', reason: expect.stringMatching(/C0 answer was invalid twice/) });
      // What an orchestrator killed in the middle of C2 leaves behind: files nobody committed.
      const worktree = `${fixture.repository.root}/.nightshift/worktrees/MATH-6`;
      writeFileSync(`${worktree}/src/half-done.js`, 'export const half = 1;\n');
      expect(fixture.repository.git(['status', '--porcelain'], worktree)).toContain('src/half-done.js');

      // The next night, with a model that finishes the ticket.
      const config = readFileSync(`${fixture.repository.root}/nightshift.yaml`, 'utf8').replace(fixture.server.url, secondNight.url);
      writeFileSync(`${fixture.repository.root}/nightshift.yaml`, config);
      fixture.repository.git(['commit', '-qam', 'point at the second night']);
      const again = await fixture.openRuntime();
      try {
        const second = await runBatch(again.dependencies, {});
        expect(second.intake?.plan.selected.map((ticket) => ticket.id)).toEqual(['MATH-6']);
        const secondBatch = second.review!.batch.id;
        const transitions = await again.dependencies.store.listRunTransitions(secondBatch, 'MATH-6');
        expect(transitions.map((transition) => transition.to)).toEqual(['scoping', 'planning', 'implementing', 'gating', 'ready']);
        expect(fixture.repository.git(['stash', 'list', '--format=%s'], worktree)).toContain(`nightshift: left in the worktree of MATH-6 before batch ${secondBatch}`);
        expect(fixture.repository.git(['show', 'stash@{0}^3:src/half-done.js'], worktree)).toBe('export const half = 1;');
        expect(fixture.repository.git(['show', '--stat', '--format=', 'agent/MATH-6'])).not.toContain('half-done');
        const log = readFileSync(`${again.nightshiftDirectory}/batches/${secondBatch}/logs/MATH-6.ndjson`, 'utf8');
        expect(log).toMatch(/"type":"set-aside".*"files":\["src\/half-done.js"\]/);
      } finally {
        await again.close();
      }
    } finally {
      await secondNight.close();
    }
  });
});

async function listRunsOf(fixture: NightFixture, batchId: string) {
  const runtime = await fixture.openRuntime();
  try {
    return await runtime.dependencies.store.listRuns(batchId);
  } finally {
    await runtime.close();
  }
}
