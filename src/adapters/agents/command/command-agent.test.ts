import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentEvent, AgentStageRequest } from '../../../ports/agent.js';
import { describeAgentContract } from '../../../testing/contracts/agent.js';
import { absolutePathsIn, CommandAgent, fillCommandTemplate, quoteForShell } from './command-agent.js';

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const scriptedAgent = join(repositoryRoot, 'src', 'testing', 'model-server', 'scripted-command-agent.ts');
const tsxLoader = join(repositoryRoot, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs');

describeAgentContract('command', {
  capabilities: { resumeSession: false, readOnlyMode: false, structuredOutput: false, reportsCost: false },
  talksToModel: false,
  createAgent: (context) =>
    new CommandAgent({
      commandTemplate: `node --import ${quoteForShell(tsxLoader)} ${quoteForShell(scriptedAgent)} {prompt_file} ${quoteForShell(context.scenarioPath)}`,
      environmentAllowList: context.environmentAllowList,
      parentEnvironment: context.parentEnvironment,
      sandbox: context.sandbox,
    }),
});

describe('CommandAgent', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'nightshift-command-agent-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const request = (prompt: string): AgentStageRequest => ({
    batchId: 'b',
    ticketId: 'DEMO-7',
    stage: 'C1',
    attempt: 2,
    prompt,
    worktreePath: root,
    privateDirectory: join(root, 'private'),
    access: 'read-only',
    timeoutMilliseconds: 20_000,
  });

  it('passes the prompt as a quoted file path and the stage as variables, never as command text', async () => {
    const agent = new CommandAgent({
      commandTemplate: 'printf "%s|%s|%s|%s|%s|" "$NIGHTSHIFT_STAGE" "$NIGHTSHIFT_TICKET" "$NIGHTSHIFT_ACCESS" "$NIGHTSHIFT_ATTEMPT" "$NIGHTSHIFT_WORKTREE"; cat {prompt_file}',
      parentEnvironment: process.env,
    });
    const hostile = "it's $(touch pwned) `id` \"quoted\"\nnext line";
    const events: AgentEvent[] = [];
    const result = await agent.runStage(request(hostile), (event) => events.push(event));
    expect(result).toMatchObject({ outcome: 'completed', finalText: `C1|DEMO-7|read-only|2|${root}|${hostile}`, exitCode: 0 });
    expect(events.filter((event) => event.type === 'text-delta').map((event) => (event as { text: string }).text).join('')).toContain(hostile);
    expect(await readFile(join(root, 'private', 'prompt-C1-attempt-2.md'), 'utf8')).toBe(hostile);
  });

  it('fails with the tail of stderr when the command exits non-zero', async () => {
    const agent = new CommandAgent({ commandTemplate: 'echo working; echo "model unreachable" >&2; exit 3', parentEnvironment: process.env });
    const result = await agent.runStage(request('p'), () => {});
    expect(result).toMatchObject({ outcome: 'failed', finalText: 'working', exitCode: 3, errorMessage: 'the agent command failed with exit code 3: model unreachable' });
  });

  it('checks that the program of the template exists', async () => {
    expect(await new CommandAgent({ commandTemplate: 'no-such-agent-program --go {prompt_file}', parentEnvironment: process.env }).checkAvailable()).toEqual({
      ok: false,
      problem: 'no-such-agent-program (from agent.command) is not found on PATH',
    });
    expect(await new CommandAgent({ commandTemplate: 'sh -c true', parentEnvironment: process.env }).checkAvailable()).toMatchObject({ ok: true });
  });

  it('finds the absolute paths a template names, quoted or bare, for the sandbox to keep readable', () => {
    expect(absolutePathsIn(`node --import '/opt/a b/loader.mjs' /srv/agent.js {prompt_file} "/etc/agent.json" "$HOME/x" relative/y`)).toEqual([
      '/opt/a b/loader.mjs',
      '/srv/agent.js',
      '/etc/agent.json',
    ]);
  });

  it('quotes paths for sh', () => {
    expect(fillCommandTemplate('aider --message-file {prompt_file}', "/tmp/a b/it's.md")).toBe(`aider --message-file '/tmp/a b/it'\\''s.md'`);
  });
});
