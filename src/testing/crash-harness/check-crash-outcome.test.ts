import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../adapters/stores/sqlite/sqlite-store.js';
import { runBatch } from '../../pipeline/run-batch.js';
import { openRuntime } from '../../runtime/open-runtime.js';
import type { GitFixture } from '../git-fixture.js';
import { startModelServer, type RunningModelServer } from '../model-server/start-model-server.js';
import { checkCrashOutcome, countDuplicates } from './check-crash-outcome.js';
import { buildCrashNight } from './crash-night-scenario.js';
import { CRASH_MODEL_KEY_VARIABLE, createCrashRepository } from './crash-repository.js';
import { isProcessGoneSoon } from '../process-liveness.js';

const night = buildCrashNight(4);
let server: RunningModelServer;
let repository: GitFixture;

beforeAll(async () => {
  server = await startModelServer({ scenario: night.scenario });
  repository = createCrashRepository({ night, modelServerUrl: server.url, parallelAgents: 3 });
  const runtime = await openRuntime({ repositoryRoot: repository.root, environment: { ...process.env, [CRASH_MODEL_KEY_VARIABLE]: 'scripted' } });
  try {
    await runBatch(runtime.dependencies, {});
  } finally {
    await runtime.close();
  }
}, 90_000);

afterAll(async () => {
  await server?.close();
  repository?.cleanup();
});

describe('the crash outcome checks', () => {
  it('find nothing wrong with a night that ran without a crash', async () => {
    const outcome = await checkCrashOutcome({ repositoryRoot: repository.root, expectations: night.expectations, modelRequests: server.requests });
    expect(outcome.problems).toEqual([]);
    expect(countDuplicates(outcome.duplicates)).toBe(0);
  });

  it('count a second commit, checkpoint, MR and follow-up, and name a stage asked again, a stale record and a live process', async () => {
    const head = repository.git(['rev-parse', 'agent/CRASH-1']);
    const second = repository.git(['commit-tree', `${head}^{tree}`, '-p', head, '-m', 'feat(CRASH-1): the same work again']);
    repository.git(['update-ref', 'refs/heads/agent/CRASH-1', second]);

    const store = await SqliteStore.open(join(repository.root, '.nightshift', 'nightshift.db'));
    const batchId = (await store.latestBatch())!.id;
    const [scope] = await store.listCheckpoints(batchId, 'CRASH-2');
    await store.saveCheckpoint({ ...scope!, createdAt: new Date().toISOString() });
    await store.close();

    const mergeRequests = join(repository.root, '.nightshift', 'merge-requests');
    copyFileSync(join(mergeRequests, 'agent-CRASH-3.json'), join(mergeRequests, 'agent-CRASH-3-again.json'));
    const tickets = join(repository.root, 'tickets');
    const followUp = readdirSync(tickets).find((name) => /^follow_up_of:/m.test(readFileSync(join(tickets, name), 'utf8')));
    copyFileSync(join(tickets, followUp!), join(tickets, 'CRASH-99.md'));
    mkdirSync(join(repository.root, '.nightshift', 'agent-processes'), { recursive: true });
    writeFileSync(join(repository.root, '.nightshift', 'agent-processes', '4242.json'), '{}\n');
    const askedAgain = { at: new Date(Date.now() + 60_000).toISOString(), method: 'POST', path: '/v1/messages', ticketId: 'CRASH-1', stage: 'C0', answered: 'report', status: 200, toolsOffered: ['Read'] };
    const sleeper = spawn('sleep', ['30'], { cwd: repository.root, stdio: 'ignore' });

    try {
      const outcome = await checkCrashOutcome({ repositoryRoot: repository.root, expectations: night.expectations, modelRequests: [...server.requests, askedAgain] });
      expect(outcome.duplicates).toEqual({ commits: 1, mergeRequests: 1, checkpoints: 1, followUps: 1, escalations: 0, batches: 0 });
      expect(outcome.problems).toEqual(
        expect.arrayContaining([
          'agent/CRASH-1 has 2 commits over main, expected 1',
          expect.stringMatching(/^CRASH-2 has 2 C0 checkpoints in batch /),
          'agent/CRASH-3 has 2 MR files in .nightshift/merge-requests',
          'CRASH-3 has 2 follow-up tickets',
          expect.stringMatching(/^CRASH-1 C0 was asked again 1 time\(s\) after its checkpoint/),
          '1 agent process record(s) left in .nightshift/agent-processes: 4242.json',
          expect.stringMatching(new RegExp(`^process ${sleeper.pid} still runs in `)),
        ]),
      );
    } finally {
      sleeper.kill('SIGKILL');
      await isProcessGoneSoon(sleeper.pid!);
    }
  });
});
