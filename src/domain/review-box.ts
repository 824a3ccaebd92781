import { flattenUntrustedText } from './untrusted-text.js';

/**
 * The seed's batch review box, the terminal face of the morning queue:
 *
 * ```
 * ╔══════════════════════════════════════════════════════════════╗
 * ║ BATCH REVIEW: 2024-01-15-overnight                           ║
 * ╠══════════════════════════════════════════════════════════════╣
 * ║ Summary:                                                     ║
 * ║   Total tickets: 15                                          ║
 * …
 * ║ Ready for Review (security, then priority, then score):      ║
 * ║   ✓ PROJ-142: Auth feature       [Score: 94] [Security: OK]  ║
 * ║   ⚠ PROJ-140: API refactor       [Score: 78] [Security: 1]   ║
 * ```
 *
 * The seed's header said "sorted by quality score", but its own review rules put
 * security flags and priority before score: the header names the order the queue
 * really has (the caller passes MRs in `orderReviewQueue` order). The default width
 * is the seed's, 64 columns. Ticket text is untrusted and is flattened first, and
 * every line is measured in terminal columns so the right border stays aligned.
 */

export interface ReviewBoxInput {
  batchId: string;
  totals: { total: number; completed: number; escalated: number; failed: number; partial?: number; skipped?: number; refused?: number };
  /**
   * MRs in queue order (see `orderReviewQueue`); `checksFailed` counts the checks that
   * failed, timed out or were skipped, `checksFlaky` those that passed only when run again.
   */
  readyForReview: ReadonlyArray<{ ticketId: string; title: string; qualityScore?: number; securityFlagCount: number; checksFailed: number; checksFlaky?: number }>;
  escalations: ReadonlyArray<{ ticketId: string; question: string }>;
}

export interface ReviewBoxOptions {
  /** Total width in columns, borders included; 64 (the seed's) by default, at least 40. */
  width?: number;
  /** Show at most this many MRs and escalations each, then `... N more`. */
  maximumItemsPerSection?: number;
}

export const REVIEW_BOX_DEFAULT_WIDTH = 64;
export const REVIEW_BOX_MINIMUM_WIDTH = 40;
export const READY_FOR_REVIEW_HEADER = 'Ready for Review (security, then priority, then score):';

const ITEM_INDENT = '  ';

/** Renders the box as lines joined by `\n`, with a trailing newline. */
export function renderReviewBox(input: ReviewBoxInput, options: ReviewBoxOptions = {}): string {
  const width = options.width ?? REVIEW_BOX_DEFAULT_WIDTH;
  if (!Number.isInteger(width) || width < REVIEW_BOX_MINIMUM_WIDTH) {
    throw new Error(`renderReviewBox: width must be an integer of at least ${REVIEW_BOX_MINIMUM_WIDTH}, got ${width}`);
  }
  const inner = width - 4;
  const limit = options.maximumItemsPerSection ?? Number.POSITIVE_INFINITY;
  const row = (text: string) => `║ ${fitToWidth(text, inner)} ║`;
  const rule = (left: string, right: string) => `${left}${'═'.repeat(width - 2)}${right}`;
  const { totals } = input;

  const summary = [
    `Total tickets: ${totals.total}`,
    `Completed: ${totals.completed}`,
    `Escalated: ${totals.escalated}`,
    `Failed: ${totals.failed}`,
    ...optionalTotal('Partial', totals.partial),
    ...optionalTotal('Skipped', totals.skipped),
    ...optionalTotal('Refused', totals.refused),
  ];
  const lines = [
    rule('╔', '╗'),
    row(`BATCH REVIEW: ${flattenUntrustedText(input.batchId)}`),
    rule('╠', '╣'),
    row('Summary:'),
    ...summary.map((line) => row(ITEM_INDENT + line)),
    rule('╠', '╣'),
    row(READY_FOR_REVIEW_HEADER),
    ...withOverflow(readyLines(input.readyForReview.slice(0, limit), inner - ITEM_INDENT.length), input.readyForReview.length, limit).map((line) => row(ITEM_INDENT + line)),
    rule('╠', '╣'),
    row('Escalations Pending:'),
    ...withOverflow(
      input.escalations.slice(0, limit).map((escalation) => `⚠ ${flattenUntrustedText(escalation.ticketId)}: ${flattenUntrustedText(escalation.question)}`),
      input.escalations.length,
      limit,
    ).map((line) => row(ITEM_INDENT + line)),
    rule('╚', '╝'),
  ];
  return `${lines.join('\n')}\n`;
}

