import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runBatch } from '../pipeline/run-batch.js';
import { startModelServer, type RunningModelServer } from '../testing/model-server/start-model-server.js';
import { createNightFixture, type NightFixture } from '../testing/night-fixture.js';
import { ticketFileText } from '../testing/ticket-file-text.js';

const FILES = { 'package.json': '{ "name": "lib", "type": "module", "private": true }\n', 'src/index.js': 'export const version = 1;\n' };
const SCOPE = { report: { summary: 'Add a file', files: ['src/feature.js'], complexity: 'small' } };
const PLAN = { report: { plan: ['Write the file'], risks: [], complexity: 'small', decision_needed: null } };
const IMPLEMENT = [{ write: { path: 'src/feature.js', content: 'export const feature = true;\n' } }, { report: { summary: 'Added it', changes: ['Add the feature'] } }];
const RATE_LIMIT = { fail: { status: 429, retry_after_seconds: 150, message: 'rate limited by the scripted provider' } };

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function night(request: Omit<Parameters<typeof createNightFixture>[0], 'files'>): Promise<NightFixture> {
  const fixture = await createNightFixture({ files: FILES, ...request });
  cleanups.push(() => fixture.cleanup());
  return fixture;
}

function logRecords(nightshiftDirectory: string, batchId: string, ticketId: string): Record<string, unknown>[] {
  return readFileSync(join(nightshiftDirectory, 'batches', batchId, 'logs', `${ticketId}.ndjson`), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('agent settings honoured, with the real Claude Code CLI', () => {
  it('gives each stage its own model and extra arguments (agent.stages)', async () => {
    const fixture = await night({
      agent: { stages: { C0: { model: 'claude-haiku-4-5', extra_args: ['--disallowedTools', 'Grep'] }, C2: { model: 'claude-implementer-model' } } },
      tickets: { 'STAGE-1.md': ticketFileText({ id: 'STAGE-1', title: 'Per-stage settings' }) },
      scenario: { tickets: { 'STAGE-1': { C0: [SCOPE], C1: [PLAN], C2: IMPLEMENT } } },
    });
    const runtime = await fixture.openRuntime();
    cleanups.push(() => runtime.close());
    const report = await runBatch(runtime.dependencies, {});
    expect(report.review?.totals).toMatchObject({ completed: 1 });
    const started = logRecords(runtime.nightshiftDirectory, report.intake!.batchId, 'STAGE-1').filter((record) => record.type === 'agent-start');
    expect(started.map((record) => [record.stage, record.model])).toEqual([
      ['C0', 'claude-haiku-4-5'],
      ['C1', 'claude-sonnet-4-5'],
      ['C2', 'claude-implementer-model'],
    ]);
    const offered = (stage: string): string[] => fixture.server.requests.find((request) => request.stage === stage && request.toolsOffered.length > 0)?.toolsOffered ?? [];
    expect(offered('C0')).not.toContain('Grep');
    expect(offered('C1')).toContain('Grep');
  });

  it('hands a rate-limited stage to the failover agent, says so in the log, and keeps it there while the limit lasts (agent.failover)', async () => {
    const fullScenario = { tickets: { 'FAIL-1': { C0: [SCOPE], C1: [PLAN], C2: IMPLEMENT } } };
    const spare: RunningModelServer = await startModelServer({ scenario: fullScenario });
    cleanups.push(() => spare.close());
    const fixture = await night({
      agent: { failover: [{ kind: 'claude-code', model: 'claude-spare-model', base_url: spare.url, api_key_env: 'NIGHTSHIFT_TEST_MODEL_KEY' }] },
      tickets: { 'FAIL-1.md': ticketFileText({ id: 'FAIL-1', title: 'Survive a rate limit on a spare agent' }) },
      scenario: { tickets: { 'FAIL-1': { C0: [SCOPE], C1: [RATE_LIMIT, PLAN], C2: IMPLEMENT } } },
    });
    const runtime = await fixture.openRuntime();
    cleanups.push(() => runtime.close());
    const report = await runBatch(runtime.dependencies, {});
    const batchId = report.intake!.batchId;

    expect(report.review?.totals).toMatchObject({ completed: 1, failed: 0 });
    expect((await runtime.dependencies.store.listBatchTransitions(batchId)).map((transition) => transition.event)).toEqual(['start', 'complete']);
    const stagesAt = (server: RunningModelServer): string[] => [...new Set(server.requests.flatMap((request) => (request.stage === undefined ? [] : [request.stage])))];
    expect(stagesAt(fixture.server)).toEqual(['C0', 'C1']);
    expect(stagesAt(spare)).toEqual(['C1', 'C2']);

    const records = logRecords(runtime.nightshiftDirectory, batchId, 'FAIL-1');
    expect(records.filter((record) => record.type === 'agent-failover')).toEqual([
      expect.objectContaining({ stage: 'C1', from: 'claude-code', to: 'failover 1: claude-code (model claude-spare-model)', reason: expect.stringContaining('rate limited by the scripted provider') }),
      expect.objectContaining({ stage: 'C2', reason: expect.stringMatching(/^claude-code is rate-limited until \d{4}-/) }),
    ]);
    expect(records.filter((record) => record.type === 'agent-start').map((record) => [record.stage, record.model])).toEqual([
      ['C0', 'claude-sonnet-4-5'],
      ['C1', 'claude-sonnet-4-5'],
      ['C1', 'claude-spare-model'],
      ['C2', 'claude-spare-model'],
    ]);
    expect(fixture.repository.git(['show', 'agent/FAIL-1:src/feature.js'])).toContain('feature = true');
    const checkpoints = await runtime.dependencies.store.listCheckpoints(batchId, 'FAIL-1');
    expect(checkpoints.map((checkpoint) => [checkpoint.stage, checkpoint.agent])).toEqual([
      ['C0', 'claude-code (model claude-sonnet-4-5)'],
      ['C1', 'claude-code (model claude-spare-model)'],
      ['C2', 'claude-code (model claude-spare-model)'],
    ]);
  });
});
