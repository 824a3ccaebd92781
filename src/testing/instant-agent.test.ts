import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { parseStageOutput, stageOutputSchemas } from '../domain/stage-output.js';
import type { AgentEvent, AgentStageRequest } from '../ports/agent.js';
import { runGeneration } from '../pipeline/generate.js';
import { runIntake } from '../pipeline/intake.js';
import { openRuntime } from '../runtime/open-runtime.js';
import { createGitFixture, type GitFixture } from './git-fixture.js';
import { InstantAgent } from './instant-agent.js';
import { ticketFileText } from './ticket-file-text.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function request(stage: AgentStageRequest['stage'], worktreePath: string): AgentStageRequest {
  return {
    batchId: 'batch-1',
    ticketId: 'T-1',
    stage,
    attempt: 1,
    prompt: 'do it',
    worktreePath,
    privateDirectory: join(worktreePath, '..', 'private'),
    access: stage === 'C2' ? 'edit-worktree' : 'read-only',
    timeoutMilliseconds: 60_000,
  };
}

describe('InstantAgent', () => {
  it('answers every stage with JSON its schema accepts, writes one file only at C2, and reports start, usage and end', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'nightshift-instant-'));
    cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
    const agent = new InstantAgent({ now: () => new Date('2024-01-15T18:00:00.000Z') });
    for (const stage of ['C0', 'C1', 'C2'] as const) {
      const events: AgentEvent[] = [];
      const result = await agent.runStage(request(stage, directory), (event) => events.push(event));
      expect(result.outcome).toBe('completed');
      expect(parseStageOutput<unknown>(result.finalText, stageOutputSchemas[stage]).ok).toBe(true);
      expect(events.map((event) => event.type)).toEqual(['agent-start', 'usage', 'agent-end']);
      expect(events[0]).toMatchObject({ at: '2024-01-15T18:00:00.000Z', agent: 'instant' });
    }
    expect(readFileSync(join(directory, 'instant-agent-T-1.txt'), 'utf8')).toContain('T-1');
    expect(agent.requests.map((received) => received.stage)).toEqual(['C0', 'C1', 'C2']);
  });

  it('takes a ticket through the real pipeline to gating, with a commit on its branch and a draft MR', async () => {
    const repository: GitFixture = createGitFixture({
      files: {
        'README.md': '# Demo\n',
        'nightshift.yaml': stringify({ agent: { kind: 'command', command: 'true' }, batch: { parallel_agents: 1 } }),
        'tickets/T-1.md': ticketFileText({ id: 'T-1', title: 'Add a file' }),
      },
    });
    cleanups.push(() => repository.cleanup());
    const runtime = await openRuntime({ repositoryRoot: repository.root, environment: {} });
    try {
      const agent = new InstantAgent();
      runtime.dependencies.agent = agent;
      const intake = await runIntake(runtime.dependencies, { dryRun: false });
      expect(intake.plan.selected.map((ticket) => ticket.id)).toEqual(['T-1']);
      const report = await runGeneration(runtime.dependencies, { batchId: intake.batchId });
      expect(report.runs.map((run) => [run.ticketId, run.state, run.reason])).toEqual([['T-1', 'gating', undefined]]);
      expect(agent.requests.map((received) => received.stage)).toEqual(['C0', 'C1', 'C2']);
      expect(repository.git(['show', '--name-only', '--format=', 'agent/T-1'])).toBe('instant-agent-T-1.txt');
      expect(repository.git(['log', '-1', '--format=%an', 'agent/T-1'])).toBe('Nightshift');
      const mergeRequest = await runtime.dependencies.store.getMergeRequest(intake.batchId, 'T-1');
      expect(mergeRequest).toMatchObject({ sourceBranch: 'agent/T-1', targetBranch: 'main' });
    } finally {
      await runtime.close();
    }
  });
});
