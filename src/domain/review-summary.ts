import type { CheckStatus, QualityScore } from './quality-score.js';
import { countSecurityFlags, type SecurityFinding } from './secret-scan.js';
import type { ImplementationOutput, PlanOutput, ScopeOutput } from './stage-output.js';
import type { Ticket } from './ticket.js';
import { summarizeDiff, type ChangedFileSummary, type ParsedDiff } from './unified-diff.js';
import { flattenUntrustedText } from './untrusted-text.js';

/**
 * The MR description written after the gates (stage 3, "generate review summaries"):
 * everything a reviewer needs to decide in the seed's 15 minutes — what changed, how
 * each acceptance criterion is addressed, the checks, the score and why, security
 * flags, risks, remaining work and what the run cost. Ticket and agent text is
 * untrusted: it is flattened and escaped so it cannot inject HTML, links, headings,
 * table cells or @-mentions into the description.
 */

export interface ReviewSummaryInput {
  ticket: Pick<Ticket, 'id' | 'title' | 'acceptanceCriteria'>;
  batchId?: string;
  /** The MR's diff against its target branch. */
  diff: ParsedDiff;
  /** The checks run on the MR's commit (e.g. the `GateResultRecord`s). */
  gateResults: ReadonlyArray<{ name: string; status: CheckStatus; durationMilliseconds: number }>;
  score: QualityScore;
  /** Messages are already masked by the secret scan. */
  securityFindings: readonly SecurityFinding[];
  /** The validated C0 output, when the run got that far. */
  scope?: Pick<ScopeOutput, 'summary'>;
  /** The validated C1 output. */
  plan?: Pick<PlanOutput, 'plan' | 'risks'>;
  /** The validated C2 output. */
  implementation?: Pick<ImplementationOutput, 'summary' | 'changes' | 'tests_run' | 'partial' | 'remaining_work'>;
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
}

const STATUS_LABELS: Record<CheckStatus, string> = { passed: '✅ passed', failed: '❌ failed', timed_out: '⏱️ timed out', skipped: '⏭️ skipped' };

/** Renders the review summary as GitHub/GitLab-flavored Markdown. */
export function renderReviewSummary(input: ReviewSummaryInput): string {
  const sections = [
    heading(input),
    whatChanged(summarizeDiff(input.diff)),
    acceptanceCriteria(input),
    checksSection(input.gateResults),
    scoreSection(input.score),
    securitySection(input.securityFindings),
    listSection('Risks (from the plan)', input.plan?.risks ?? [], 'The plan named no risks.'),
    remainingWork(input),
    agentSection(input),
  ];
  return `${sections.filter((section) => section !== '').join('\n\n')}\n`;
}

function heading(input: ReviewSummaryInput): string {
  const passed = input.gateResults.filter((check) => check.status === 'passed').length;
  const checks = input.gateResults.length === 0 ? 'no checks configured' : `${passed}/${input.gateResults.length} checks passed`;
  const flags = countSecurityFlags(input.securityFindings);
  const security = flags === 0 ? 'Security: OK' : `Security: ${flags} flag${flags === 1 ? '' : 's'}`;
  const origin = [
    'Draft opened by Nightshift',
    input.batchId === undefined ? '' : ` in batch ${escapeMarkdownText(input.batchId)}`,
    input.commit === undefined ? '' : ` at ${markdownCodeSpan(input.commit.slice(0, 12))}`,
  ].join('');
  const lines = [`## ${escapeMarkdownText(input.ticket.id)}: ${escapeMarkdownText(input.ticket.title)}`, '', `${origin}. Quality score: **${input.score.score}/100** · ${security} · ${checks}.`];
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

function acceptanceCriteria(input: ReviewSummaryInput): string {
  const parts = ['### Acceptance criteria'];
  parts.push(
    input.ticket.acceptanceCriteria.length === 0
      ? 'The ticket lists no acceptance criteria.'
      : `${input.ticket.acceptanceCriteria.map((criterion) => `- [ ] ${escapeMarkdownText(criterion)}`).join('\n')}\n\n_Tick each criterion once you have checked it in the diff._`,
  );
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

function checksSection(checks: ReviewSummaryInput['gateResults']): string {
  if (checks.length === 0) return '### Checks\n\nNo checks are configured for this repository.';
  const rows = checks.map((check) => `| ${escapeMarkdownText(check.name)} | ${STATUS_LABELS[check.status]} | ${formatDuration(check.durationMilliseconds)} |`);
  return ['### Checks', '', '| Check | Status | Duration |', '|---|---|---|', ...rows].join('\n');
}

function scoreSection(quality: QualityScore): string {
  const rows = quality.breakdown.map(
    (item) => `| ${escapeMarkdownText(item.criterion)} | ${formatPoints(item.points)} | ${item.maximum} | ${escapeMarkdownText(item.explanation)} |`,
  );
  return [`### Quality score: ${quality.score}/100`, '', '| Criterion | Points | Maximum | Why |', '|---|---:|---:|---|', ...rows].join('\n');
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
  return [
    '### Agent',
    '',
    '| Agent | Model | Tokens (in / out) | Cost |',
    '|---|---|---|---|',
    `| ${escapeMarkdownText(input.agent)} | ${escapeMarkdownText(input.model ?? 'default')} | ${formatCount(usage.inputTokens)} / ${formatCount(usage.outputTokens)} | ${cost} |`,
  ].join('\n');
}

/**
 * Untrusted text as one line of inert Markdown: HTML characters become entities,
 * the Markdown punctuation that matters inline is backslash-escaped (so no link,
 * image, emphasis, code span, strikethrough or table cell can start), a leading list
 * or ordered-list marker is escaped (the text often follows `- `), and `@`/`#` are followed by an empty HTML comment (as
 * Dependabot does) so they neither mention people, reference issues nor make headings.
 */
export function escapeMarkdownText(text: string): string {
  return flattenUntrustedText(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|~]/g, (character) => `\\${character}`)
    .replace(/^(\d+)([.)])/, '$1\\$2')
    .replace(/^([-+=])/, '\\$1')
    .replace(/[@#]/g, (character) => `${character}<!-- -->`);
}

/** Untrusted text as an inline code span: a fence longer than any backtick run inside, so the span cannot be closed early. */
export function markdownCodeSpan(text: string): string {
  const flat = flattenUntrustedText(text);
  const longestRun = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const padding = flat.startsWith('`') || flat.endsWith('`') || flat === '' ? ' ' : '';
  return `${fence}${padding}${flat}${padding}${fence}`;
}

function formatDuration(milliseconds: number): string {
  if (milliseconds < 1000) return `${Math.round(milliseconds)} ms`;
  const seconds = milliseconds / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}

function formatPoints(points: number): string {
  return points < 0 ? `−${-points}` : String(points);
}

function formatCost(costUsd: number): string {
  return `$${costUsd >= 0.01 || costUsd === 0 ? costUsd.toFixed(2) : costUsd.toFixed(4)}`;
}

function formatCount(count: number): string {
  return String(Math.round(count)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
