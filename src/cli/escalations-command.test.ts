import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../adapters/stores/sqlite/sqlite-store.js';
import { evaluateEscalationTriggers } from '../domain/escalation-triggers.js';
import { newTicketRun } from '../domain/ticket-run.js';
import { buildBatch, buildTicket } from '../testing/contracts/store-record-builders.js';
import { createGitFixture, type GitFixture } from '../testing/git-fixture.js';
import { runCli, type CliOutcome } from '../testing/run-cli.js';
import { ticketFileText } from '../testing/ticket-file-text.js';

const fixtures: GitFixture[] = [];
afterEach(() => fixtures.splice(0).forEach((fixture) => fixture.cleanup()));

const BATCH = '2024-01-15-overnight';
const SCOPE = { summary: 'Run the tests on every push', files: ['.github/workflows/ci.yml', 'src/index.js'], complexity: 'small' as const };
const PLAN = { plan: ['Add a CI job', 'Run npm test in it'], risks: ['CI minutes'], complexity: 'small' as const, decision_needed: null };

/**
 * A real repository with two escalated tickets and one answered earlier, written through
 * the real SQLite store at `.nightshift/nightshift.db`, the way the pipeline leaves them.
 */
async function repositoryWithEscalations(): Promise<GitFixture> {
  const fixture = createGitFixture({
    files: {
      'tickets/PROJ-1.md': ticketFileText({ id: 'PROJ-1', title: 'Run CI on push' }).replace('complexity: small', 'complexity: small\nstatus: escalated'),
      'tickets/PROJ-2.md': ticketFileText({ id: 'PROJ-2', title: 'Pick a number type' }).replace('complexity: small', 'complexity: small\nstatus: escalated'),
      'tickets/PROJ-3.md': ticketFileText({ id: 'PROJ-3' }),
    },
  });
  fixtures.push(fixture);
  const store = await SqliteStore.open(join(fixture.root, '.nightshift', 'nightshift.db'));
  try {
    const ids = ['PROJ-1', 'PROJ-2', 'PROJ-3'];
    await store.createBatch(buildBatch(BATCH), ids.map((id) => buildTicket(id)), ids.map((id) => newTicketRun(BATCH, id, '2024-01-15T18:00:00.000Z')));
    const decision = evaluateEscalationTriggers({
      ticket: { complexity: 'small', estimatedFiles: ['src/index.js'] },
      scope: SCOPE,
      plan: PLAN,
      policy: { onAgentDecision: true, onComplexityAboveEstimate: true, maxFilesOutsideEstimate: 3, protectedPaths: ['.github/workflows/**'] },
    });
    if (decision === undefined) throw new Error('the fixture expects a protected-paths escalation');
    await store.saveEscalation({
      batchId: BATCH,
      ticketId: 'PROJ-1',
      trigger: decision.trigger,
      question: decision.question,
      options: decision.options,
      context: { scope: SCOPE, plan: PLAN, details: decision.details, alsoFired: decision.alsoFired },
      createdAt: '2024-01-15T23:10:00.000Z',
    });
    await store.saveEscalation({
      batchId: BATCH,
      ticketId: 'PROJ-2',
      trigger: 'agent-decision:architecture',
      question: 'BigInt or Number?\u001b[2J\u001b[31m',
      options: ['BigInt', 'Number'],
      context: { scope: { summary: 'Numbers', files: [] }, plan: { plan: ['Choose'], risks: [], decision_needed: null } },
      createdAt: '2024-01-15T23:20:00.000Z',
    });
    await store.saveEscalation({
      batchId: BATCH,
      ticketId: 'PROJ-3',
      trigger: 'complexity-above-estimate',
      question: 'Go ahead as large?',
      options: [],
      context: null,
      createdAt: '2024-01-15T23:30:00.000Z',
      answer: 'Yes',
      answeredAt: '2024-01-16T08:00:00.000Z',
      answeredBy: 'grace',
    });
  } finally {
    await store.close();
  }
  return fixture;
}

function expectCleanFailure(outcome: CliOutcome, message: RegExp): void {
  expect(outcome.exitCode).toBe(2);
  expect(outcome.stderr).toMatch(message);
  expect(outcome.stderr).not.toMatch(/\n\s+at .+:\d+:\d+|unexpected error/);
}

