import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatScenarioMarkers } from '../../../domain/scenario-markers.js';
import type { AgentEvent, AgentStageRequest } from '../../../ports/agent.js';
import { describeAgentContract } from '../../../testing/contracts/agent.js';
import { findProcessesInside } from '../../../testing/crash-harness/find-processes-inside.js';
import { startModelServer, type RunningModelServer } from '../../../testing/model-server/start-model-server.js';
import { AcpAgent } from './acp-agent.js';
import { resolveCodexAcpBinary } from './codex-acp-profile.js';

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const codexAcp = join(repositoryRoot, 'node_modules', '.bin', 'codex-acp');

/** A model the pinned Codex knows with plain tools (`exec_command`, `apply_patch`), as for the codex adapter. */
const SCRIPTED_MODEL = 'gpt-5.5';

describeAgentContract('acp (codex-acp)', {
  capabilities: { resumeSession: true, readOnlyMode: true, structuredOutput: false, reportsCost: false },
  talksToModel: true,
  tokenCounts: 'context-size-only',
  createAgent: (context) =>
    new AcpAgent({
      command: [codexAcp],
      model: SCRIPTED_MODEL,
      baseUrl: context.modelServerUrl,
      apiKey: 'sk-scripted-contract',
      environmentAllowList: context.environmentAllowList,
      parentEnvironment: context.parentEnvironment,
      sandbox: context.sandbox,
      maxRetries: 0,
    }),
});

describe('AcpAgent with codex-acp', () => {
  let root: string;
  let server: RunningModelServer;
  const outside = (): string => join(root, 'outside-the-worktree.txt');

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'nightshift-codex-acp-'));
    server = await startModelServer({
      scenario: {
        tickets: {
          'DEMO-2': {
            C2: [
              { write: { path: outside(), content: 'escaped\n' } },
              { run: { command: `echo escaped > ${outside()}.sh` } },
              { run: { command: 'echo tampered > .git/tampered' } },
              { write: { path: 'inside.txt', content: 'fine\n' } },
              { say: 'tried' },
            ],
          },
          'DEMO-5': { C2: [{ run: { command: 'sleep 30' } }, { say: 'never' }] },
        },
      },
    });
  });
  afterAll(async () => {
    await server.close();
    await rm(root, { recursive: true, force: true });
  });

  const agent = (): AcpAgent => new AcpAgent({ command: [codexAcp], model: SCRIPTED_MODEL, baseUrl: server.url, apiKey: 'sk-hidden', parentEnvironment: process.env, maxRetries: 0 });

  async function stageRequest(ticketId: string, extra: Partial<AgentStageRequest> = {}): Promise<AgentStageRequest> {
    const worktree = await mkdtemp(join(root, `worktree-${ticketId}-`));
    await mkdir(join(worktree, '.git'));
    return {
      batchId: 'b',
      ticketId,
      stage: 'C2',
      attempt: 1,
      prompt: formatScenarioMarkers({ ticketId, stage: 'C2', attempt: 1, worktreePath: worktree }),
      worktreePath: worktree,
      privateDirectory: `${worktree}-private`,
      access: 'edit-worktree',
      timeoutMilliseconds: 30_000,
      ...extra,
    };
  }

  it('starts the native binary of the platform package, not the JS wrapper, and reads its version', async () => {
    expect(resolveCodexAcpBinary(codexAcp)).toEqual({ ok: true, path: join(repositoryRoot, 'node_modules', '@zed-industries', `codex-acp-${process.platform}-${process.arch}`, 'bin', 'codex-acp') });
    expect(await agent().checkAvailable()).toEqual({ ok: true, version: '0.16.0' });
  });

  it("keeps writes inside the worktree at C2 with Codex's sandbox: nothing outside it, nothing in .git", async () => {
    const request = await stageRequest('DEMO-2');
    const result = await agent().runStage(request, () => {});
    expect(result).toMatchObject({ outcome: 'completed', finalText: 'tried' });
    expect(existsSync(outside())).toBe(false);
    expect(existsSync(`${outside()}.sh`)).toBe(false);
    expect(existsSync(join(request.worktreePath, '.git', 'tampered'))).toBe(false);
    expect(readFileSync(join(request.worktreePath, 'inside.txt'), 'utf8')).toBe('fine\n');
  });

  it('tells onProcessStart the process id, and ends the run when the signal aborts', async () => {
    const controller = new AbortController();
    const started: number[] = [];
    const events: AgentEvent[] = [];
    const request = await stageRequest('DEMO-5', { signal: controller.signal, onProcessStart: (processId) => started.push(processId) });
    const result = await agent().runStage(request, (event) => {
      events.push(event);
      if (event.type === 'tool-call') controller.abort();
    });
    expect(started).toHaveLength(1);
    expect(result.outcome).toBe('cancelled');
    expect(events.at(-1)).toMatchObject({ type: 'agent-end', outcome: 'cancelled' });
    expect(await waitUntilNothingRunsInside(request.worktreePath)).toEqual([]);
  });
});

async function waitUntilNothingRunsInside(directory: string): Promise<unknown[]> {
  const deadline = Date.now() + 5_000;
  let found = findProcessesInside(directory);
  while (found.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    found = findProcessesInside(directory);
  }
  return found;
}
