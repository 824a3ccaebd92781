import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { answerEscalation } from '../pipeline/escalations.js';
import { runBatch } from '../pipeline/run-batch.js';
import { createNightFixture, type NightFixture } from '../testing/night-fixture.js';
import { startModelServer, type RunningModelServer } from '../testing/model-server/start-model-server.js';
import { ticketFileText } from '../testing/ticket-file-text.js';
import { openRuntime } from './open-runtime.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const LIBRARY = {
  'package.json': '{ "name": "lib", "type": "module", "private": true }\n',
  'src/add.js': 'export function add(a, b) {\n  return a + b;\n}\n',
};

const SCOPE = { report: { summary: 'Add subtract next to add', files: ['src/subtract.js', 'test/subtract.test.js'], complexity: 'small' } };
const QUESTION = 'BigInt or Number?';
const DECISION = 'Number: the values stay far below 2^53.';
const ESCALATING_PLAN = { report: { plan: ['Choose a number type'], risks: [], decision_needed: { kind: 'architecture', question: QUESTION, options: ['BigInt', 'Number'] } } };
const DECIDED_PLAN = { report: { plan: ['Write subtract with Number', 'Test it'], risks: [], complexity: 'small', decision_needed: null } };
const IMPLEMENT = [
  { write: { path: 'src/subtract.js', content: 'export function subtract(a, b) {\n  return a - b;\n}\n' } },
  {
    write: {
      path: 'test/subtract.test.js',
      content: "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { subtract } from '../src/subtract.js';\ntest('subtract', () => assert.equal(subtract(3, 2), 1));\n",
    },
  },
  { report: { summary: 'Added subtract', changes: ['Add subtract helper', 'Test subtract'], tests_run: ['node --test'] } },
];

/** The variable night-fixture's nightshift.yaml names for the agent's (fake) key. */
const MODEL_KEY_VARIABLE = 'NIGHTSHIFT_TEST_MODEL_KEY';

describe('an escalation answered by a human, with the real Claude Code CLI against the scripted model server', () => {
  it('escalates at C1, takes the answered ticket again in the next batch with the decision in its prompts, and reaches ready', async () => {
    const fixture: NightFixture = await createNightFixture({
      files: LIBRARY,
      tickets: { 'MATH-4.md': ticketFileText({ id: 'MATH-4', title: 'Add subtract', priority: 'high', estimatedFiles: ['src/*.js', 'test/*.js'] }) },
      scenario: { tickets: { 'MATH-4': { C0: [SCOPE], C1: [ESCALATING_PLAN] } } },
      gates: { test: 'node --test' },
    });
    cleanups.push(() => fixture.cleanup());
    const ticketFile = `${fixture.repository.root}/tickets/MATH-4.md`;

    const firstRuntime = await fixture.openRuntime();
    let firstBatchId: string;
    try {
      const first = await runBatch(firstRuntime.dependencies, {});
      firstBatchId = first.review!.batch.id;
      expect(first.review?.totals).toMatchObject({ total: 1, escalated: 1 });
      expect(readFileSync(ticketFile, 'utf8')).toMatch(/^status: escalated$/m);

      const answered = await answerEscalation(firstRuntime.dependencies, { ticketId: 'MATH-4', text: DECISION, answeredBy: 'ada' });
      expect(answered).toMatchObject({ ok: true, ticketStatus: 'answered', escalation: { batchId: firstBatchId, question: QUESTION, answer: DECISION, answeredBy: 'ada' } });
      expect(readFileSync(ticketFile, 'utf8')).toMatch(/^status: answered$/m);
    } finally {
      await firstRuntime.close();
    }

    // The scenario is keyed by ticket and stage, so the second night plays from its own server, whose C1 decides nothing.
    const secondServer: RunningModelServer = await startModelServer({ scenario: { tickets: { 'MATH-4': { C0: [SCOPE], C1: [DECIDED_PLAN], C2: IMPLEMENT } } } });
    cleanups.push(() => secondServer.close());
    const secondRuntime = await openRuntime({
      repositoryRoot: fixture.repository.root,
      environment: { ...process.env, [MODEL_KEY_VARIABLE]: 'scripted' },
      adjustConfig: (config) => ({ ...config, agent: { ...config.agent, baseUrl: secondServer.url } }),
    });
    try {
      const second = await runBatch(secondRuntime.dependencies, {});
      expect(second.intake?.plan.selected.map((ticket) => ticket.id)).toEqual(['MATH-4']);
      const secondBatchId = second.review!.batch.id;
      expect(secondBatchId).not.toBe(firstBatchId);
      expect(second.review?.totals).toMatchObject({ total: 1, completed: 1, escalated: 0, failed: 0 });
      expect(second.review?.mergeRequests[0]).toMatchObject({ ticketId: 'MATH-4', state: 'ready' });
      expect(readFileSync(ticketFile, 'utf8')).toMatch(/^status: in-review$/m);

      const expectedDecision = `Question: ${QUESTION}\nDecision: ${DECISION}`;
      const promptsOf = (stage: string) => secondServer.requests.filter((request) => request.ticketId === 'MATH-4' && request.stage === stage && request.promptExcerpt !== undefined);
      expect(promptsOf('C1').length).toBeGreaterThan(0);
      for (const request of promptsOf('C1')) expect(request.promptExcerpt).toContain(expectedDecision);
      expect(promptsOf('C2').length).toBeGreaterThan(0);
      for (const request of promptsOf('C2')) expect(request.promptExcerpt).toContain(expectedDecision);

      expect(await secondRuntime.dependencies.store.listEscalations({ open: true })).toEqual([]);
    } finally {
      await secondRuntime.close();
    }
  });
});