function optionalTotal(label: string, count: number | undefined): string[] {
  return count !== undefined && count > 0 ? [`${label}: ${count}`] : [];
}

function withOverflow(lines: string[], total: number, limit: number): string[] {
  if (total === 0) return ['(none)'];
  return total > limit ? [...lines, `... ${total - limit} more`] : lines;
}

const MINIMUM_LABEL_WIDTH = 12;

/**
 * `✓ PROJ-142: Auth feature [Score: 94] [Security: OK]`, `⚠` when a security flag,
 * a failed check or a flaky one needs attention. A flaky check (red, then green when
 * run again) is tagged `[Checks: flaky]`, not `failed`: the reviewer should re-run or
 * distrust it, not expect broken code; `failed` wins when the MR has both. The tags
 * start in one column; titles are cut with `…` to make room for them (further on a
 * row that also has a `[Checks: …]` tag).
 */
function readyLines(items: ReviewBoxInput['readyForReview'], available: number): string[] {
  const rows = items.map((item) => {
    const checks = item.checksFailed > 0 ? 'failed' : (item.checksFlaky ?? 0) > 0 ? 'flaky' : undefined;
    const warning = item.securityFlagCount > 0 || checks !== undefined;
    const score = item.qualityScore === undefined ? '-' : String(item.qualityScore);
    const security = item.securityFlagCount > 0 ? String(item.securityFlagCount) : 'OK';
    const baseTags = `[Score: ${score}] [Security: ${security}]`;
    return {
      label: `${warning ? '⚠' : '✓'} ${flattenUntrustedText(item.ticketId)}: ${flattenUntrustedText(item.title)}`,
      baseTags,
      tags: checks === undefined ? baseTags : `${baseTags} [Checks: ${checks}]`,
    };
  });
  const baseTagWidth = Math.max(0, ...rows.map((entry) => displayWidth(entry.baseTags)));
  const labelColumn = Math.min(Math.max(0, ...rows.map((entry) => displayWidth(entry.label))), available - baseTagWidth - 1);
  return rows.map((entry) => {
    const labelWidth = Math.max(MINIMUM_LABEL_WIDTH, Math.min(labelColumn, available - displayWidth(entry.tags) - 1));
    return `${fitToWidth(entry.label, labelWidth)} ${entry.tags}`;
  });
}

/**
 * Terminal columns a text takes. Per grapheme: 2 for emoji shown as pictures and
 * for East Asian wide characters, 0 for marks and invisible format characters, 1
 * otherwise — so `✓` and `⚠` (text-style symbols) take 1, as in the seed.
 */
export function displayWidth(text: string): number {
  let width = 0;
  for (const { segment } of graphemes(text)) width += graphemeWidth(segment);
  return width;
}

/** Cuts a text to `width` columns (ending with `…` when cut) and pads it with spaces to exactly `width`. */
export function fitToWidth(text: string, width: number): string {
  const total = displayWidth(text);
  if (total <= width) return text + ' '.repeat(width - total);
  let result = '';
  let used = 0;
  for (const { segment } of graphemes(text)) {
    const segmentWidth = graphemeWidth(segment);
    if (used + segmentWidth > width - 1) break;
    result += segment;
    used += segmentWidth;
  }
  return `${result}…${' '.repeat(width - 1 - used)}`;
}

const graphemeSegmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });

function graphemes(text: string): Iterable<{ segment: string }> {
  return graphemeSegmenter.segment(text);
}

function graphemeWidth(grapheme: string): number {
  if (/^[\p{Mn}\p{Me}\p{Cf}\p{Cc}]+$/u.test(grapheme)) return 0;
  if (grapheme.includes('\ufe0f') || /\p{Emoji_Presentation}/u.test(grapheme)) return 2;
  return isWideCodePoint(grapheme.codePointAt(0) ?? 0) ? 2 : 1;
}

const WIDE_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x1100, 0x115f],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe30, 0xfe4f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x20000, 0x2fffd],
  [0x30000, 0x3fffd],
];

function isWideCodePoint(codePoint: number): boolean {
  return WIDE_RANGES.some(([start, end]) => codePoint >= start && codePoint <= end);
}
