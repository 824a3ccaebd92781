import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatScenarioMarkers } from '../../../domain/scenario-markers.js';
import type { AgentEvent, AgentStageRequest } from '../../../ports/agent.js';
import { startModelServer, type RunningModelServer } from '../../../testing/model-server/start-model-server.js';
import { formatAcpScript, scriptedAcpAgentSource, type ScriptedAcpStep } from '../../../testing/scripted-acp-agent.js';
import { AcpAgent, type AcpAgentSettings } from './acp-agent.js';

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const claudeAgentAcp = join(repositoryRoot, 'node_modules', '.bin', 'claude-agent-acp');

describe('AcpAgent with a scripted ACP agent', () => {
  let root: string;
  let script: string;
  const secret = (): string => join(root, 'outside', 'secret.txt');

  beforeAll(async () => {
    root = await realpath(await mkdtemp(join(tmpdir(), 'nightshift-acp-agent-')));
    script = join(root, 'scripted-acp-agent.mjs');
    await writeFile(script, scriptedAcpAgentSource());
    await mkdir(join(root, 'outside'));
    await writeFile(secret(), 'secret');
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  const agent = (overrides: Partial<AcpAgentSettings> = {}): AcpAgent =>
    new AcpAgent({ name: 'scripted', command: [process.execPath, script], parentEnvironment: { PATH: process.env.PATH }, ...overrides });

  async function run(steps: (worktree: string) => ScriptedAcpStep[], request: Partial<AgentStageRequest> = {}, settings: Partial<AcpAgentSettings> = {}) {
    const worktree = await mkdtemp(join(root, 'worktree-'));
    await mkdir(join(worktree, '.git'));
    await writeFile(join(worktree, 'README.md'), '# readme\n');
    const events: AgentEvent[] = [];
    const result = await agent(settings).runStage(
      {
        batchId: 'b',
        ticketId: 'T-1',
        stage: 'C2',
        attempt: 1,
        prompt: `Follow the script.\n${formatAcpScript(steps(worktree))}`,
        worktreePath: worktree,
        privateDirectory: `${worktree}-private`,
        access: 'edit-worktree',
        timeoutMilliseconds: 20_000,
        ...request,
      },
      (event) => events.push(event),
    );
    const report = result.outcome === 'completed' ? (JSON.parse(result.finalText) as { model: string; results: string[] }) : undefined;
    return { result, events, worktree, report };
  }

  it('answers file requests and permission asks by the C2 policy, and logs every refusal', async () => {
    const { result, events, worktree, report } = await run((worktree) => [
      { write: join(worktree, 'notes', 'new.txt'), content: 'inside\n' },
      { read: join(worktree, 'notes', 'new.txt') },
      { write: join(root, 'outside', 'planted.txt'), content: 'no' },
      { write: join(worktree, '.git', 'hooks', 'pre-commit'), content: 'no' },
      { read: secret() },
      { ask: 'edit', title: 'Edit README.md', path: join(worktree, 'README.md') },
      { ask: 'execute', title: 'npm test' },
      { ask: 'edit', title: 'Edit the secret', path: secret() },
      { ask: 'fetch', title: 'Fetch https://example.com' },
    ]);
    expect(result).toMatchObject({ outcome: 'completed', usage: { inputTokens: 11, outputTokens: 7 } });
    expect(report?.results).toEqual([
      'written',
      'inside\n',
      expect.stringContaining('outside the worktree'),
      expect.stringContaining(".git directory"),
      expect.stringContaining('outside the worktree'),
      'yes',
      'yes',
      'no',
      'no',
    ]);
    expect(readFileSync(join(worktree, 'notes', 'new.txt'), 'utf8')).toBe('inside\n');
    expect(existsSync(join(root, 'outside', 'planted.txt'))).toBe(false);
    expect(existsSync(join(worktree, '.git', 'hooks'))).toBe(false);
    const refused = events.filter((event) => event.type === 'permission-refused');
    expect(refused.map((event) => (event.type === 'permission-refused' ? event.tool : ''))).toEqual([
      'fs/write_text_file',
      'fs/write_text_file',
      'fs/read_text_file',
      'Edit the secret',
      'Fetch https://example.com',
    ]);
    expect(refused.at(-1)).toMatchObject({ reason: 'agents get no web access' });
    expect(events.filter((event) => event.type === 'tool-call').map((event) => (event.type === 'tool-call' ? event.tool : ''))).toEqual(['edit', 'execute', 'edit', 'fetch', 'think']);
    expect(events.find((event) => event.type === 'usage')).toMatchObject({ usage: { inputTokens: 11, outputTokens: 7 } });
  });

  it('allows reads and nothing else at C0/C1', async () => {
    const { result, worktree, report, events } = await run(
      (worktree) => [
        { read: join(worktree, 'README.md') },
        { write: join(worktree, 'written-at-c0.txt'), content: 'no' },
        { ask: 'read', title: 'Read README.md', path: join(worktree, 'README.md') },
        { ask: 'edit', title: 'Edit README.md', path: join(worktree, 'README.md') },
        { ask: 'execute', title: 'ls' },
      ],
      { stage: 'C0', access: 'read-only' },
    );
    expect(result.outcome).toBe('completed');
    expect(report?.results).toEqual(['# readme\n', expect.stringContaining('read-only'), 'yes', 'no', 'no']);
    expect(existsSync(join(worktree, 'written-at-c0.txt'))).toBe(false);
    expect(events.filter((event) => event.type === 'permission-refused')).toHaveLength(3);
  });

  it('sets a configured model through the session’s model option, and declares nothing it cannot vouch for', async () => {
    const { report } = await run(() => [], {}, { model: 'chosen-model' });
    expect(report?.model).toBe('chosen-model');
    expect(agent().capabilities).toEqual({ resumeSession: false, readOnlyMode: false, structuredOutput: false, reportsCost: false });
  });

  it('fails with the agent’s stderr when it dies during the turn, and when asked to resume what it cannot', async () => {
    const crashed = await run(() => [{ say: 'about to fail' }, { crash: 'scripted crash: out of memory' }]);
    expect(crashed.result.outcome).toBe('failed');
    expect(crashed.result.errorMessage).toMatch(/exited with code 3 during prompt: .*scripted crash: out of memory/s);
    expect(crashed.events.at(-1)).toMatchObject({ type: 'agent-end', outcome: 'failed' });

    const resumed = await run(() => [], { resumeSessionId: 'scripted-session' });
    expect(resumed.result).toMatchObject({ outcome: 'failed', errorMessage: expect.stringContaining('cannot resume a session') });
  });

  it('reads the agent’s version from the ACP initialize, and says clearly when the program is missing', async () => {
    expect(await agent().checkAvailable()).toEqual({ ok: true, version: '9.8.7' });
    const missing = agent({ command: [join(root, 'no-such-agent')] });
    expect(await missing.checkAvailable()).toEqual({ ok: false, problem: `no-such-agent not found at ${join(root, 'no-such-agent')} — install the ACP agent or fix agent.acp_command` });
    const events: AgentEvent[] = [];
    const worktree = await mkdtemp(join(root, 'worktree-'));
    const result = await missing.runStage(
      { batchId: 'b', ticketId: 'T-1', stage: 'C0', attempt: 1, prompt: 'p', worktreePath: worktree, privateDirectory: `${worktree}-private`, access: 'read-only', timeoutMilliseconds: 5_000 },
      (event) => events.push(event),
    );
    expect(result).toMatchObject({ outcome: 'failed', errorMessage: expect.stringContaining('not found') });
    expect(events.map((event) => event.type)).toEqual(['agent-start', 'agent-end']);
  });
});

describe('AcpAgent with claude-agent-acp', () => {
  let root: string;
  let server: RunningModelServer;
  const outside = (): string => join(root, 'outside-the-worktree.txt');

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'nightshift-claude-acp-'));
    server = await startModelServer({
      scenario: {
        tickets: {
          'DEMO-1': {
            C2: [
              { write: { path: outside(), content: 'escaped\n' } },
              { write: { path: '.git/tampered', content: 'tampered\n' } },
              { write: { path: 'inside.txt', content: 'fine\n' } },
              { say: 'tried' },
            ],
          },
        },
      },
    });
  });
  afterAll(async () => {
    await server.close();
    await rm(root, { recursive: true, force: true });
  });

  it('reads the version of the pinned agent from the ACP initialize', async () => {
    expect(await new AcpAgent({ command: [claudeAgentAcp], parentEnvironment: process.env }).checkAvailable()).toEqual({ ok: true, version: '0.23.1' });
  });

  it('refuses the writes Claude asks for outside the worktree and into .git at C2, logging each, and lets it go on', async () => {
    const worktree = await mkdtemp(join(root, 'worktree-'));
    await mkdir(join(worktree, '.git'));
    const events: AgentEvent[] = [];
    const result = await new AcpAgent({ command: [claudeAgentAcp], baseUrl: server.url, apiKey: 'sk-ant-hidden', parentEnvironment: process.env, maxRetries: 0 }).runStage(
      {
        batchId: 'b',
        ticketId: 'DEMO-1',
        stage: 'C2',
        attempt: 1,
        prompt: formatScenarioMarkers({ ticketId: 'DEMO-1', stage: 'C2', attempt: 1, worktreePath: worktree }),
        worktreePath: worktree,
        privateDirectory: `${worktree}-private`,
        access: 'edit-worktree',
        timeoutMilliseconds: 30_000,
      },
      (event) => events.push(event),
    );
    expect(result).toMatchObject({ outcome: 'completed', finalText: 'tried' });
    expect(existsSync(outside())).toBe(false);
    expect(existsSync(join(worktree, '.git', 'tampered'))).toBe(false);
    expect(readFileSync(join(worktree, 'inside.txt'), 'utf8')).toBe('fine\n');
    const refused = events.filter((event) => event.type === 'permission-refused');
    // Claude Code asks twice for a write outside its working directory (the directory, then the write).
    const reasons = refused.map((event) => (event.type === 'permission-refused' ? event.reason : ''));
    expect(reasons).toContain(`${outside()} is outside the worktree`);
    expect(reasons.some((reason) => reason.endsWith("tampered is inside the worktree's .git directory"))).toBe(true);
    expect(reasons.every((reason) => reason.includes('outside the worktree') || reason.includes('.git directory'))).toBe(true);
  });
});
