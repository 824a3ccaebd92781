import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { runBatch } from '../pipeline/run-batch.js';
import { AcceleratedClock } from '../testing/accelerated-clock.js';
import { createNightFixture, type NightFixture } from '../testing/night-fixture.js';
import { processesWorkingUnder } from '../testing/process-liveness.js';
import { ticketFileText } from '../testing/ticket-file-text.js';

const fixtures: NightFixture[] = [];
afterEach(async () => {
  for (const fixture of fixtures.splice(0)) await fixture.cleanup();
});

const FILES = { 'package.json': '{ "name": "lib", "type": "module", "private": true }\n', 'src/index.js': 'export const version = 1;\n' };
const SCOPE = { report: { summary: 'Add a file', files: ['src/feature.js'], complexity: 'small' } };
const PLAN = { report: { plan: ['Write the file'], risks: [], complexity: 'small', decision_needed: null } };
const implement = (name: string) => [
  { write: { path: `src/${name}.js`, content: `export const ${name.replace(/-/g, '_')} = true;\n` } },
  { report: { summary: `Added ${name}`, changes: [`Add ${name}`] } },
];
const HANG = "node -e 'setTimeout(() => {}, 60000)'";
const RATE_LIMIT = { fail: { status: 429, retry_after_seconds: 150, message: 'rate limited by the scripted provider' } };

async function night(request: Omit<Parameters<typeof createNightFixture>[0], 'files'>): Promise<NightFixture> {
  const fixture = await createNightFixture({ files: FILES, ...request });
  fixtures.push(fixture);
  return fixture;
}

