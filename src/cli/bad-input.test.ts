import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createGitFixture, type GitFixture } from '../testing/git-fixture.js';
import { runCli, type CliOutcome } from '../testing/run-cli.js';
import { ticketFileText } from '../testing/ticket-file-text.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

function repository(files: Record<string, string>): GitFixture {
  const fixture = createGitFixture({ files: { 'tickets/PROJ-1.md': ticketFileText({ id: 'PROJ-1' }), ...files } });
  cleanups.push(() => fixture.cleanup());
  return fixture;
}

/** A clear error: a message for people, the right exit code, and never a stack trace. */
function expectClearError(outcome: CliOutcome, exitCode: number, message: RegExp): void {
  expect(outcome.exitCode).toBe(exitCode);
  expect(outcome.stderr).toMatch(message);
  expect(outcome.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  expect(outcome.stderr).not.toMatch(/unexpected error/);
}

describe('bad input reaches the user as a clear error', () => {
  it('a directory that is not a git repository (exit 3)', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'nightshift-not-git-'));
    cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
    expectClearError(await runCli(['intake', '--repo', directory]), 3, /not a git repository/);
  });

  it('malformed YAML in nightshift.yaml names the file and line (exit 2)', async () => {
    const fixture = repository({ 'nightshift.yaml': 'batch:\n  max_tickets: [5\n' });
    expectClearError(await runCli(['intake', '--dry-run', '--repo', fixture.root]), 2, /nightshift\.yaml:\d+(:\d+)?/);
  });

  it('a mistyped value names the key and what was expected (exit 2)', async () => {
    const fixture = repository({ 'nightshift.yaml': 'batch:\n  parallel_agents: three\n' });
    expectClearError(await runCli(['intake', '--dry-run', '--repo', fixture.root]), 2, /nightshift\.yaml:2:\d+ batch\.parallel_agents: expected/);
  });

  it('an unknown key is a warning with a suggestion, and the command still runs', async () => {
    const fixture = repository({ 'nightshift.yaml': 'batch:\n  max_tikets: 5\n' });
    const outcome = await runCli(['intake', '--dry-run', '--repo', fixture.root]);
    expect(outcome.exitCode).toBe(0);
    expect(outcome.stderr).toMatch(/warning: nightshift\.yaml:2:\d+ batch\.max_tikets.*max_tickets/);
  });

  it('a base branch that does not exist (exit 3)', async () => {
    const fixture = repository({ 'nightshift.yaml': 'repository:\n  base_branch: trunk\n' });
    expectClearError(await runCli(['intake', '--dry-run', '--repo', fixture.root]), 3, /base branch "trunk" does not exist/);
  });

  it('an agent binary that is missing stops `run` before any ticket is touched (exit 3)', async () => {
    const fixture = repository({ 'nightshift.yaml': 'agent:\n  kind: claude-code\n  binary: /nonexistent/claude\n' });
    const outcome = await runCli(['run', '--repo', fixture.root]);
    expectClearError(outcome, 3, /agent "claude-code" cannot run: .*\/nonexistent\/claude/);
    expect(fixture.git(['branch', '--list', 'agent/*'])).toBe('');
  });

  it('a command agent without its command (exit 2)', async () => {
    const fixture = repository({ 'nightshift.yaml': 'agent:\n  kind: command\n' });
    expectClearError(await runCli(['intake', '--dry-run', '--repo', fixture.root]), 2, /agent\.command/);
  });

  it('an unknown batch (exit 2)', async () => {
    const fixture = repository({});
    expectClearError(await runCli(['review', '--batch', '2020-01-01-overnight', '--repo', fixture.root]), 2, /no batch named 2020-01-01-overnight/);
  });

  it('an invalid scenario for the model server names the field (exit 2)', async () => {
    const fixture = repository({ 'scenario.yaml': 'tickets:\n  PROJ-1:\n    C0:\n      - wrte: { path: a }\n' });
    expectClearError(await runCli(['model-server', '--scenario', `${fixture.root}/scenario.yaml`]), 2, /tickets\.PROJ-1\.C0\[0\]: expected an object with exactly one of/);
  });

  it('an unknown option teaches where to look (exit 2)', async () => {
    const outcome = await runCli(['intake', '--dryrun']);
    expect(outcome.exitCode).toBe(2);
    expect(outcome.stderr).toMatch(/unknown option '--dryrun'[\s\S]*--help/);
  });
});
