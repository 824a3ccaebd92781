import { afterEach, describe, expect, it } from 'vitest';
import { createGitFixture, type GitFixture } from '../testing/git-fixture.js';
import { runCli } from '../testing/run-cli.js';
import { ticketFileText } from '../testing/ticket-file-text.js';

const fixtures: GitFixture[] = [];
afterEach(() => fixtures.splice(0).forEach((fixture) => fixture.cleanup()));

function repositoryWithTickets(files: Record<string, string>): GitFixture {
  const fixture = createGitFixture({ files: { 'README.md': '# test\n', ...files } });
  fixtures.push(fixture);
  return fixture;
}

const SEED_MANIFEST = `batch_id: "<BATCH_ID>"
created_at: "<CREATED_AT>"
config:
  max_tickets: 20
  timeout_per_ticket: 30m
  parallel_agents: 3
tickets:
  - id: "PROJ-142"
    priority: high
    complexity: medium
    estimated_files: ["src/auth.py", "tests/test_auth.py"]
    dependencies: []
  - id: "PROJ-138"
    priority: medium
    complexity: small
    estimated_files: ["src/utils.py"]
    dependencies: []
  - id: "PROJ-145"
    priority: medium
    complexity: large
    estimated_files: ["src/api/*", "src/models/*"]
    dependencies: ["PROJ-142"] # Must complete first
status: pending # pending → running → completed → reviewed
`;

describe('nightshift intake', () => {
  it('prints the seed example manifest exactly, PROJ-145 after PROJ-142, and writes nothing on --dry-run', async () => {
    const fixture = repositoryWithTickets({
      'tickets/PROJ-145.md': ticketFileText({ id: 'PROJ-145', complexity: 'large', estimatedFiles: ['src/api/*', 'src/models/*'], dependencies: ['PROJ-142'] }),
      'tickets/PROJ-142.md': ticketFileText({ id: 'PROJ-142', priority: 'high', complexity: 'medium', estimatedFiles: ['src/auth.py', 'tests/test_auth.py'] }),
      'tickets/PROJ-138.md': ticketFileText({ id: 'PROJ-138', complexity: 'small', estimatedFiles: ['src/utils.py'] }),
    });
    const outcome = await runCli(['intake', '--dry-run', '--repo', fixture.root]);
    expect(outcome.exitCode).toBe(0);
    const normalized = outcome.stdout
      .replace(/^batch_id: "\d{4}-\d{2}-\d{2}-overnight"$/m, 'batch_id: "<BATCH_ID>"')
      .replace(/^created_at: "\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z"$/m, 'created_at: "<CREATED_AT>"');
    expect(normalized).toBe(SEED_MANIFEST);
    expect(outcome.stderr).toContain('dry run');
    expect(fixture.git(['status', '--porcelain'])).toBe('');
  });

  it('writes the manifest, and tells the author of a refused ticket why, in the ticket file', async () => {
    const fixture = repositoryWithTickets({
      'tickets/PROJ-1.md': ticketFileText({ id: 'PROJ-1' }),
      'tickets/PROJ-2.md': ticketFileText({ id: 'PROJ-2', acceptanceCriteria: [], openQuestions: ['Which database?'] }),
    });
    const outcome = await runCli(['intake', '--json', '--repo', fixture.root]);
    expect(outcome.exitCode).toBe(0);
    const report = JSON.parse(outcome.stdout) as { batchId: string; selected: string[]; refused: { ticketId: string; reasons: string[] }[]; manifestPath: string };
    expect(report.selected).toEqual(['PROJ-1']);
    expect(report.refused).toHaveLength(1);
    expect(report.refused[0]?.ticketId).toBe('PROJ-2');
    expect(report.refused[0]?.reasons.join(' ')).toMatch(/acceptance criteria/i);
    expect(report.refused[0]?.reasons.join(' ')).toMatch(/Which database\?/);
    expect(report.manifestPath).toContain(`.nightshift/batches/${report.batchId}/manifest.yaml`);
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(`${fixture.root}/tickets/PROJ-2.md`, 'utf8')).toMatch(/readiness:[\s\S]*missing_required/);
  });

  it('refuses unsafe ids, duplicates, unknown dependencies and cycles with reasons naming the file', async () => {
    const fixture = repositoryWithTickets({
      'tickets/evil.md': ticketFileText({ id: '../../etc/PROJ-1' }),
      'tickets/shell.md': ticketFileText({ id: 'PROJ-1;rm -rf ~' }),
      'tickets/a.md': ticketFileText({ id: 'PROJ-7' }),
      'tickets/b.md': ticketFileText({ id: 'PROJ-7' }),
      'tickets/c.md': ticketFileText({ id: 'PROJ-8', dependencies: ['PROJ-404'] }),
      'tickets/d.md': ticketFileText({ id: 'PROJ-9', dependencies: ['PROJ-10'] }),
      'tickets/e.md': ticketFileText({ id: 'PROJ-10', dependencies: ['PROJ-9'] }),
      'tickets/f.md': ticketFileText({ id: 'PROJ-11', priority: 'urgent' }),
    });
    const outcome = await runCli(['intake', '--dry-run', '--repo', fixture.root]);
    expect(outcome.exitCode).toBe(0);
    expect(outcome.stderr).toMatch(/tickets\/evil\.md.*id.*not safe/);
    expect(outcome.stderr).toMatch(/tickets\/shell\.md.*id.*not safe/);
    expect(outcome.stderr).toMatch(/tickets\/f\.md.*priority.*high.*medium.*low/);
    expect(outcome.stderr).toMatch(/Refused PROJ-7[\s\S]*duplicate/i);
    expect(outcome.stderr).toMatch(/Refused PROJ-8[\s\S]*PROJ-404/);
    expect(outcome.stderr).toMatch(/PROJ-9 → PROJ-10 → PROJ-9|PROJ-10 → PROJ-9 → PROJ-10/);
    expect(outcome.stdout).not.toMatch(/PROJ-(7|8|9|10|11)"/);
    expect(outcome.stdout + outcome.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });
});