describe('the generation engine with the real Claude Code CLI', () => {
  it('pauses the batch on a 429 with retry-after, waits for the reset, and resumes without redoing a checkpoint', async () => {
    const fixture = await night({
      tickets: { 'RATE-1.md': ticketFileText({ id: 'RATE-1', title: 'Survive a rate limit' }) },
      scenario: { tickets: { 'RATE-1': { C0: [SCOPE], C1: [RATE_LIMIT, PLAN], C2: implement('rate-one') } } },
    });
    const clock = new AcceleratedClock();
    const runtime = await fixture.openRuntime({}, clock);
    try {
      const report = await runBatch(runtime.dependencies, {});
      const batchId = report.intake!.batchId;
      expect(report.review?.totals).toMatchObject({ completed: 1, failed: 0 });
      const transitions = await runtime.dependencies.store.listBatchTransitions(batchId);
      expect(transitions.map((transition) => transition.event)).toEqual(['start', 'pause', 'resume', 'complete']);
      expect(transitions[1]?.reason).toMatch(/rate limited by the scripted provider/);
      expect(clock.sleeps.some((milliseconds) => milliseconds >= 140_000 && milliseconds <= 150_000)).toBe(true);
      const checkpoints = await runtime.dependencies.store.listCheckpoints(batchId, 'RATE-1');
      expect(checkpoints.map((checkpoint) => checkpoint.stage)).toEqual(['C0', 'C1', 'C2']);
      const scopeRequests = fixture.server.requests.filter((request) => request.ticketId === 'RATE-1' && request.stage === 'C0');
      const firstPlanRequest = fixture.server.requests.findIndex((request) => request.ticketId === 'RATE-1' && request.stage === 'C1');
      expect(scopeRequests.every((request) => fixture.server.requests.indexOf(request) < firstPlanRequest)).toBe(true);
    } finally {
      await runtime.close();
    }
  });

  it('aborts the batch at the fourth rate limit with nothing lost, and the next batch finishes the ticket', async () => {
    const fixture = await night({
      tickets: {
        'RATE-2.md': ticketFileText({ id: 'RATE-2', title: 'Finishes first', priority: 'high' }),
        'RATE-3.md': ticketFileText({ id: 'RATE-3', title: 'Keeps hitting limits' }),
      },
      scenario: {
        tickets: {
          'RATE-2': { C0: [SCOPE], C1: [PLAN], C2: implement('rate-two') },
          'RATE-3': { C0: [SCOPE], C1: [RATE_LIMIT, RATE_LIMIT, RATE_LIMIT, RATE_LIMIT, PLAN], C2: implement('rate-three') },
        },
      },
    });
    const runtime = await fixture.openRuntime({}, new AcceleratedClock());
    try {
      const first = await runBatch(runtime.dependencies, {});
      expect(first.generation?.aborted?.reason).toMatch(/more than 3 rate limits/);
      const firstBatch = first.intake!.batchId;
      expect((await runtime.dependencies.store.getBatch(firstBatch))?.state).toBe('aborted');
      const runs = await runtime.dependencies.store.listRuns(firstBatch);
      expect(runs.find((run) => run.ticketId === 'RATE-2')?.state).toBe('ready');
      expect(runs.find((run) => run.ticketId === 'RATE-3')?.state).toBe('planning');
      expect((await runtime.dependencies.store.listCheckpoints(firstBatch, 'RATE-3')).map((checkpoint) => checkpoint.stage)).toEqual(['C0']);

      const second = await runBatch(runtime.dependencies, {});
      expect(second.intake?.plan.selected.map((ticket) => ticket.id)).toEqual(['RATE-3']);
      expect(second.review?.totals).toMatchObject({ total: 1, completed: 1 });
      expect(fixture.repository.git(['log', '--format=%s', 'agent/RATE-3'])).toContain('feat(RATE-3): Keeps hitting limits');
    } finally {
      await runtime.close();
    }
  });

  it('times a ticket out, keeps its work on the branch, and goes on with the batch', async () => {
    const fixture = await night({
      batch: { timeout_per_ticket: '12s' },
      tickets: {
        'SLOW-1.md': ticketFileText({ id: 'SLOW-1', title: 'Never finishes', priority: 'high' }),
        'FAST-1.md': ticketFileText({ id: 'FAST-1', title: 'Finishes' }),
      },
      scenario: {
        tickets: {
          'SLOW-1': { C0: [SCOPE], C1: [PLAN], C2: [{ write: { path: 'src/half-done.js', content: 'export const half = true;\n' } }, { run: { command: HANG } }] },
          'FAST-1': { C0: [SCOPE], C1: [PLAN], C2: implement('fast') },
        },
      },
    });
    const runtime = await fixture.openRuntime();
    try {
      const report = await runBatch(runtime.dependencies, {});
      const runs = await runtime.dependencies.store.listRuns(report.intake!.batchId);
      expect(runs.find((run) => run.ticketId === 'SLOW-1')).toMatchObject({ state: 'timed_out', reason: expect.stringMatching(/time limit at C2/) });
      expect(runs.find((run) => run.ticketId === 'FAST-1')?.state).toBe('ready');
      expect(fixture.repository.git(['show', 'agent/SLOW-1:src/half-done.js'])).toContain('half');
      expect(fixture.repository.git(['log', '-1', '--format=%(trailers:key=Checkpoint,valueonly)', 'agent/SLOW-1'])).toBe('C2-timed-out');
    } finally {
      await runtime.close();
    }
  });

  it('stops a ticket over its token budget, and starts no new ticket once the batch is over its own', async () => {
    const ticketCap = await night({
      budget: { tokens_per_ticket: 5000 },
      tickets: { 'COST-1.md': ticketFileText({ id: 'COST-1', title: 'Too expensive' }) },
      scenario: { tickets: { 'COST-1': { C0: [SCOPE], C1: [PLAN], C2: implement('cost') } } },
    });
    const runtime = await ticketCap.openRuntime();
    try {
      const report = await runBatch(runtime.dependencies, {});
      const run = (await runtime.dependencies.store.listRuns(report.intake!.batchId))[0];
      expect(run).toMatchObject({ state: 'failed', reason: expect.stringMatching(/^budget: the ticket used [\d,]+ tokens, over its cap of 5,000$/) });
    } finally {
      await runtime.close();
    }

    const batchCap = await night({
      budget: { tokens_per_batch: 20000 },
      tickets: {
        'COST-2.md': ticketFileText({ id: 'COST-2', title: 'First', priority: 'high' }),
        'COST-3.md': ticketFileText({ id: 'COST-3', title: 'Never started' }),
      },
      scenario: { tickets: { 'COST-2': { C0: [SCOPE], C1: [PLAN], C2: implement('cost-two') }, 'COST-3': { C0: [SCOPE], C1: [PLAN], C2: implement('cost-three') } } },
    });
    const batchRuntime = await batchCap.openRuntime();
    try {
      const report = await runBatch(batchRuntime.dependencies, {});
      const runs = await batchRuntime.dependencies.store.listRuns(report.intake!.batchId);
      expect(runs.find((run) => run.ticketId === 'COST-2')?.state).toBe('ready');
      expect(runs.find((run) => run.ticketId === 'COST-3')?.state).toBe('queued');
      expect(batchCap.server.requests.some((request) => request.ticketId === 'COST-3')).toBe(false);
    } finally {
      await batchRuntime.close();
    }
  });

  it('skips the dependents of a failed ticket, and the next intake takes them once the dependency is resolved', async () => {
    const fixture = await night({
      tickets: {
        'DEP-1.md': ticketFileText({ id: 'DEP-1', title: 'Fails', priority: 'high' }),
        'DEP-2.md': ticketFileText({ id: 'DEP-2', title: 'Waits for DEP-1', dependencies: ['DEP-1'] }),
      },
      scenario: { tickets: { 'DEP-1': { C0: [{ say: 'no json' }], 'C0#2': [{ say: 'still none' }] }, 'DEP-2': { C0: [SCOPE], C1: [PLAN], C2: implement('dep-two') } } },
    });
    const runtime = await fixture.openRuntime();
    try {
      const first = await runBatch(runtime.dependencies, {});
      const runs = await runtime.dependencies.store.listRuns(first.intake!.batchId);
      expect(runs.find((run) => run.ticketId === 'DEP-2')).toMatchObject({ state: 'skipped', reason: 'dependency DEP-1 did not complete (it ended failed)' });
      const log = readFileSync(`${runtime.nightshiftDirectory}/batches/${first.intake!.batchId}/logs/DEP-2.ndjson`, 'utf8');
      expect(log).toMatch(/"state":"skipped","reason":"dependency DEP-1 did not complete/);

      const ticketPath = `${fixture.repository.root}/tickets/DEP-1.md`;
      writeFileSync(ticketPath, readFileSync(ticketPath, 'utf8').replace(/^id: /m, 'status: done\nid: '));
      const second = await runBatch(runtime.dependencies, {});
      expect(second.intake?.plan.selected.map((ticket) => ticket.id)).toEqual(['DEP-2']);
      expect(second.review?.totals).toMatchObject({ completed: 1 });
    } finally {
      await runtime.close();
    }
  });

  it('stops an agent that prints nothing for stall_timeout, retries the stage with backoff, and keeps every reason', async () => {
    const fixture = await night({
      generation: { stall_timeout: '4s', max_attempts: 2 },
      tickets: { 'STALL-1.md': ticketFileText({ id: 'STALL-1', title: 'Hangs' }) },
      scenario: { tickets: { 'STALL-1': { C0: [SCOPE], C1: [PLAN], C2: [{ run: { command: HANG } }] } } },
    });
    const clock = new AcceleratedClock();
    const runtime = await fixture.openRuntime({}, clock);
    try {
      const report = await runBatch(runtime.dependencies, {});
      const run = (await runtime.dependencies.store.listRuns(report.intake!.batchId))[0];
      expect(run?.state).toBe('failed');
      expect(run?.reason).toMatch(/failed at C2 2 time\(s\): try 1: the agent printed nothing for 4 s and was stopped; try 2: the agent printed nothing for 4 s/);
      expect(clock.sleeps).toContain(10_000);
    } finally {
      await runtime.close();
    }
  });

  it("stops on Ctrl-C with the agent's whole process tree ended, and the next run resumes the interrupted C2 session", async () => {
    const fixture = await night({
      tickets: { 'STOP-1.md': ticketFileText({ id: 'STOP-1', title: 'Interrupted' }) },
      scenario: {
        tickets: {
          'STOP-1': {
            C0: [SCOPE],
            C1: [PLAN],
            C2: [{ write: { path: 'src/stop-one.js', content: 'export const stopOne = true;\n' } }, { run: { command: HANG } }, { report: { summary: 'Done', changes: ['Add stop-one'] } }],
          },
        },
      },
    });
    const runtime = await fixture.openRuntime();
    try {
      const controller = new AbortController();
      const hanging = setInterval(() => {
        if (fixture.server.requests.some((request) => request.ticketId === 'STOP-1' && request.stage === 'C2' && /run/.test(String(request.answered)))) {
          setTimeout(() => controller.abort(), 1000);
          clearInterval(hanging);
        }
      }, 100);
      const first = await runBatch(runtime.dependencies, { signal: controller.signal });
      clearInterval(hanging);
      expect(first.generation?.stopped).toBeDefined();
      const batchId = first.intake!.batchId;
      expect((await runtime.dependencies.store.listRuns(batchId))[0]?.state).toBe('implementing');
      const { readdirSync } = await import('node:fs');
      expect(readdirSync(`${runtime.nightshiftDirectory}/agent-processes`)).toEqual([]);
      expect(processesWorkingUnder(fixture.repository.root)).toEqual([]);

      const second = await runBatch(runtime.dependencies, {});
      expect(second.intake).toBeUndefined();
      expect(second.review?.totals).toMatchObject({ total: 1, completed: 1 });
      const log = readFileSync(`${runtime.nightshiftDirectory}/batches/${batchId}/logs/STOP-1.ndjson`, 'utf8');
      expect(log).toMatch(/"type":"session-resume","stage":"C2"/);
      expect((await runtime.dependencies.store.listCheckpoints(batchId, 'STOP-1')).map((checkpoint) => checkpoint.stage)).toEqual(['C0', 'C1', 'C2']);
      expect(fixture.repository.git(['rev-list', '--count', 'main..agent/STOP-1'])).toBe('1');
    } finally {
      await runtime.close();
    }
  });

  it('finishes what is feasible of a ticket bigger than estimated: partial MR, remaining work, draft follow-up ticket', async () => {
    const fixture = await night({
      tickets: { 'BIG-141.md': ticketFileText({ id: 'BIG-141', title: 'Too big for one night', complexity: 'small' }) },
      scenario: {
        tickets: {
          'BIG-141': {
            C0: [SCOPE],
            C1: [PLAN],
            C2: [
              { write: { path: 'src/first-half.js', content: 'export const firstHalf = true;\n' } },
              { report: { summary: 'Did the first half', changes: ['Add the first half'], partial: true, remaining_work: ['Write the second half', 'Test both halves'] } },
            ],
          },
        },
      },
    });
    const runtime = await fixture.openRuntime();
    try {
      const report = await runBatch(runtime.dependencies, {});
      const batchId = report.intake!.batchId;
      expect((await runtime.dependencies.store.listRuns(batchId))[0]?.state).toBe('partial');
      expect(fixture.repository.git(['log', '-1', '--format=%(trailers:key=Checkpoint,valueonly)', 'agent/BIG-141'])).toBe('C2-partial');
      const followUp = readFileSync(`${fixture.repository.root}/tickets/BIG-142.md`, 'utf8');
      expect(followUp).toMatch(/^status: draft$/m);
      expect(followUp).toMatch(/^follow_up_of: BIG-141$/m);
      expect(followUp).toContain('Write the second half');
      expect(followUp).toMatch(/^labels: \[\]$/m);
      expect(readFileSync(`${fixture.repository.root}/tickets/BIG-141.md`, 'utf8')).toMatch(/^status: partial$/m);
      const mergeRequest = await runtime.dependencies.store.getMergeRequest(batchId, 'BIG-141');
      expect(mergeRequest?.reviewSummary ?? mergeRequest?.description).toMatch(/Write the second half/);
      const again = await runBatch(runtime.dependencies, {});
      expect(again.intake?.plan.selected ?? []).toEqual([]);
    } finally {
      await runtime.close();
    }
  });
});
