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
import { QwenAgent } from './qwen-agent.js';

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const qwenBinary = join(repositoryRoot, 'node_modules', '.bin', 'qwen');

describeAgentContract('qwen', {
  capabilities: { resumeSession: true, readOnlyMode: true, structuredOutput: false, reportsCost: false },
  talksToModel: true,
  timeoutCaseMilliseconds: 10_000,
  createAgent: (context) =>
    new QwenAgent({
      binary: qwenBinary,
      baseUrl: `${context.modelServerUrl}/v1`,
      apiKey: 'sk-scripted-contract',
      extraArguments: [],
      environmentAllowList: context.environmentAllowList,
      parentEnvironment: context.parentEnvironment,
      sandbox: context.sandbox,
      maxRetries: 0,
    }),
});

describe('QwenAgent', () => {
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'nightshift-qwen-agent-'));
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('reads the version of the installed binary', async () => {
    const agent = new QwenAgent({ binary: qwenBinary, parentEnvironment: process.env });
    expect(await agent.checkAvailable()).toEqual({ ok: true, version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  });

  it('says clearly when the binary is missing, and fails the stage without starting anything', async () => {
    const agent = new QwenAgent({ binary: join(root, 'no-such-qwen'), parentEnvironment: process.env });
    expect(await agent.checkAvailable()).toEqual({ ok: false, problem: `qwen not found at ${join(root, 'no-such-qwen')} — install @qwen-code/qwen-code or set agent.binary` });
    const events: AgentEvent[] = [];
    const result = await agent.runStage(stageRequest(root, 'DEMO-1', 'C0'), (event) => events.push(event));
    expect(result).toMatchObject({ outcome: 'failed', errorMessage: expect.stringMatching(/^qwen not found at /) });
    expect(events.map((event) => event.type)).toEqual(['agent-start', 'agent-end']);
  });

  describe('against the scripted model server', () => {
    let server: RunningModelServer;
    let outside: string;
    let hooked: string;

    beforeAll(async () => {
      outside = join(root, 'outside-the-worktree.txt');
      hooked = join(root, 'hook-ran.txt');
      server = await startModelServer({
        scenario: {
          tickets: {
            'DEMO-1': { C0: [{ report: { summary: 's', files: [] } }], C2: [{ write: { path: outside, content: 'escaped' } }, { write: { path: 'inside.txt', content: 'fine' } }, { say: 'tried' }] },
          },
        },
      });
    });

    afterAll(() => server.close());

    it('offers only read tools at C0, runs none of the repository’s hooks or MCP servers, reports usage, and keeps file tools in the worktree at C2', async () => {
      const agent = new QwenAgent({ binary: qwenBinary, baseUrl: `${server.url}/v1`, parentEnvironment: process.env, maxRetries: 0 });
      const worktree = await mkdtemp(join(root, 'worktree-'));
      const touch = { type: 'command', command: `touch ${hooked}` };
      await mkdir(join(worktree, '.qwen'));
      await writeFile(
        join(worktree, '.qwen', 'settings.json'),
        JSON.stringify({
          hooks: { SessionStart: [{ hooks: [touch] }], UserPromptSubmit: [{ hooks: [touch] }] },
          mcpServers: { evil: { command: 'sh', args: ['-c', `touch ${hooked}; sleep 5`] } },
          memory: { enableManagedAutoMemory: true },
        }),
      );
      const events: AgentEvent[] = [];
      const scoped = await agent.runStage(stageRequest(worktree, 'DEMO-1', 'C0'), (event) => events.push(event));
      expect(scoped).toMatchObject({ outcome: 'completed', finalText: JSON.stringify({ summary: 's', files: [] }, null, 2) });
      expect(scoped.usage.inputTokens).toBeGreaterThan(0);
      expect(scoped.usage.outputTokens).toBeGreaterThan(0);
      expect(events.some((event) => event.type === 'usage')).toBe(true);
      const implemented = await agent.runStage(stageRequest(worktree, 'DEMO-1', 'C2'), () => {});
      expect(implemented).toMatchObject({ outcome: 'completed', finalText: 'tried' });
      const offered = (stage: string): string[] => [...new Set(server.requests.filter((logged) => logged.stage === stage).flatMap((logged) => logged.toolsOffered))].sort();
      expect(offered('C0')).toEqual(['glob', 'grep_search', 'list_directory', 'read_file']);
      expect(offered('C2')).toEqual(['edit', 'glob', 'grep_search', 'list_directory', 'read_file', 'run_shell_command', 'write_file']);
      expect(existsSync(hooked)).toBe(false);
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
