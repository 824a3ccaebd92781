import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatScenarioMarkers } from '../../../domain/scenario-markers.js';
import type { Stage } from '../../../domain/stage.js';
import type { AgentEvent } from '../../../ports/agent.js';
import { startModelServer, type RunningModelServer } from '../../../testing/model-server/start-model-server.js';
import { AcpAgent } from './acp-agent.js';

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const opencode = join(repositoryRoot, 'node_modules', '.bin', 'opencode');

/**
 * Not the contract suite: `opencode acp` (1.18.33) takes six to nine seconds before its first
 * model call, so the suite's eleven cases need about ninety seconds and its five-second timeout
 * case ends OpenCode before it ran anything (all other cases passed when run). These cases cover
 * what the ACP adapter adds for OpenCode: edits asked and allowed at C2, nothing but reading at
 * C0, a 429 surfaced with its reset.
 */
describe('AcpAgent with opencode acp', () => {
  let root: string;
  let server: RunningModelServer;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'nightshift-opencode-acp-'));
    server = await startModelServer({
      scenario: {
        tickets: {
          'OC-1': {
            C0: [{ write: { path: 'written-at-c0.txt', content: 'no' } }, { run: { command: 'echo no > ran-at-c0.txt' } }, { report: { summary: 's', files: [] } }],
            C2: [{ write: { path: 'notes/new.txt', content: 'one\n' } }, { edit: { path: 'notes/new.txt', old: 'one', new: 'two' } }, { run: { command: 'echo hi > ran.txt' } }, { say: 'done' }],
          },
          'OC-2': { C0: [{ fail: { status: 429, retry_after_seconds: 3600, message: 'rate limited by the test' } }, { say: 'after the limit' }] },
        },
      },
    });
  });
  afterAll(async () => {
    await server.close();
    await rm(root, { recursive: true, force: true });
  });

  async function run(ticketId: string, stage: Stage) {
    const worktree = await mkdtemp(join(root, 'worktree-'));
    execFileSync('git', ['init', '-q'], { cwd: worktree });
    await writeFile(join(worktree, 'README.md'), '# readme\n');
    const events: AgentEvent[] = [];
    const agent = new AcpAgent({ command: [opencode, 'acp'], model: 'scripted-model', baseUrl: server.url, apiKey: 'sk-scripted', parentEnvironment: process.env, maxRetries: 0 });
    const result = await agent.runStage(
      {
        batchId: 'b',
        ticketId,
        stage,
        attempt: 1,
        prompt: formatScenarioMarkers({ ticketId, stage, attempt: 1, worktreePath: worktree }),
        worktreePath: worktree,
        privateDirectory: `${worktree}-private`,
        access: stage === 'C2' ? 'edit-worktree' : 'read-only',
        timeoutMilliseconds: 45_000,
      },
      (event) => events.push(event),
    );
    return { result, events, worktree };
  }

  it('writes, edits and runs a command at C2 (OpenCode asks, Nightshift allows), refusing nothing', async () => {
    const { result, worktree, events } = await run('OC-1', 'C2');
    expect(result).toMatchObject({ outcome: 'completed', finalText: 'done' });
    expect(readFileSync(join(worktree, 'notes', 'new.txt'), 'utf8')).toBe('two\n');
    expect(readFileSync(join(worktree, 'ran.txt'), 'utf8')).toBe('hi\n');
    expect(result.usage.inputTokens).toBeGreaterThan(0);
    expect(events.filter((event) => event.type === 'permission-refused')).toEqual([]);
  });

  it('cannot write files or run commands at C0', async () => {
    const { result, worktree } = await run('OC-1', 'C0');
    expect(result.outcome).toBe('completed');
    expect(existsSync(join(worktree, 'written-at-c0.txt'))).toBe(false);
    expect(existsSync(join(worktree, 'ran-at-c0.txt'))).toBe(false);
  });

  it('surfaces an HTTP 429 as rate-limited with its reset time', async () => {
    const { result, events } = await run('OC-2', 'C0');
    expect(result.outcome).toBe('rate-limited');
    expect(result.rateLimit?.retryAfterSeconds).toBe(3600);
    expect(events.some((event) => event.type === 'rate-limit')).toBe(true);
  });
});
