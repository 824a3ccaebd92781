import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { newTicketRun } from '../domain/ticket-run.js';
import { applyRunEvent } from '../pipeline/apply-run-event.js';
import { openRuntime } from '../runtime/open-runtime.js';
import { buildBatch, buildMergeRequest, buildTicket } from '../testing/contracts/store-record-builders.js';
import { createGitFixture, type GitFixture } from '../testing/git-fixture.js';
import { runCli } from '../testing/run-cli.js';

const BATCH = '2024-01-15-overnight';
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

/**
 * A real repository with a batch waiting for the gates: G-1's test fails on its first
 * run and passes on the re-run (a marker outside the repository), G-2's branch moved
 * after its MR was opened.
 */
async function repositoryWaitingForGates(): Promise<GitFixture> {
  const scratch = mkdtempSync(join(tmpdir(), 'nightshift-gates-command-'));
  cleanups.push(() => rmSync(scratch, { recursive: true, force: true }));
  const marker = join(scratch, 'ran-once');
  const repository = createGitFixture({
    files: {
      'package.json': '{ "name": "lib", "type": "module", "private": true }\n',
      'src/add.js': 'export function add(a, b) {\n  return a + b;\n}\n',
      'nightshift.yaml': stringify({ agent: { kind: 'command', command: 'true' }, gates: { timeout: '2m', commands: { test: { command: 'mkdir -p reports && node --test --test-reporter=tap --test-reporter-destination=reports/tap.txt', report: 'reports/tap.txt' }, lint: 'true' } } }),
    },
  });
  cleanups.push(() => repository.cleanup());
  const runtime = await openRuntime({ repositoryRoot: repository.root, environment: process.env });
  try {
    const { store, clock, codeHost } = runtime.dependencies;
    await store.createBatch(buildBatch(BATCH, { state: 'running' }), [buildTicket('G-1'), buildTicket('G-2')], ['G-1', 'G-2'].map((id) => newTicketRun(BATCH, id, clock.now().toISOString())));
    const flakyTest = [
      "import { test } from 'node:test';",
      "import assert from 'node:assert/strict';",
      "import { existsSync, writeFileSync } from 'node:fs';",
      "test('add survives a cold cache', () => {",
      `  const warm = existsSync(${JSON.stringify(marker)});`,
      `  writeFileSync(${JSON.stringify(marker)}, 'x');`,
      "  assert.ok(warm, 'the cache was cold');",
      '});',
      '',
    ].join('\n');
    for (const [ticketId, files] of [
      ['G-1', { 'test/add.test.js': flakyTest }],
      ['G-2', { 'src/two.js': 'export const two = 2;\n' }],
    ] as const) {
      repository.git(['checkout', '-q', '-b', `agent/${ticketId}`, 'main']);
      for (const [path, content] of Object.entries(files)) repository.writeFile(path, content);
      repository.git(['add', '--all']);
      repository.git(['commit', '-qm', `feat(${ticketId}): work`]);
      const commit = repository.git(['rev-parse', 'HEAD']);
      repository.git(['checkout', '-q', 'main']);
      let run = (await store.getRun(BATCH, ticketId))!;
      for (const event of [{ type: 'start' }, { type: 'scope-complete' }, { type: 'plan-complete' }, { type: 'implementation-complete', partial: false }] as const) {
        run = await applyRunEvent(store, run, event, clock.now());
      }
      const reference = await codeHost.openDraftMergeRequest({ sourceBranch: `agent/${ticketId}`, targetBranch: 'main', title: `Draft: ${ticketId}`, description: 'pending gates' });
      await store.saveMergeRequest(buildMergeRequest(BATCH, ticketId, { hostId: reference.id, url: reference.url, commit }));
    }
  } finally {
    await runtime.close();
  }
  const moved = repository.git(['commit-tree', 'agent/G-2^{tree}', '-p', 'agent/G-2', '-m', 'a change nobody gated']);
  repository.git(['update-ref', 'refs/heads/agent/G-2', moved]);
  return repository;
}

describe('nightshift gates', () => {
  it('prints each MR with its flaky checks, and the MRs the gates refused with why', { timeout: 120_000 }, async () => {
    const repository = await repositoryWaitingForGates();
    const outcome = await runCli(['gates', '--repo', repository.root]);
    expect(outcome.stderr).not.toMatch(/^nightshift:/m);
    expect(outcome.exitCode).toBe(0);
    const lines = outcome.stdout.split('\n');
    expect(lines[0]).toMatch(/^G-1 {2}score \d+ {2}security flags 0 {2}failed checks 0 {2}flaky checks 1$/);
    expect(lines[1]).toBe('  ⚠ test is flaky: it failed, then passed when run again; tests that flipped: add survives a cold cache');
    expect(outcome.stdout).toContain('\nRefused by the gates (their runs are failed):\n  ✗ G-2: the gates refused to check agent/G-2: it is at ');
    expect(outcome.stdout).toMatch(/\(the branch moved after the MR was opened\)/);
  });
});
