import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type AgentConfig } from '../config/nightshift-config.js';
import { createAgent, createSingleAgent } from './agent-registry.js';
import { UserFacingError } from './user-facing-error.js';

describe('agent.sandbox in the agent registry', () => {
  let root: string;
  let environment: Record<string, string>;
  const config = (sandbox: AgentConfig['sandbox']): AgentConfig => ({ ...DEFAULT_CONFIG.agent, kind: 'command', commandTemplate: 'cat "$HOME/../key.txt"; echo ran', sandbox });

  beforeAll(() => {
    root = realpathSync(mkdtempSync(join(tmpdir(), 'nightshift-registry-sandbox-')));
    // A PATH with a shell and cat but no bwrap.
    const bin = join(root, 'bin');
    mkdirSync(bin);
    for (const program of ['sh', 'cat', 'echo']) symlinkSync(`/bin/${program}`, join(bin, program));
    mkdirSync(join(root, 'worktree'));
    mkdirSync(join(root, 'private'));
    writeFileSync(join(root, 'private', 'key.txt'), 'readable without a sandbox\n');
    environment = { PATH: bin, HOME: join(root, 'orchestrator-home') };
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('runs the agent without bwrap when agent.sandbox is off', async () => {
    const agent = createSingleAgent(config('off'), environment, root);
    const result = await agent.runStage(
      { batchId: 'b', ticketId: 'T-1', stage: 'C2', attempt: 1, prompt: 'p', worktreePath: join(root, 'worktree'), privateDirectory: join(root, 'private'), access: 'edit-worktree', timeoutMilliseconds: 20_000 },
      () => {},
    );
    expect(result).toMatchObject({ outcome: 'completed', finalText: 'readable without a sandbox\nran' });
  });

  it('refuses agent.sandbox: bubblewrap without bwrap, naming nightshift.yaml, the field and what it expected', () => {
    expect(() => createSingleAgent(config('bubblewrap'), environment, root)).toThrow(UserFacingError);
    expect(() => createAgent(config('bubblewrap'), environment, root)).toThrow(
      /^nightshift\.yaml: agent\.sandbox is "bubblewrap" but bwrap \(bubblewrap\) is not on PATH; expected a working bwrap/,
    );
  });

  it('falls back to no sandbox for auto without bwrap, and says so once', () => {
    const warnings: string[] = [];
    createAgent({ ...config('auto'), failover: [{ kind: 'command', commandTemplate: 'true', extraArguments: [], environmentAllowList: [] }] }, environment, root, { onWarning: (warning) => warnings.push(warning) });
    expect(warnings).toEqual([expect.stringMatching(/^agent\.sandbox is "auto" and bwrap \(bubblewrap\) is not on PATH: agents run without an OS sandbox/)]);
  });
});

describe('the agent: section reaches every model-calling adapter alike', () => {
  it('gives Claude Code agent.max_retries (it used to reach only Codex, Gemini and ACP)', async () => {
    const root = realpathSync(mkdtempSync(join(tmpdir(), 'nightshift-registry-retries-')));
    try {
      mkdirSync(join(root, 'worktree'));
      mkdirSync(join(root, 'private'));
      // A stand-in `claude` that records the retry setting it was started with.
      const binary = join(root, 'claude');
      writeFileSync(binary, '#!/bin/sh\necho "$CLAUDE_CODE_MAX_RETRIES" > retries.txt\n', { mode: 0o755 });
      const agent = createSingleAgent({ ...DEFAULT_CONFIG.agent, kind: 'claude-code', binary, maxRetries: 0, sandbox: 'off' }, { PATH: process.env.PATH ?? '/usr/bin:/bin' }, root);
      await agent.runStage(
        { batchId: 'b', ticketId: 'T-1', stage: 'C2', attempt: 1, prompt: 'p', worktreePath: join(root, 'worktree'), privateDirectory: join(root, 'private'), access: 'edit-worktree', timeoutMilliseconds: 20_000 },
        () => {},
      );
      expect(readFileSync(join(root, 'worktree', 'retries.txt'), 'utf8')).toBe('0\n');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
