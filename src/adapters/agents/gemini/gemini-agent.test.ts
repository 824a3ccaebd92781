import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatScenarioMarkers } from '../../../domain/scenario-markers.js';
import type { AgentEvent, AgentStageRequest } from '../../../ports/agent.js';
import { describeAgentContract } from '../../../testing/contracts/agent.js';
import { GeminiProtocol } from '../../../testing/model-server/gemini-protocol.js';
import { startModelServer, type RunningModelServer } from '../../../testing/model-server/start-model-server.js';
import type { ProtocolRequest } from '../../../testing/model-server/wire-protocol.js';
import { GeminiAgent } from './gemini-agent.js';

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const geminiBinary = join(repositoryRoot, 'node_modules', '.bin', 'gemini');
const MODEL = 'gemini-2.5-flash';

describeAgentContract('gemini', {
  capabilities: { resumeSession: true, readOnlyMode: true, structuredOutput: false, reportsCost: false },
  talksToModel: true,
  createAgent: (context) =>
    new GeminiAgent({
      binary: geminiBinary,
      model: MODEL,
      baseUrl: context.modelServerUrl,
      apiKey: 'scripted-contract-key',
      extraArguments: [],
      environmentAllowList: context.environmentAllowList,
      parentEnvironment: context.parentEnvironment,
      sandbox: context.sandbox,
      maxRetries: 0,
    }),
});

/**
 * Offers the scripted model tools the CLI withheld, as a model that ignores its tool list
 * would call them: proves that at C0 the CLI itself refuses a write and a command.
 */
class ToolInventingGeminiProtocol extends GeminiProtocol {
  override readRequest(pathname: string, body: unknown): ProtocolRequest {
    const parsed = super.readRequest(pathname, body);
    if (parsed.kind !== 'conversation' || parsed.conversation.tools.length === 0) return parsed;
    parsed.conversation.tools.push(
      { name: 'write_file', parameters: [{ name: 'file_path', type: 'string', description: '' }, { name: 'content', type: 'string', description: '' }] },
      { name: 'run_shell_command', parameters: [{ name: 'command', type: 'string', description: '' }] },
    );
    return parsed;
  }
}

