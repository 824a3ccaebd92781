import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { quoteForShell } from '../adapters/agents/command/command-agent.js';
import type { AgentDoctorReport } from '../runtime/agent-doctor.js';
import { createGitFixture, type GitFixture } from '../testing/git-fixture.js';
import { runCli } from '../testing/run-cli.js';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const scriptedAgent = join(projectRoot, 'src', 'testing', 'model-server', 'scripted-command-agent.ts');
const tsxLoader = join(projectRoot, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs');

const fixtures: GitFixture[] = [];
afterEach(() => fixtures.splice(0).forEach((fixture) => fixture.cleanup()));

function repositoryWith(agent: Record<string, unknown>): string {
  const fixture = createGitFixture({ files: { 'nightshift.yaml': stringify({ agent }) } });
  fixtures.push(fixture);
  return fixture.root;
}

describe('nightshift agents doctor', () => {
  it('passes the configured Claude Code: binary, version, smoke test, read-only enforced', async () => {
    const outcome = await runCli(['agents', 'doctor', '--repo', repositoryWith({ kind: 'claude-code', model: 'claude-sonnet-4-5' })]);
    expect(outcome.stderr).not.toMatch(/error/i);
    expect(outcome.exitCode).toBe(0);
    expect(outcome.stdout).toMatch(/^✓ claude-code$/m);
    expect(outcome.stdout).toMatch(/binary {6}✓ found: \d+\.\d+\.\d+/);
    expect(outcome.stdout).toMatch(/smoke test {2}✓ passed: one C0 turn/);
    expect(outcome.stdout).toMatch(/read-only {3}✓ enforced/);
    expect(outcome.stdout).toMatch(/sandbox {5}✓ active: bubblewrap/);
    expect(outcome.stdout).toMatch(/All 1 agent\(s\) ready\./);
  });

  it('runs a command agent as configured, which may play the scripted scenario itself; no read-only mode is declared', async () => {
    const command = `node --import ${quoteForShell(tsxLoader)} ${quoteForShell(scriptedAgent)} {prompt_file} "$NIGHTSHIFT_SCENARIO_FILE"`;
    const outcome = await runCli(['agents', 'doctor', '--json', '--repo', repositoryWith({ kind: 'command', command })]);
    expect(outcome.exitCode).toBe(0);
    const report = JSON.parse(outcome.stdout) as AgentDoctorReport;
    expect(report.checks).toEqual([
      expect.objectContaining({
        label: 'command',
        ok: true,
        smokeTest: expect.objectContaining({ status: 'passed' }),
        // The agent has no read-only mode of its own; the bubblewrap sandbox keeps the worktree read-only at C0.
        readOnly: { status: 'enforced', detail: expect.stringMatching(/did not land: the agent has no read-only mode, but the sandbox keeps the worktree read-only/) },
        sandbox: expect.objectContaining({ status: 'active' }),
      }),
    ]);
  });

  it('exits 3 when an agent is not ready, and 2 for a kind that is not registered', async () => {
    const missing = await runCli(['agents', 'doctor', '--repo', repositoryWith({ kind: 'claude-code', binary: '/nonexistent/claude' })]);
    expect(missing.exitCode).toBe(3);
    expect(missing.stdout).toMatch(/^✗ claude-code$/m);
    expect(missing.stdout).toMatch(/binary {6}✗ claude not found at \/nonexistent\/claude/);
    expect(missing.stdout).toMatch(/1 of 1 agent\(s\) not ready\./);

    const unknown = await runCli(['agents', 'doctor', '--kind', 'no-such-agent', '--repo', repositoryWith({ kind: 'claude-code' })]);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(/--kind "no-such-agent" is not a registered agent kind; use one of: claude-code, /);
  });
});
