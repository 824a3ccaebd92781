import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatScenarioMarkers } from '../../../domain/scenario-markers.js';
import type { Stage } from '../../../domain/stage.js';
import type { AgentEvent, AgentStageRequest } from '../../../ports/agent.js';
import { describeAgentContract } from '../../../testing/contracts/agent.js';
import { startModelServer, type RunningModelServer } from '../../../testing/model-server/start-model-server.js';
import { OpenCodeAgent } from './opencode-agent.js';

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const openCodeBinary = join(repositoryRoot, 'node_modules', '.bin', 'opencode');

describeAgentContract('opencode', {
  capabilities: { resumeSession: true, readOnlyMode: true, structuredOutput: false, reportsCost: false },
  talksToModel: true,
  timeoutCaseMilliseconds: 15_000,
  createAgent: (context) =>
    new OpenCodeAgent({
      binary: openCodeBinary,
      baseUrl: `${context.modelServerUrl}/v1`,
      apiKey: 'sk-scripted-contract',
      extraArguments: [],
      environmentAllowList: context.environmentAllowList,
      parentEnvironment: context.parentEnvironment,
      sandbox: context.sandbox,
      maxRetries: 0,
    }),
});

describe('OpenCodeAgent', () => {
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'nightshift-opencode-agent-'));
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('reads the version of the installed binary', async () => {
    const agent = new OpenCodeAgent({ binary: openCodeBinary, parentEnvironment: process.env });
    expect(await agent.checkAvailable()).toEqual({ ok: true, version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  });

  it('says clearly when the binary is missing, and fails the stage without starting anything', async () => {
    const agent = new OpenCodeAgent({ binary: join(root, 'no-such-opencode'), parentEnvironment: process.env });
    expect(await agent.checkAvailable()).toEqual({ ok: false, problem: `opencode not found at ${join(root, 'no-such-opencode')} — install opencode-ai or set agent.binary` });
    const events: AgentEvent[] = [];
    const result = await agent.runStage(stageRequest(root, 'DEMO-1', 'C0'), (event) => events.push(event));
    expect(result).toMatchObject({ outcome: 'failed', errorMessage: expect.stringMatching(/^opencode not found at /) });
    expect(events.map((event) => event.type)).toEqual(['agent-start', 'agent-end']);
  });

  describe('against the scripted model server', () => {
    let server: RunningModelServer;
    let outside: string;

    beforeAll(async () => {
      outside = join(root, 'outside-the-worktree.txt');
      server = await startModelServer({
        scenario: {
          tickets: {
            'DEMO-1': { C0: [{ report: { summary: 's', files: [] } }], C2: [{ write: { path: outside, content: 'escaped' } }, { write: { path: 'inside.txt', content: 'fine' } }, { say: 'tried' }] },
          },
        },
      });
    });

    afterAll(() => server.close());

    it('offers only read tools at C0 even when the repository configures OpenCode to allow everything, reports usage, and confines file tools to the worktree at C2', async () => {
      const agent = new OpenCodeAgent({ binary: openCodeBinary, baseUrl: `${server.url}/v1`, parentEnvironment: process.env, maxRetries: 0 });
      const worktree = await mkdtemp(join(root, 'worktree-'));
      await writeFile(join(worktree, 'opencode.json'), JSON.stringify({ permission: { '*': 'allow', edit: 'allow', bash: 'allow' } }));
      await mkdir(join(worktree, '.opencode'));
      await writeFile(join(worktree, '.opencode', 'opencode.json'), JSON.stringify({ permission: { edit: 'allow', bash: 'allow' } }));
      const prompt = `Answer  as {"summary": "…", "files": []}.\n${formatScenarioMarkers({ ticketId: 'DEMO-1', stage: 'C0', attempt: 1, worktreePath: worktree })}`;
      const events: AgentEvent[] = [];
      const scoped = await agent.runStage({ ...stageRequest(worktree, 'DEMO-1', 'C0'), prompt }, (event) => events.push(event));
      expect(scoped.outcome).toBe('completed');
      expect(scoped.usage.inputTokens).toBeGreaterThan(0);
      expect(scoped.usage.outputTokens).toBeGreaterThan(0);
      expect(events.filter((event) => event.type === 'usage').at(-1)).toMatchObject({ usage: scoped.usage });
      const implemented = await agent.runStage(stageRequest(worktree, 'DEMO-1', 'C2'), () => {});
      expect(implemented).toMatchObject({ outcome: 'completed', finalText: 'tried' });
      const request = (stage: string) => server.requests.find((logged) => logged.stage === stage);
      expect(request('C0')?.promptExcerpt).toBe(prompt);
      expect([...(request('C0')?.toolsOffered ?? [])].sort()).toEqual(['glob', 'grep', 'read']);
      expect(request('C2')?.toolsOffered).toEqual(expect.arrayContaining(['read', 'write', 'edit', 'bash']));
      expect(request('C2')?.toolsOffered.filter((tool) => ['task', 'webfetch', 'websearch', 'skill'].includes(tool))).toEqual([]);
      expect(existsSync(outside)).toBe(false);
      expect(existsSync(join(worktree, 'inside.txt'))).toBe(true);
    });
  });
});

function stageRequest(worktree: string, ticketId: string, stage: Stage): AgentStageRequest {
  return {
    batchId: 'b',
    ticketId,
    stage,
    attempt: 1,
    prompt: formatScenarioMarkers({ ticketId, stage, attempt: 1, worktreePath: worktree }),
    worktreePath: worktree,
    privateDirectory: join(worktree, '..', `private-${ticketId}`),
    access: stage === 'C2' ? 'edit-worktree' : 'read-only',
    timeoutMilliseconds: 60_000,
  };
}
