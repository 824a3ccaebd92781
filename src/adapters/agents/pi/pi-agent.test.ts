import { existsSync, readFileSync } from 'node:fs';
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
import { PiAgent } from './pi-agent.js';

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const piBinary = join(repositoryRoot, 'node_modules', '.bin', 'pi');

describeAgentContract('pi', {
  capabilities: { resumeSession: true, readOnlyMode: true, structuredOutput: false, reportsCost: false },
  talksToModel: true,
  createAgent: (context) =>
    new PiAgent({
      binary: piBinary,
      baseUrl: `${context.modelServerUrl}/v1`,
      apiKey: 'sk-scripted-contract',
      extraArguments: [],
      environmentAllowList: context.environmentAllowList,
      parentEnvironment: context.parentEnvironment,
      sandbox: context.sandbox,
      maxRetries: 0,
    }),
});

describe('PiAgent', () => {
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'nightshift-pi-agent-'));
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('reads the version of the installed binary', async () => {
    const agent = new PiAgent({ binary: piBinary, parentEnvironment: process.env });
    expect(await agent.checkAvailable()).toEqual({ ok: true, version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  });

  it('says clearly when the binary is missing, and fails the stage without starting anything', async () => {
    const agent = new PiAgent({ binary: join(root, 'no-such-pi'), parentEnvironment: process.env });
    expect(await agent.checkAvailable()).toEqual({ ok: false, problem: `pi not found at ${join(root, 'no-such-pi')} — install @mariozechner/pi-coding-agent or set agent.binary` });
    const events: AgentEvent[] = [];
    const result = await agent.runStage(stageRequest(root, 'DEMO-1', 'C0'), (event) => events.push(event));
    expect(result).toMatchObject({ outcome: 'failed', errorMessage: expect.stringMatching(/^pi not found at /) });
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
            'DEMO-3': { C2: [{ run: { command: 'echo $$ > sleeper.pid; exec sleep 120' } }, { say: 'never' }] },
          },
        },
      });
    });

    afterAll(() => server.close());

    it('offers only read tools at C0, runs none of the repository’s extensions, reports usage, and keeps file tools in the worktree at C2', async () => {
      const agent = new PiAgent({ binary: piBinary, baseUrl: `${server.url}/v1`, parentEnvironment: process.env, maxRetries: 0 });
      const worktree = await mkdtemp(join(root, 'worktree-'));
      const extension = `import { writeFileSync } from 'node:fs'; writeFileSync(${JSON.stringify(hooked)}, 'ran'); export default function () {}`;
      await mkdir(join(worktree, '.pi', 'extensions'), { recursive: true });
      await writeFile(join(worktree, '.pi', 'extensions', 'evil.ts'), extension);
      await writeFile(join(worktree, '.pi', 'settings.json'), JSON.stringify({ extensions: ['./extensions/evil.ts'] }));
      const events: AgentEvent[] = [];
      const scoped = await agent.runStage(stageRequest(worktree, 'DEMO-1', 'C0'), (event) => events.push(event));
      expect(scoped).toMatchObject({ outcome: 'completed', finalText: JSON.stringify({ summary: 's', files: [] }, null, 2) });
      expect(scoped.usage.inputTokens).toBeGreaterThan(0);
      expect(scoped.usage.outputTokens).toBeGreaterThan(0);
      expect(events.filter((event) => event.type === 'usage').at(-1)).toMatchObject({ usage: scoped.usage });
      const implemented = await agent.runStage(stageRequest(worktree, 'DEMO-1', 'C2'), () => {});
      expect(implemented).toMatchObject({ outcome: 'completed', finalText: 'tried' });
      const offered = (stage: string): string[] => [...new Set(server.requests.filter((logged) => logged.stage === stage).flatMap((logged) => logged.toolsOffered))].sort();
      expect(offered('C0')).toEqual(['find', 'grep', 'ls', 'read']);
      expect(offered('C2')).toEqual(['bash', 'edit', 'find', 'grep', 'ls', 'read', 'write']);
      expect(existsSync(hooked)).toBe(false);
      expect(existsSync(outside)).toBe(false);
      expect(existsSync(join(worktree, 'inside.txt'))).toBe(true);
    });

    it('tells the process id as soon as it starts, and ends the run and its commands when Nightshift aborts', async () => {
      const agent = new PiAgent({ binary: piBinary, baseUrl: `${server.url}/v1`, parentEnvironment: process.env, maxRetries: 0 });
      const worktree = await mkdtemp(join(root, 'worktree-'));
      const controller = new AbortController();
      const started: number[] = [];
      const running = agent.runStage({ ...stageRequest(worktree, 'DEMO-3', 'C2'), signal: controller.signal, onProcessStart: (processId) => started.push(processId) }, () => {});
      const pidFile = join(worktree, 'sleeper.pid');
      await expect.poll(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '', { timeout: 60_000, interval: 100 }).toBe(true);
      controller.abort();
      const result = await running;
      expect(result).toMatchObject({ outcome: 'cancelled', errorMessage: 'pi was stopped by Nightshift' });
      expect(started).toEqual([expect.any(Number)]);
      const sleeper = Number(readFileSync(pidFile, 'utf8').trim());
      await expect.poll(() => isRunning(sleeper), { timeout: 10_000, interval: 100 }).toBe(false);
    });
  });
});

function isRunning(processId: number): boolean {
  try {
    const stat = readFileSync(`/proc/${processId}/stat`, 'utf8');
    return !['Z', 'X'].includes(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3));
  } catch {
    return false;
  }
}

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
