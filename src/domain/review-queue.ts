import type { Priority } from './ticket.js';
import type { TicketRunState } from './ticket-run.js';

/**
 * The morning queue, in the seed's order (stage 4):
 *
 * 1. security issues first — any security flag gets immediate attention;
 * 2. high-priority tickets — business-critical features;
 * 3. high-quality MRs — score > 90, likely quick approvals;
 * 4. escalations — unblock the next batch;
 * 5. lower-quality MRs — may need rework.
 *
 * Pure: the terminal box, the dashboard and the JSON API all show this one order.
 */

export interface MergeRequestQueueItem {
  kind: 'merge-request';
  ticketId: string;
  title: string;
  priority: Priority;
  /** Undefined until the gates have scored the MR. */
  qualityScore?: number;
  /** Medium and high findings (see `countSecurityFlags`). */
  securityFlagCount: number;
  /** How many checks did not pass (failed, timed out or skipped). */
  checksFailed: number;
  /** How many checks failed, then passed when run again (not counted in `checksFailed`). */
  checksFlaky?: number;
  state: TicketRunState;
}

export interface EscalationQueueItem {
  kind: 'escalation';
  ticketId: string;
  title: string;
  priority: Priority;
  question: string;
}

export type ReviewQueueItem = MergeRequestQueueItem | EscalationQueueItem;

export const REVIEW_QUEUE_GROUPS = ['security', 'high-priority', 'high-quality', 'escalation', 'needs-rework'] as const;
export type ReviewQueueGroup = (typeof REVIEW_QUEUE_GROUPS)[number];

/** The short reason shown next to each item, one per group. */
export const REVIEW_QUEUE_REASONS: Record<ReviewQueueGroup, string> = {
  security: 'security flag',
  'high-priority': 'high priority',
  'high-quality': 'score > 90',
  escalation: 'escalation',
  'needs-rework': 'needs rework',
};

/** Scores above this are "likely quick approvals" (the seed: score > 90). */
export const HIGH_QUALITY_SCORE_THRESHOLD = 90;

export type OrderedReviewQueueItem<T extends ReviewQueueItem = ReviewQueueItem> = T & { group: ReviewQueueGroup; reason: string };

/**
 * Which of the seed's five groups an item belongs to. Decisions the seed leaves open:
 * a high-priority escalation goes with the high-priority tickets (rule 2 names
 * tickets, not MRs); an MR whose checks failed or were flaky is never "high quality",
 * whatever its score; an MR not yet scored needs rework.
 */
export function reviewQueueGroupOf(item: ReviewQueueItem): ReviewQueueGroup {
  if (item.kind === 'merge-request' && item.securityFlagCount > 0) return 'security';
  if (item.priority === 'high') return 'high-priority';
  if (item.kind === 'escalation') return 'escalation';
  if (item.checksFailed === 0 && (item.checksFlaky ?? 0) === 0 && item.qualityScore !== undefined && item.qualityScore > HIGH_QUALITY_SCORE_THRESHOLD) return 'high-quality';
  return 'needs-rework';
}

const PRIORITY_RANK: Record<Priority, number> = { high: 0, medium: 1, low: 2 };

/**
 * Orders the queue by group, and inside a group by higher score first (escalations
 * have none and sort after scored MRs), then higher priority, then ticket id in
 * natural order (`PROJ-9` before `PROJ-10`), then MRs before escalations, then input order. Returns new objects
 * carrying their `group` and `reason`; extra fields of the items are kept.
 */
export function orderReviewQueue<T extends ReviewQueueItem>(items: readonly T[]): Array<OrderedReviewQueueItem<T>> {
  return items
    .map((item, index) => ({ item, index, group: reviewQueueGroupOf(item) }))
    .sort(
      (left, right) =>
        REVIEW_QUEUE_GROUPS.indexOf(left.group) - REVIEW_QUEUE_GROUPS.indexOf(right.group) ||
        scoreOf(right.item) - scoreOf(left.item) ||
        PRIORITY_RANK[left.item.priority] - PRIORITY_RANK[right.item.priority] ||
        compareTicketIds(left.item.ticketId, right.item.ticketId) ||
        kindRank(left.item) - kindRank(right.item) ||
        left.index - right.index,
    )
    .map(({ item, group }) => ({ ...item, group, reason: REVIEW_QUEUE_REASONS[group] }));
}

function kindRank(item: ReviewQueueItem): number {
  return item.kind === 'merge-request' ? 0 : 1;
}

function scoreOf(item: ReviewQueueItem): number {
  return item.kind === 'merge-request' && item.qualityScore !== undefined ? item.qualityScore : -1;
}

/** Natural order of ticket ids: by project key, then by number. */
export function compareTicketIds(left: string, right: string): number {
  const leftMatch = /^(.*?)(\d+)$/.exec(left);
  const rightMatch = /^(.*?)(\d+)$/.exec(right);
  if (leftMatch === null || rightMatch === null) return left < right ? -1 : left > right ? 1 : 0;
  const [, leftKey = '', leftNumber = '0'] = leftMatch;
  const [, rightKey = '', rightNumber = '0'] = rightMatch;
  if (leftKey !== rightKey) return leftKey < rightKey ? -1 : 1;
  const difference = Number(leftNumber) - Number(rightNumber);
  return difference !== 0 ? Math.sign(difference) : left < right ? -1 : left > right ? 1 : 0;
}
