import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createGitFixture, type GitFixture } from '../testing/git-fixture.js';
import { runCli } from '../testing/run-cli.js';

const fixtures: GitFixture[] = [];
afterEach(() => fixtures.splice(0).forEach((fixture) => fixture.cleanup()));

describe('nightshift init', () => {
  it('writes a starter config that loads cleanly and an example ticket, and never overwrites without --force', async () => {
    const fixture = createGitFixture({ files: { 'README.md': '# x\n' } });
    fixtures.push(fixture);
    const first = await runCli(['init', '--repo', fixture.root]);
    expect(first.exitCode).toBe(0);
    expect(readFileSync(`${fixture.root}/nightshift.yaml`, 'utf8')).toMatch(/max_tickets: 20/);
    expect(readFileSync(`${fixture.root}/tickets/EXAMPLE-1.md`, 'utf8')).toMatch(/## Agent Readiness/);

    const intake = await runCli(['intake', '--dry-run', '--repo', fixture.root]);
    expect(intake.exitCode).toBe(0);
    expect(intake.stderr).not.toMatch(/warning/);

    const again = await runCli(['init', '--repo', fixture.root]);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toMatch(/already exists.*--force/);
  });
});
