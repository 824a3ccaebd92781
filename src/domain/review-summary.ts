import { matchAcceptanceEvidence } from './acceptance-evidence.js';
import { escapeMarkdownText, formatCost, formatCount, formatPercentage, formatPoints, markdownCodeSpan } from './markdown-text.js';
import type { QualityScore } from './quality-score.js';
import { checksHeadline, renderChecksSection, reportedTests, type ReviewCheck } from './review-summary-checks.js';
import { countSecurityFlags, type SecurityFinding } from './secret-scan.js';
import type { ImplementationOutput, PlanOutput, ScopeOutput } from './stage-output.js';
import { testDisplayName, type TestCaseResult } from './test-report.js';
import type { Ticket } from './ticket.js';
import { summarizeDiff, type ChangedFileSummary, type ParsedDiff } from './unified-diff.js';

export { escapeMarkdownText, markdownCodeSpan };
export type { ReviewCheck };

/**
 * The MR description written after the gates (stage 3, "generate review summaries"):
 * everything a reviewer needs to decide in the seed's 15 minutes — what changed, how
 * each acceptance criterion is addressed and which tests bear on it, the checks (flaky
 * ones marked), the score and why, security flags, risks, remaining work and what the
 * run cost. Ticket, agent and test-report text is untrusted: it is flattened and
 * escaped so it cannot inject HTML, links, headings, table cells or @-mentions.
 */

export interface ReviewSummaryInput {
  ticket: Pick<Ticket, 'id' | 'title' | 'acceptanceCriteria'>;
  batchId?: string;
  /** The MR's diff against its target branch. */
  diff: ParsedDiff;
  /** The checks run on the MR's commit (e.g. the `GateResultRecord`s, with their per-test details). */
  gateResults: readonly ReviewCheck[];
  score: QualityScore;
  /** Messages are already masked by the secret scan. */
  securityFindings: readonly SecurityFinding[];
  /** The validated C0 output, when the run got that far. */
  scope?: Pick<ScopeOutput, 'summary'>;
  /** The validated C1 output. */
  plan?: Pick<PlanOutput, 'plan' | 'risks'>;
  /** The validated C2 output. */
  implementation?: Pick<ImplementationOutput, 'summary' | 'changes' | 'tests_run' | 'partial' | 'remaining_work'> & { confidence?: number };
  /** The agent's configured name, e.g. `claude-code`. */
  agent: string;
  model?: string;
  /** Tokens and cost summed over the ticket's checkpoints. */
  usage: { inputTokens: number; outputTokens: number; costUsd?: number };
  /** The commit the checks ran on. */
  commit?: string;
  /** The branch this MR is stacked on (a dependency in the same batch), to be merged first. */
  stackedOn?: string;
  /** The draft follow-up ticket created for the remaining work, if any. */
  followUpTicketId?: string;
  /** The git notes ref the score is attached under (e.g. `refs/notes/nightshift`), when it is. */
  scoreNoteRef?: string;
}

/** Renders the review summary as GitHub/GitLab-flavored Markdown. */
export function renderReviewSummary(input: ReviewSummaryInput): string {
  const sections = [
    heading(input),
    whatChanged(summarizeDiff(input.diff)),
    acceptanceCriteria(input),
    renderChecksSection(input.gateResults),
    scoreSection(input),
    securitySection(input.securityFindings),
    listSection('Risks (from the plan)', input.plan?.risks ?? [], 'The plan named no risks.'),
    remainingWork(input),
    agentSection(input),
  ];
  return `${sections.filter((section) => section !== '').join('\n\n')}\n`;
}

