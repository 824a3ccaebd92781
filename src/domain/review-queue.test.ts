import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareTicketIds,
  orderReviewQueue,
  REVIEW_QUEUE_GROUPS,
  reviewQueueGroupOf,
  type EscalationQueueItem,
  type MergeRequestQueueItem,
  type ReviewQueueItem,
} from './review-queue.js';

function mergeRequest(ticketId: string, overrides: Partial<MergeRequestQueueItem> = {}): MergeRequestQueueItem {
  return { kind: 'merge-request', ticketId, title: ticketId, priority: 'medium', qualityScore: 80, securityFlagCount: 0, checksFailed: 0, state: 'ready', ...overrides };
}

function escalation(ticketId: string, overrides: Partial<EscalationQueueItem> = {}): EscalationQueueItem {
  return { kind: 'escalation', ticketId, title: ticketId, priority: 'medium', question: 'Which approach?', ...overrides };
}

describe('orderReviewQueue', () => {
  it("orders the seed's batch by the seed's five rules", () => {
    const ordered = orderReviewQueue([
      mergeRequest('PROJ-138', { title: 'Utils cleanup', qualityScore: 91 }),
      escalation('PROJ-145', { question: 'Architecture decision needed' }),
      mergeRequest('PROJ-150', { qualityScore: 70 }),
      mergeRequest('PROJ-142', { title: 'Auth feature', qualityScore: 94, priority: 'high' }),
      mergeRequest('PROJ-140', { title: 'API refactor', qualityScore: 78, securityFlagCount: 1 }),
      escalation('PROJ-147', { question: 'Multiple valid approaches' }),
    ]);
    expect(ordered.map((item) => [item.ticketId, item.group, item.reason])).toEqual([
      ['PROJ-140', 'security', 'security flag'],
      ['PROJ-142', 'high-priority', 'high priority'],
      ['PROJ-138', 'high-quality', 'score > 90'],
      ['PROJ-145', 'escalation', 'escalation'],
      ['PROJ-147', 'escalation', 'escalation'],
      ['PROJ-150', 'needs-rework', 'needs rework'],
    ]);
  });

  it('puts security first even for a low-priority, low-score MR', () => {
    const ordered = orderReviewQueue([mergeRequest('A-1', { priority: 'high', qualityScore: 99 }), mergeRequest('A-2', { priority: 'low', qualityScore: 10, securityFlagCount: 3 })]);
    expect(ordered.map((item) => item.ticketId)).toEqual(['A-2', 'A-1']);
  });

  it('requires a score strictly above 90 with passing checks for the quick-approval group', () => {
    expect(reviewQueueGroupOf(mergeRequest('A-1', { qualityScore: 90 }))).toBe('needs-rework');
    expect(reviewQueueGroupOf(mergeRequest('A-1', { qualityScore: 91 }))).toBe('high-quality');
    expect(reviewQueueGroupOf(mergeRequest('A-1', { qualityScore: 95, checksFailed: 1 }))).toBe('needs-rework');
    expect(reviewQueueGroupOf(mergeRequest('A-1', { qualityScore: 95, checksFlaky: 1 }))).toBe('needs-rework');
    expect(reviewQueueGroupOf(mergeRequest('A-1', { qualityScore: undefined }))).toBe('needs-rework');
  });

  it('treats a high-priority escalation as a high-priority ticket', () => {
    expect(reviewQueueGroupOf(escalation('A-1', { priority: 'high' }))).toBe('high-priority');
  });

  it('breaks ties by score, then priority, then natural ticket id', () => {
    const ordered = orderReviewQueue([
      mergeRequest('PROJ-10', { qualityScore: 50 }),
      mergeRequest('PROJ-9', { qualityScore: 50 }),
      mergeRequest('PROJ-2', { qualityScore: 50, priority: 'low' }),
      mergeRequest('PROJ-1', { qualityScore: 60, priority: 'low' }),
    ]);
    expect(ordered.map((item) => item.ticketId)).toEqual(['PROJ-1', 'PROJ-9', 'PROJ-10', 'PROJ-2']);
  });

  it('keeps extra fields of the items', () => {
    const [first] = orderReviewQueue([{ ...mergeRequest('A-1'), url: 'http://x/1' }]);
    expect(first?.url).toBe('http://x/1');
  });

  const itemArbitrary: fc.Arbitrary<ReviewQueueItem> = fc.oneof(
    fc.record({
      kind: fc.constant('merge-request' as const),
      ticketId: fc.constantFrom('A-1', 'A-2', 'B-10', 'B-9', 'C-3'),
      title: fc.string(),
      priority: fc.constantFrom('high', 'medium', 'low') as fc.Arbitrary<'high' | 'medium' | 'low'>,
      qualityScore: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
      securityFlagCount: fc.oneof(fc.constant(0), fc.nat(3)),
      checksFailed: fc.nat(2),
      state: fc.constantFrom('ready', 'partial') as fc.Arbitrary<'ready' | 'partial'>,
    }),
    fc.record({
      kind: fc.constant('escalation' as const),
      ticketId: fc.constantFrom('A-1', 'E-5', 'E-50'),
      title: fc.string(),
      priority: fc.constantFrom('high', 'medium', 'low') as fc.Arbitrary<'high' | 'medium' | 'low'>,
      question: fc.string(),
    }),
  );

  it('returns a permutation of its input (property)', () => {
    fc.assert(
      fc.property(fc.array(itemArbitrary, { maxLength: 40 }), (items) => {
        const ordered = orderReviewQueue(items).map(({ group: _group, reason: _reason, ...item }) => item);
        expect(ordered).toHaveLength(items.length);
        const key = (item: ReviewQueueItem) => JSON.stringify(item);
        expect(ordered.map(key).sort()).toEqual(items.map(key).sort());
      }),
    );
  });

  it('never interleaves groups, and each item sits in its own group (property)', () => {
    fc.assert(
      fc.property(fc.array(itemArbitrary, { maxLength: 40 }), (items) => {
        const ordered = orderReviewQueue(items);
        const ranks = ordered.map((item) => REVIEW_QUEUE_GROUPS.indexOf(item.group));
        expect(ranks).toEqual([...ranks].sort((left, right) => left - right));
        for (const item of ordered) expect(item.group).toBe(reviewQueueGroupOf(item));
      }),
    );
  });

  it('is independent of input order (property)', () => {
    fc.assert(
      fc.property(fc.array(itemArbitrary, { maxLength: 20 }).chain((items) => fc.tuple(fc.constant(items), fc.shuffledSubarray(items, { minLength: items.length }))), ([items, shuffled]) => {
        const summarize = (list: ReviewQueueItem[]) => orderReviewQueue(list).map((item) => [item.ticketId, item.group, item.kind === 'merge-request' ? item.qualityScore : null, item.priority]);
        expect(summarize(shuffled)).toEqual(summarize(items));
      }),
    );
  });
});

describe('compareTicketIds', () => {
  it('orders by key then number', () => {
    expect(['PROJ-10', 'ABC-2', 'PROJ-9', 'PROJ-100'].sort(compareTicketIds)).toEqual(['ABC-2', 'PROJ-9', 'PROJ-10', 'PROJ-100']);
  });
});
