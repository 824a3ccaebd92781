import { flattenUntrustedText } from './untrusted-text.js';

/**
 * Inert Markdown from untrusted text, and the number formats of the review summary.
 * Ticket, agent and test-report text reaches MR descriptions through these only.
 */

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

export function formatDuration(milliseconds: number): string {
  if (milliseconds < 1000) return `${Math.round(milliseconds)} ms`;
  const seconds = milliseconds / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}

/** Negative points with a real minus sign, as the score tables show them. */
export function formatPoints(points: number): string {
  return points < 0 ? `−${-points}` : String(points);
}

export function formatCost(costUsd: number): string {
  return `$${costUsd >= 0.01 || costUsd === 0 ? costUsd.toFixed(2) : costUsd.toFixed(4)}`;
}

export function formatCount(count: number): string {
  return String(Math.round(count)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A percentage with at most one decimal: `87.5 %`, `100 %`. */
export function formatPercentage(percentage: number): string {
  return `${Math.round(percentage * 10) / 10} %`;
}