function heading(input: ReviewSummaryInput): string {
  const flags = countSecurityFlags(input.securityFindings);
  const security = flags === 0 ? 'Security: OK' : `Security: ${flags} flag${flags === 1 ? '' : 's'}`;
  const origin = [
    'Draft opened by Nightshift',
    input.batchId === undefined ? '' : ` in batch ${escapeMarkdownText(input.batchId)}`,
    input.commit === undefined ? '' : ` at ${markdownCodeSpan(input.commit.slice(0, 12))}`,
  ].join('');
  const lines = [
    `## ${escapeMarkdownText(input.ticket.id)}: ${escapeMarkdownText(input.ticket.title)}`,
    '',
    `${origin}. Quality score: **${input.score.score}/100** · ${security} · ${checksHeadline(input.gateResults)}.`,
  ];
  if (input.stackedOn !== undefined) lines.push('', `Stacked on ${markdownCodeSpan(input.stackedOn)}: review and merge that branch first.`);
  return lines.join('\n');
}

function whatChanged(files: readonly ChangedFileSummary[]): string {
  if (files.length === 0) return '### What changed\n\nNo files changed.';
  const lines = files.map((file) => {
    const path = file.oldPath === undefined ? markdownCodeSpan(file.path) : `${markdownCodeSpan(file.oldPath)} → ${markdownCodeSpan(file.path)}`;
    const counts = file.binary ? 'binary' : `+${file.addedCount} −${file.deletedCount}`;
    return `- ${path} — ${file.status} (${counts})`;
  });
  const added = files.reduce((sum, file) => sum + file.addedCount, 0);
  const deleted = files.reduce((sum, file) => sum + file.deletedCount, 0);
  return `### What changed\n\n${files.length} file${files.length === 1 ? '' : 's'}, +${added} −${deleted} lines.\n\n${lines.join('\n')}`;
}

/** Test names shown under one criterion before the rest are counted. */
const TESTS_SHOWN_PER_CRITERION = 5;

function acceptanceCriteria(input: ReviewSummaryInput): string {
  const parts = ['### Acceptance criteria'];
  if (input.ticket.acceptanceCriteria.length === 0) parts.push('The ticket lists no acceptance criteria.');
  else {
    const evidence = matchAcceptanceEvidence({
      criteria: input.ticket.acceptanceCriteria,
      planSteps: input.plan?.plan ?? [],
      changes: input.implementation?.changes ?? [],
      tests: reportedTests(input.gateResults),
      testName: testDisplayName,
    });
    const items = evidence.map((entry) => {
      const lines = [`- [ ] ${escapeMarkdownText(entry.criterion)}`];
      if (entry.planSteps.length > 0) lines.push(`  - Plan (C1): ${entry.planSteps.map(escapeMarkdownText).join('; ')}`);
      if (entry.changes.length > 0) lines.push(`  - Done (C2): ${entry.changes.map(escapeMarkdownText).join('; ')}`);
      if (entry.tests.length > 0) lines.push(`  - Tests: ${testList(entry.tests)}`);
      if (lines.length === 1) lines.push('  - _No plan step, reported change or test name shares its words: check it in the diff._');
      return lines.join('\n');
    });
    parts.push(
      `${items.join('\n')}\n\n_Plan steps, changes and tests are matched to each criterion by the words they share: a hint, not a proof. Tick each criterion once you have checked it in the diff._`,
    );
  }
  if (input.scope !== undefined) parts.push(`**Scope (C0):** ${escapeMarkdownText(input.scope.summary)}`);
  if (input.plan !== undefined && input.plan.plan.length > 0) {
    parts.push(`**How the agent planned to meet them (C1):**\n\n${input.plan.plan.map((step, index) => `${index + 1}. ${escapeMarkdownText(step)}`).join('\n')}`);
  }
  const report = input.implementation;
  if (report !== undefined) {
    const lines = [`**What the agent reports (C2):** ${escapeMarkdownText(report.summary)}`];
    if (report.changes.length > 0) lines.push('', ...report.changes.map((change) => `- ${escapeMarkdownText(change)}`));
    lines.push('', report.tests_run.length === 0 ? '_The agent reports no tests run._' : `**Tests run:** ${report.tests_run.map(markdownCodeSpan).join(', ')}`);
    parts.push(lines.join('\n'));
  }
  return parts.join('\n\n');
}