describe('GeminiAgent', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'nightshift-gemini-agent-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function createWorktree(name: string): Promise<string> {
    const worktree = join(root, name);
    await mkdir(worktree);
    const git = (...args: string[]): void => {
      execFileSync('git', args, { cwd: worktree, stdio: 'ignore' });
    };
    git('init', '-q', '-b', 'main');
    git('config', 'user.name', 'Gemini Test');
    git('config', 'user.email', 'gemini@example.com');
    await writeFile(join(worktree, 'README.md'), '# Gemini repository\n');
    git('add', '.');
    git('commit', '-q', '-m', 'Initial commit');
    return worktree;
  }

  function stageRequest(ticketId: string, stage: 'C0' | 'C2', worktree: string, privateDirectory: string): AgentStageRequest {
    return {
      batchId: 'b',
      ticketId,
      stage,
      attempt: 1,
      prompt: `Work on ${ticketId}.\n\n${formatScenarioMarkers({ ticketId, stage, attempt: 1, worktreePath: worktree })}`,
      worktreePath: worktree,
      privateDirectory,
      access: stage === 'C2' ? 'edit-worktree' : 'read-only',
      timeoutMilliseconds: 60_000,
    };
  }

  it('reads the version of the installed binary', async () => {
    const agent = new GeminiAgent({ binary: geminiBinary, parentEnvironment: process.env });
    expect(await agent.checkAvailable()).toEqual({ ok: true, version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  });

  it('says clearly when the binary is missing, and fails the stage without starting anything', async () => {
    const agent = new GeminiAgent({ binary: join(root, 'no-such-gemini'), parentEnvironment: process.env });
    expect(await agent.checkAvailable()).toEqual({ ok: false, problem: `gemini not found at ${join(root, 'no-such-gemini')} — install @google/gemini-cli or set agent.binary` });
    const events: AgentEvent[] = [];
    const result = await agent.runStage(stageRequest('DEMO-1', 'C0', root, join(root, 'never')), (event) => events.push(event));
    expect(result.outcome).toBe('failed');
    expect(events.map((event) => event.type)).toEqual(['agent-start', 'agent-end']);
    expect(existsSync(join(root, 'never'))).toBe(false);
  });

  describe('against the scripted model server', () => {
    let server: RunningModelServer;
    let outside: string;
    beforeAll(async () => {
      outside = join(root, 'outside-the-worktree.txt');
      server = await startModelServer({
        protocols: [new ToolInventingGeminiProtocol()],
        scenario: {
          tickets: {
            'DEMO-1': {
              C0: [{ write: { path: 'written-at-c0.txt', content: 'no' } }, { run: { command: 'echo no > ran-at-c0.txt' } }, { report: { summary: 's', files: [] } }],
              C2: [
                { write: { path: outside, content: 'escaped' } },
                { write: { path: 'inside.txt', content: 'fine' } },
                { run: { command: 'echo $$ > sleeper.pid; exec sleep 120' } },
                { say: 'never' },
              ],
            },
          },
        },
      });
    });
    afterAll(() => server.close());

    const agent = (): GeminiAgent => new GeminiAgent({ binary: geminiBinary, model: MODEL, baseUrl: server.url, apiKey: 'k', parentEnvironment: process.env, maxRetries: 0 });

    it('refuses a write and a command the model calls at C0 although they were not offered, ignores the repository’s .gemini/ and reports tokens', async () => {
      const worktree = await createWorktree('worktree-c0');
      await mkdir(join(worktree, '.gemini'));
      await writeFile(join(worktree, '.gemini', 'settings.json'), JSON.stringify({ tools: { exclude: ['read_file'] } }));
      execFileSync('git', ['add', '.'], { cwd: worktree });
      execFileSync('git', ['commit', '-q', '-m', 'Repository settings for the Gemini CLI'], { cwd: worktree });
      const events: AgentEvent[] = [];
      const result = await agent().runStage(stageRequest('DEMO-1', 'C0', worktree, join(root, 'private-c0')), (event) => events.push(event));
      expect(result.outcome).toBe('completed');
      const toolsCalled = events.flatMap((event) => (event.type === 'tool-call' ? [event.tool] : []));
      expect(toolsCalled).toEqual(['read_file', 'write_file', 'run_shell_command']);
      expect(existsSync(join(worktree, 'written-at-c0.txt'))).toBe(false);
      expect(existsSync(join(worktree, 'ran-at-c0.txt'))).toBe(false);
      expect(execFileSync('git', ['status', '--porcelain'], { cwd: worktree, encoding: 'utf8' })).toBe('');
      const offered = server.requests.find((request) => request.ticketId === 'DEMO-1' && request.stage === 'C0')?.toolsOffered ?? [];
      expect(offered.slice(0, -2).sort()).toEqual(['glob', 'grep_search', 'list_directory', 'read_file']);

      expect(result.usage.inputTokens).toBeGreaterThan(0);
      expect(result.usage.outputTokens).toBeGreaterThan(0);
      expect(result.usage.costUsd).toBeUndefined();
      expect(events.find((event) => event.type === 'usage')).toMatchObject({ usage: result.usage });
    });

    it('confines its file tools to the worktree at C2, and ends itself and its commands when aborted', async () => {
      const worktree = await createWorktree('worktree-c2');
      const pidFile = join(worktree, 'sleeper.pid');
      const controller = new AbortController();
      const abortOnceTheCommandRuns = setInterval(() => {
        if (existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '') controller.abort();
      }, 100);
      let processId: number | undefined;
      const result = await agent()
        .runStage({ ...stageRequest('DEMO-1', 'C2', worktree, join(root, 'private-c2')), signal: controller.signal, onProcessStart: (pid) => (processId = pid) }, () => {})
        .finally(() => clearInterval(abortOnceTheCommandRuns));
      expect(result.outcome).toBe('cancelled');
      expect(processId).toEqual(expect.any(Number));
      expect(isRunning(processId as number)).toBe(false);
      expect(isRunning(Number(readFileSync(pidFile, 'utf8').trim()))).toBe(false);
      expect(existsSync(outside)).toBe(false);
      expect(readFileSync(join(worktree, 'inside.txt'), 'utf8')).toBe('fine');
      const offered = server.requests.find((request) => request.ticketId === 'DEMO-1' && request.stage === 'C2')?.toolsOffered ?? [];
      expect(offered.slice(0, -2).sort()).toEqual(['glob', 'grep_search', 'list_directory', 'read_file', 'replace', 'run_shell_command', 'write_file']);
    });
  });
});

/** Whether a process runs (a zombie does not: a container's init may never reap it). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}
