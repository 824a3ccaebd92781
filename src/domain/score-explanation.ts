import type { CheckStatus } from './check-outcome.js';
import { formatPoints } from './markdown-text.js';
import type { QualityScore, ScoreBreakdownItem } from './quality-score.js';
import { flattenUntrustedText } from './untrusted-text.js';

/**
 * The quality score as plain text: the explanation `nightshift score` prints (every
 * point won and lost, criterion by criterion) and the git note attached to the MR's
 * head commit, whose `Quality-Score:` trailer stays `pending-gates` because a commit
 * cannot change once made.
 */

/** Where Nightshift attaches the score to the branch head. */
export const SCORE_NOTES_REF = 'refs/notes/nightshift';

/** One line per criterion and penalty, then the totals. */
export function explainQualityScore(score: QualityScore): string[] {
  const width = Math.max(...score.breakdown.map((item) => item.criterion.length), 'criterion'.length);
  const lines = score.breakdown.map((item) => `  ${item.criterion.padEnd(width)}  ${pointsColumn(item).padEnd(16)}  ${flattenUntrustedText(item.explanation)}`);
  const criteria = score.breakdown.filter((item) => item.maximum > 0);
  const penalties = score.breakdown.filter((item) => item.maximum === 0);
  const won = criteria.reduce((sum, item) => sum + item.points, 0);
  const possible = criteria.reduce((sum, item) => sum + item.maximum, 0);
  const penalty = penalties.reduce((sum, item) => sum - item.points, 0);
  const minus = penalty > 0 ? `, minus ${penalty} in penalties` : '';
  const floor = won - penalty < 0 ? ' (the score never goes below 0)' : '';
  const total = `Won ${won} of ${possible} points on the criteria (lost ${possible - won})${minus} = ${score.score}/100${floor}.`;
  return [...lines, '', total];
}

/** The text of the git note on the MR's head: trailer-style facts first, then the breakdown. */
export function renderScoreNote(input: {
  score: QualityScore;
  ticketId: string;
  batchId: string;
  checks: ReadonlyArray<{ name: string; status: CheckStatus }>;
  securityFlags: number;
}): string {
  const passed = input.checks.filter((check) => check.status === 'passed').length;
  const flaky = input.checks.filter((check) => check.status === 'flaky').map((check) => check.name);
  const failed = input.checks.filter((check) => check.status !== 'passed' && check.status !== 'flaky').map((check) => `${check.name} ${check.status.replace('_', ' ')}`);
  const lines = [
    `Quality-Score: ${input.score.score}`,
    `Ticket: ${flattenUntrustedText(input.ticketId)}`,
    `Batch: ${flattenUntrustedText(input.batchId)}`,
    `Checks: ${input.checks.length === 0 ? 'none configured' : `${passed}/${input.checks.length} passed`}${flaky.length === 0 ? '' : `; flaky: ${flaky.join(', ')}`}${failed.length === 0 ? '' : `; not passed: ${failed.join(', ')}`}`,
    `Security-Flags: ${input.securityFlags}`,
    '',
    ...input.score.breakdown.map((item) => `${item.criterion}: ${pointsColumn(item)} — ${flattenUntrustedText(item.explanation)}`),
  ];
  return `${lines.join('\n')}\n`;
}

function pointsColumn(item: ScoreBreakdownItem): string {
  if (item.maximum === 0) return `${formatPoints(item.points)} (penalty)`;
  const lost = item.maximum - item.points;
  return `${item.points}/${item.maximum}${lost > 0 ? ` (−${lost})` : ''}`;
}