function testList(tests: readonly TestCaseResult[]): string {
  const mark = (test: TestCaseResult) => (test.flaky === true ? '⚠️' : test.status === 'passed' ? '✅' : test.status === 'failed' ? '❌' : '⏭️');
  const shown = tests.slice(0, TESTS_SHOWN_PER_CRITERION).map((test) => `${mark(test)} ${markdownCodeSpan(testDisplayName(test))}`);
  const more = tests.length - shown.length;
  return `${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

function scoreSection(input: ReviewSummaryInput): string {
  const quality = input.score;
  const rows = quality.breakdown.map(
    (item) => `| ${escapeMarkdownText(item.criterion)} | ${formatPoints(item.points)} | ${item.maximum} | ${escapeMarkdownText(item.explanation)} |`,
  );
  const lines = [`### Quality score: ${quality.score}/100`, '', '| Criterion | Points | Maximum | Why |', '|---|---:|---:|---|', ...rows];
  if (input.scoreNoteRef !== undefined && input.commit !== undefined) {
    lines.push('', `The score is attached to ${markdownCodeSpan(input.commit.slice(0, 12))} as a git note: \`git notes --ref=${input.scoreNoteRef.replace(/[^A-Za-z0-9/_.-]/g, '')} show ${input.commit.slice(0, 12)}\`.`);
  }
  return lines.join('\n');
}

function securitySection(findings: readonly SecurityFinding[]): string {
  if (findings.length === 0) return '### Security flags\n\nNo security findings.';
  const lines = findings.map((finding) => {
    const where = finding.line === undefined ? markdownCodeSpan(finding.file) : `${markdownCodeSpan(finding.file)} line ${finding.line}`;
    return `- **${finding.severity}** ${markdownCodeSpan(finding.rule)} in ${where}: ${escapeMarkdownText(finding.message)}`;
  });
  return `### Security flags\n\n${lines.join('\n')}`;
}

function listSection(title: string, items: readonly string[], whenEmpty: string): string {
  if (items.length === 0) return `### ${title}\n\n${whenEmpty}`;
  return `### ${title}\n\n${items.map((item) => `- ${escapeMarkdownText(item)}`).join('\n')}`;
}

function remainingWork(input: ReviewSummaryInput): string {
  const report = input.implementation;
  if (report === undefined || (!report.partial && report.remaining_work.length === 0)) return '';
  const lines = ['### Remaining work', ''];
  if (report.partial) lines.push('The agent finished only part of this ticket (the work was larger than estimated).', '');
  lines.push(report.remaining_work.length === 0 ? '_The agent did not list what remains._' : report.remaining_work.map((item) => `- ${escapeMarkdownText(item)}`).join('\n'));
  if (input.followUpTicketId !== undefined) lines.push('', `Follow-up ticket (draft): ${escapeMarkdownText(input.followUpTicketId)}`);
  return lines.join('\n');
}

function agentSection(input: ReviewSummaryInput): string {
  const { usage } = input;
  const cost = usage.costUsd === undefined ? 'not reported' : formatCost(usage.costUsd);
  const lines = [
    '### Agent',
    '',
    '| Agent | Model | Tokens (in / out) | Cost |',
    '|---|---|---|---|',
    `| ${escapeMarkdownText(input.agent)} | ${escapeMarkdownText(input.model ?? 'default')} | ${formatCount(usage.inputTokens)} / ${formatCount(usage.outputTokens)} | ${cost} |`,
  ];
  const confidence = input.implementation?.confidence;
  if (confidence !== undefined && Number.isFinite(confidence)) lines.push('', `The agent reports a confidence of ${formatPercentage(Math.min(1, Math.max(0, confidence)) * 100)} in its work.`);
  return lines.join('\n');
}