describe('nightshift escalations', () => {
  it('lists the open escalations, all of them with --all, and as JSON', async () => {
    const fixture = await repositoryWithEscalations();
    const text = await runCli(['escalations', 'list', '--repo', fixture.root]);
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toContain('Open escalations (2):');
    expect(text.stdout).toMatch(/⚠ PROJ-1 {2}protected-paths {2}\(batch 2024-01-15-overnight\)\n {4}The plan changes protected path \.github\/workflows\/ci\.yml: may the agent change it\?/);
    expect(text.stdout).toMatch(/⚠ PROJ-2 {2}agent-decision:architecture[\s\S]*Options: BigInt \| Number/);
    expect(text.stdout).not.toContain('\u001b');
    expect(text.stdout).not.toContain('PROJ-3');
    expect((await runCli(['escalations', '--repo', fixture.root])).stdout).toBe(text.stdout);

    const all = await runCli(['escalations', 'list', '--all', '--repo', fixture.root]);
    expect(all.stdout).toContain('Escalations (3, 2 open):');
    expect(all.stdout).toMatch(/✓ PROJ-3 {2}complexity-above-estimate[\s\S]*Answered by grace: Yes/);

    const json = await runCli(['escalations', 'list', '--all', '--json', '--repo', fixture.root]);
    const parsed = JSON.parse(json.stdout) as { escalations: { ticketId: string; open: boolean; answeredBy: string | null; context?: unknown }[] };
    expect(parsed.escalations.map((entry) => [entry.ticketId, entry.open, entry.answeredBy])).toEqual([
      ['PROJ-1', true, null],
      ['PROJ-2', true, null],
      ['PROJ-3', false, 'grace'],
    ]);
    expect(parsed.escalations[0]).not.toHaveProperty('context');
  });

  it('shows one escalation with its options and the C0/C1 context, readable or as JSON', async () => {
    const fixture = await repositoryWithEscalations();
    const shown = await runCli(['escalations', 'show', 'PROJ-1', '--repo', fixture.root]);
    expect(shown.exitCode).toBe(0);
    expect(shown.stdout).toContain('PROJ-1 escalated in batch 2024-01-15-overnight at 2024-01-15T23:10:00.000Z');
    expect(shown.stdout).toContain('Trigger:  protected-paths');
    expect(shown.stdout).toMatch(/Options:\n {2}1\. Yes, the agent may change \.github\/workflows\/ci\.yml\n {2}2\. /);
    expect(shown.stdout).toContain('Status:   open — answer with: nightshift escalations answer PROJ-1 --text "…"');
    expect(shown.stdout).toMatch(/What the agent found \(C0\):\n {2}Summary: Run the tests on every push\n {2}Files: \.github\/workflows\/ci\.yml, src\/index\.js/);
    expect(shown.stdout).toMatch(/What the agent planned \(C1\):\n {2}1\. Add a CI job\n {2}2\. Run npm test in it\n {2}Risks:\n {4}- CI minutes/);
    expect(shown.stdout).toMatch(/Why:\n {2}\.github\/workflows\/ci\.yml is protected \(\.github\/workflows\/\*\*\)/);

    const json = await runCli(['escalations', 'show', 'PROJ-1', '--json', '--repo', fixture.root]);
    expect(JSON.parse(json.stdout)).toMatchObject({ ticketId: 'PROJ-1', trigger: 'protected-paths', open: true, context: { scope: SCOPE, plan: PLAN } });
  });

  it('answers: records the decision and who gave it, re-queues the ticket in its file, and refuses a second answer', async () => {
    const fixture = await repositoryWithEscalations();
    const answered = await runCli(['escalations', 'answer', 'PROJ-2', '--text', 'Number: values stay below 2^53', '--repo', fixture.root], { environment: { USER: 'ada' } });
    expect(answered.exitCode).toBe(0);
    expect(answered.stdout).toContain('Answered PROJ-2 (batch 2024-01-15-overnight) as ada.');
    expect(answered.stdout).toContain('the next batch takes it again');
    expect(readFileSync(join(fixture.root, 'tickets/PROJ-2.md'), 'utf8')).toMatch(/^status: answered$/m);
    expect(readFileSync(join(fixture.root, 'tickets/PROJ-1.md'), 'utf8')).toMatch(/^status: escalated$/m);

    const shown = await runCli(['escalations', 'show', 'PROJ-2', '--repo', fixture.root]);
    expect(shown.stdout).toMatch(/Status: {3}answered by ada at \d{4}-\d{2}-\d{2}T[\d:.]+Z\nDecision: Number: values stay below 2\^53/);
    const list = await runCli(['escalations', 'list', '--repo', fixture.root]);
    expect(list.stdout).toContain('Open escalations (1):');

    expectCleanFailure(
      await runCli(['escalations', 'answer', 'PROJ-2', '--text', 'BigInt after all', '--repo', fixture.root]),
      /nightshift: ticket PROJ-2 has no open escalation: its latest \(batch 2024-01-15-overnight\) was answered by ada/,
    );

    const byName = await runCli(['escalations', 'answer', 'PROJ-1', '--text', 'Yes', '--by', 'grace', '--json', '--repo', fixture.root], { environment: { USER: 'ada' } });
    expect(JSON.parse(byName.stdout)).toMatchObject({ ticketId: 'PROJ-1', open: false, answer: 'Yes', answeredBy: 'grace', ticketStatus: 'answered' });
  });

  it('refuses bad input with exit code 2 and a clear message', async () => {
    const fixture = await repositoryWithEscalations();
    expectCleanFailure(await runCli(['escalations', 'show', '../etc/PROJ-1', '--repo', fixture.root]), /ticket id "\.\.\/etc\/PROJ-1" is not safe/);
    expectCleanFailure(await runCli(['escalations', 'answer', 'PROJ-1;rm', '--text', 'x', '--repo', fixture.root]), /is not safe/);
    expectCleanFailure(await runCli(['escalations', 'show', 'PROJ-9', '--repo', fixture.root]), /ticket PROJ-9 has no escalation/);
    expectCleanFailure(await runCli(['escalations', 'answer', 'PROJ-9', '--text', 'x', '--repo', fixture.root]), /ticket PROJ-9 has no escalation/);
    expectCleanFailure(await runCli(['escalations', 'answer', 'PROJ-1', '--text', '  ', '--repo', fixture.root]), /answer to PROJ-1's escalation is empty/);
    expectCleanFailure(await runCli(['escalations', 'answer', 'PROJ-1', '--repo', fixture.root]), /required option '--text <decision>' not specified/);
    expect(readFileSync(join(fixture.root, 'tickets/PROJ-1.md'), 'utf8')).toMatch(/^status: escalated$/m);
  });

  it('explains itself in --help, with examples', async () => {
    const help = await runCli(['escalations', '--help']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toMatch(/list[\s\S]*show[\s\S]*answer/);
    expect(help.stdout).toContain('nightshift escalations answer PROJ-145 --text');
    const answerHelp = await runCli(['escalations', 'answer', '--help']);
    expect(answerHelp.stdout).toMatch(/--text <decision>[\s\S]*--by <name>/);
  });
});
