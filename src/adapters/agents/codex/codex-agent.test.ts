import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatScenarioMarkers } from '../../../domain/scenario-markers.js';
import type { Stage } from '../../../domain/stage.js';
import type { AgentEvent, AgentStageRequest } from '../../../ports/agent.js';
import { describeAgentContract } from '../../../testing/contracts/agent.js';
import { startModelServer, type RunningModelServer } from '../../../testing/model-server/start-model-server.js';
import { CODEX_SCRIPTED_MODEL, CodexAgent } from './codex-agent.js';

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const codexBinary = join(repositoryRoot, 'node_modules', '.bin', 'codex');

describeAgentContract('codex', {
  capabilities: { resumeSession: true, readOnlyMode: true, structuredOutput: false, reportsCost: false },
  talksToModel: true,
  // Codex replaces the message of exactly an HTTP 500 by a generic text; the 500 is covered below.
  failingAnswerStatus: 503,
  createAgent: (context) =>
    new CodexAgent({
      binary: codexBinary,
      model: CODEX_SCRIPTED_MODEL,
      baseUrl: context.modelServerUrl,
      apiKey: 'sk-scripted-contract',
      extraArguments: [],
      environmentAllowList: context.environmentAllowList,
      parentEnvironment: context.parentEnvironment,
      sandbox: context.sandbox,
      maxRetries: 0,
    }),
});

