import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatScenarioMarkers } from '../../../domain/scenario-markers.js';
import type { AgentEvent } from '../../../ports/agent.js';
import { describeAgentContract } from '../../../testing/contracts/agent.js';
import { startModelServer, type RunningModelServer } from '../../../testing/model-server/start-model-server.js';
import { ClaudeCodeAgent } from './claude-code-agent.js';

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const claudeBinary = join(repositoryRoot, 'node_modules', '.bin', 'claude');

describeAgentContract('claude-code', {
  capabilities: { resumeSession: true, readOnlyMode: true, structuredOutput: false, reportsCost: true },
  talksToModel: true,
  createAgent: (context) =>
    new ClaudeCodeAgent({
      binary: claudeBinary,
      baseUrl: context.modelServerUrl,
      apiKey: 'sk-scripted-contract',
      extraArguments: [],
      environmentAllowList: context.environmentAllowList,
      parentEnvironment: context.parentEnvironment,
      sandbox: context.sandbox,
      maxRetries: 0,
    }),
});

describe('ClaudeCodeAgent', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'nightshift-claude-agent-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('reads the version of the installed binary', async () => {
    const agent = new ClaudeCodeAgent({ binary: claudeBinary, parentEnvironment: process.env });
    expect(await agent.checkAvailable()).toEqual({ ok: true, version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  });

  it('finds claude in node_modules/.bin of its working directory', async () => {
    const agent = new ClaudeCodeAgent({ parentEnvironment: { PATH: '/nonexistent' }, workingDirectory: repositoryRoot });
    expect((await agent.checkAvailable()).ok).toBe(true);
  });

  it('says clearly when the binary is missing, and fails the stage without starting anything', async () => {
    const agent = new ClaudeCodeAgent({ binary: join(root, 'no-such-claude'), parentEnvironment: process.env });
    const availability = await agent.checkAvailable();
    expect(availability).toEqual({ ok: false, problem: `claude not found at ${join(root, 'no-such-claude')} — install @anthropic-ai/claude-code or set agent.binary` });

    const events: AgentEvent[] = [];
    const result = await agent.runStage(
      {
        batchId: 'b',
        ticketId: 'DEMO-1',
        stage: 'C0',
        attempt: 1,
        prompt: 'p',
        worktreePath: root,
        privateDirectory: join(root, 'private'),
        access: 'read-only',
        timeoutMilliseconds: 10_000,
      },
      (event) => events.push(event),
    );
    expect(result.outcome).toBe('failed');
    expect(result.errorMessage).toMatch(/^claude not found at .* — install @anthropic-ai\/claude-code or set agent\.binary$/);
    expect(events.map((event) => event.type)).toEqual(['agent-start', 'agent-end']);
    expect(existsSync(join(root, 'private'))).toBe(false);
  });

  describe('against the scripted model server', () => {
    let server: RunningModelServer;
    let outside: string;
    beforeAll(async () => {
      outside = join(root, 'outside-the-worktree.txt');
      server = await startModelServer({
        scenario: {
          tickets: {
            'DEMO-1': { C0: [{ report: { summary: 's', files: [] } }], C2: [{ report: { summary: 's', changes: ['c'] } }] },
            'DEMO-2': { C2: [{ write: { path: outside, content: 'escaped' } }, { write: { path: 'inside.txt', content: 'fine' } }, { say: 'tried' }] },
          },
        },
      });
    });
    afterAll(() => server.close());

    it('offers the model only read tools at C0 and the edit tools and a shell at C2', async () => {
      const agent = new ClaudeCodeAgent({ binary: claudeBinary, baseUrl: server.url, apiKey: 'k', parentEnvironment: process.env, maxRetries: 0 });
      for (const stage of ['C0', 'C2'] as const) {
        const worktree = await mkdtemp(join(root, `worktree-${stage}-`));
        const result = await agent.runStage(
          {
            batchId: 'b',
            ticketId: 'DEMO-1',
            stage,
            attempt: 1,
            prompt: formatScenarioMarkers({ ticketId: 'DEMO-1', stage, attempt: 1, worktreePath: worktree }),
            worktreePath: worktree,
            privateDirectory: join(worktree, '..', `private-${stage}`),
            access: stage === 'C2' ? 'edit-worktree' : 'read-only',
            timeoutMilliseconds: 60_000,
          },
          () => {},
        );
        expect(result.outcome).toBe('completed');
      }
      const offered = (stage: string): string[] => server.requests.find((request) => request.stage === stage)?.toolsOffered ?? [];
      expect(offered('C0')).toEqual(expect.arrayContaining(['Read', 'Grep', 'Glob']));
      expect(offered('C0')).not.toEqual(expect.arrayContaining(['Write']));
      expect(offered('C0').filter((tool) => ['Write', 'Edit', 'Bash', 'NotebookEdit', 'WebFetch', 'Task', 'Agent'].includes(tool))).toEqual([]);
      expect(offered('C2')).toEqual(expect.arrayContaining(['Read', 'Write', 'Edit', 'Bash']));
      expect(offered('C2').filter((tool) => ['WebFetch', 'WebSearch', 'Task', 'Agent'].includes(tool))).toEqual([]);
    });

    it('confines its file tools to the worktree at C2', async () => {
      const agent = new ClaudeCodeAgent({ binary: claudeBinary, baseUrl: server.url, apiKey: 'k', parentEnvironment: process.env, maxRetries: 0 });
      const worktree = await mkdtemp(join(root, 'worktree-confined-'));
      const result = await agent.runStage(
        {
          batchId: 'b',
          ticketId: 'DEMO-2',
          stage: 'C2',
          attempt: 1,
          prompt: formatScenarioMarkers({ ticketId: 'DEMO-2', stage: 'C2', attempt: 1, worktreePath: worktree }),
          worktreePath: worktree,
          privateDirectory: join(root, 'private-confined'),
          access: 'edit-worktree',
          timeoutMilliseconds: 60_000,
        },
        () => {},
      );
      expect(result).toMatchObject({ outcome: 'completed', finalText: 'tried' });
      expect(existsSync(outside)).toBe(false);
      expect(existsSync(join(worktree, 'inside.txt'))).toBe(true);
    });
  });
});