describe('CodexAgent', () => {
  let root: string;
  let server: RunningModelServer;
  const outside = (): string => join(root, 'outside-the-worktree.txt');

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'nightshift-codex-agent-'));
    server = await startModelServer({
      scenario: {
        tickets: {
          'DEMO-1': { C0: [{ report: { summary: 's', files: [] } }], C2: [{ run: { command: 'echo "$NIGHTSHIFT_CODEX_API_KEY" > key.txt' } }, { say: 'done' }] },
          'DEMO-2': {
            C2: [
              { write: { path: outside(), content: 'escaped\n' } },
              { run: { command: `echo escaped > ${outside()}.sh` } },
              { run: { command: 'echo tampered > .git/tampered' } },
              { write: { path: 'inside.txt', content: 'fine\n' } },
              { say: 'tried' },
            ],
          },
          'DEMO-3': { C0: [{ fail: { status: 500, message: 'scripted internal error' } }] },
          'DEMO-4': { C0: [{ fail: { status: 429, retry_after_seconds: 120, message: 'slow down' } }] },
          'DEMO-5': { C2: [{ run: { command: 'sleep 30' } }, { say: 'never' }] },
        },
      },
    });
  });
  afterAll(async () => {
    await server.close();
    await rm(root, { recursive: true, force: true });
  });

  const agent = (overrides: Partial<ConstructorParameters<typeof CodexAgent>[0]> = {}): CodexAgent =>
    new CodexAgent({ binary: codexBinary, model: CODEX_SCRIPTED_MODEL, baseUrl: server.url, apiKey: 'sk-hidden-key', parentEnvironment: process.env, maxRetries: 0, ...overrides });

  async function stageRequest(ticketId: string, stage: Stage, extra: Partial<AgentStageRequest> = {}): Promise<AgentStageRequest> {
    const worktree = await mkdtemp(join(root, `worktree-${ticketId}-`));
    await mkdir(join(worktree, '.git'));
    return {
      batchId: 'b',
      ticketId,
      stage,
      attempt: 1,
      prompt: formatScenarioMarkers({ ticketId, stage, attempt: 1, worktreePath: worktree }),
      worktreePath: worktree,
      privateDirectory: join(worktree, '..', `private-${ticketId}-${stage}`),
      access: stage === 'C2' ? 'edit-worktree' : 'read-only',
      timeoutMilliseconds: 60_000,
      ...extra,
    };
  }

  it('reads the version of the installed binary', async () => {
    expect(await agent().checkAvailable()).toEqual({ ok: true, version: '0.169.0' });
  });

  it('says clearly when the binary is missing, and fails the stage without starting anything', async () => {
    const missing = agent({ binary: join(root, 'no-such-codex') });
    expect(await missing.checkAvailable()).toEqual({ ok: false, problem: `codex not found at ${join(root, 'no-such-codex')} — install @openai/codex or set agent.binary` });
    const events: AgentEvent[] = [];
    const result = await missing.runStage(await stageRequest('DEMO-1', 'C0'), (event) => events.push(event));
    expect(result).toMatchObject({ outcome: 'failed', errorMessage: expect.stringContaining('codex not found') });
    expect(events.map((event) => event.type)).toEqual(['agent-start', 'agent-end']);
  });

  it("fails with Codex's own words when it refuses the command line, without a model request", async () => {
    const before = server.requests.length;
    const result = await agent({ extraArguments: ['--no-such-option'] }).runStage(await stageRequest('DEMO-1', 'C0'), () => {});
    expect(result.outcome).toBe('failed');
    expect(result.errorMessage).toMatch(/unexpected argument '--no-such-option'/);
    expect(server.requests).toHaveLength(before);
  });

  it('reports token usage (Codex reports no cost) and the model in agent-start', async () => {
    const events: AgentEvent[] = [];
    const result = await agent().runStage(await stageRequest('DEMO-1', 'C0'), (event) => events.push(event));
    expect(result.outcome).toBe('completed');
    expect(result.usage.inputTokens).toBeGreaterThan(0);
    expect(result.usage.outputTokens).toBeGreaterThan(0);
    expect(result.usage.costUsd).toBeUndefined();
    expect(events[0]).toMatchObject({ type: 'agent-start', sessionId: result.sessionId, model: CODEX_SCRIPTED_MODEL });
    expect(events.find((event) => event.type === 'usage')).toMatchObject({ usage: result.usage });
  });

  it('offers the model a shell and apply_patch, and keeps the API key from the commands it runs', async () => {
    const request = await stageRequest('DEMO-1', 'C2');
    const result = await agent().runStage(request, () => {});
    expect(result).toMatchObject({ outcome: 'completed', finalText: 'done' });
    expect(readFileSync(join(request.worktreePath, 'key.txt'), 'utf8')).toBe('\n');
    const offered = server.requests.find((entry) => entry.ticketId === 'DEMO-1' && entry.stage === 'C2')?.toolsOffered ?? [];
    expect(offered).toEqual(expect.arrayContaining(['exec_command', 'apply_patch']));
    expect(offered).not.toContain('web_search');
  });

  it('confines writes to the worktree at C2: no file outside it, nothing in .git', async () => {
    const request = await stageRequest('DEMO-2', 'C2');
    const result = await agent().runStage(request, () => {});
    expect(result).toMatchObject({ outcome: 'completed', finalText: 'tried' });
    expect(existsSync(outside())).toBe(false);
    expect(existsSync(`${outside()}.sh`)).toBe(false);
    expect(existsSync(join(request.worktreePath, '.git', 'tampered'))).toBe(false);
    expect(readFileSync(join(request.worktreePath, 'inside.txt'), 'utf8')).toBe('fine\n');
  });

  it('fails on an HTTP 500, naming the status Codex hides behind its generic message', async () => {
    const result = await agent().runStage(await stageRequest('DEMO-3', 'C0'), () => {});
    expect(result.outcome).toBe('failed');
    expect(result.errorMessage).toMatch(/\(the model answered HTTP 500 Internal Server Error\)$/);
  });

  it('reads the reset of an HTTP 429 from the response headers Codex logged', async () => {
    const before = Date.now();
    const events: AgentEvent[] = [];
    const result = await agent().runStage(await stageRequest('DEMO-4', 'C0'), (event) => events.push(event));
    expect(result.outcome).toBe('rate-limited');
    expect(result.rateLimit?.retryAfterSeconds).toBe(120);
    expect(Date.parse(result.rateLimit?.resetAt ?? '')).toBeGreaterThanOrEqual(before + 120_000);
    expect(events.filter((event) => event.type === 'rate-limit')).toHaveLength(1);
  });

  it('tells onProcessStart the process id, and ends the run when the signal aborts', async () => {
    const controller = new AbortController();
    const started: number[] = [];
    const events: AgentEvent[] = [];
    const request = await stageRequest('DEMO-5', 'C2', {
      signal: controller.signal,
      onProcessStart: (processId) => {
        started.push(processId);
      },
    });
    const running = agent().runStage(request, (event) => {
      events.push(event);
      if (event.type === 'tool-call') controller.abort();
    });
    const result = await running;
    expect(started).toHaveLength(1);
    expect(result.outcome).toBe('cancelled');
    expect(events.at(-1)).toMatchObject({ type: 'agent-end', outcome: 'cancelled' });
  });
});
