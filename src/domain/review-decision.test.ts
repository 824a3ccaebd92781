import { describe, expect, it } from 'vitest';
import { checkReviewAction, decisionStateOf, firstDecisionOf, reviewTimeMinutes, type ReviewActionFact, type ReviewActionFacts } from './review-decision.js';

const approve = (at: string, reviewer = 'ada'): ReviewActionFact => ({ action: 'approve', reviewer, at });
const requestChanges = (at: string, reviewer = 'bob'): ReviewActionFact => ({ action: 'request-changes', reviewer, at });
const merge = (at: string, reviewer = 'ada'): ReviewActionFact => ({ action: 'merge', reviewer, at });

describe('decisionStateOf', () => {
  it('is pending without actions, and follows the latest action', () => {
    expect(decisionStateOf([])).toBe('pending');
    expect(decisionStateOf([approve('2024-01-16T08:00:00.000Z')])).toBe('approved');
    expect(decisionStateOf([approve('2024-01-16T08:00:00.000Z'), requestChanges('2024-01-16T08:05:00.000Z')])).toBe('changes-requested');
    expect(decisionStateOf([requestChanges('2024-01-16T08:00:00.000Z'), approve('2024-01-16T09:00:00.000Z')])).toBe('approved');
  });

  it('stays merged once merged', () => {
    expect(decisionStateOf([approve('2024-01-16T08:00:00.000Z'), merge('2024-01-16T08:01:00.000Z'), requestChanges('2024-01-16T08:02:00.000Z')])).toBe('merged');
  });
});

describe('review time', () => {
  const queueReadyAt = '2024-01-16T06:00:00.000Z';

  it('runs from the queue being ready to the first decision, whatever came after', () => {
    const actions = [requestChanges('2024-01-16T06:12:00.000Z'), approve('2024-01-16T09:00:00.000Z')];
    expect(firstDecisionOf(actions)?.action).toBe('request-changes');
    expect(reviewTimeMinutes({ queueReadyAt, gatedAt: '2024-01-16T05:00:00.000Z', actions })).toBe(12);
  });

  it('is undefined while no decision was made', () => {
    expect(reviewTimeMinutes({ queueReadyAt, actions: [] })).toBeUndefined();
  });

  it('starts at the MR’s own gates when the reviewer acted before the batch was complete', () => {
    const actions = [approve('2024-01-16T05:30:00.000Z')];
    expect(reviewTimeMinutes({ queueReadyAt, gatedAt: '2024-01-16T05:20:00.000Z', actions })).toBe(10);
    expect(reviewTimeMinutes({ gatedAt: '2024-01-16T05:20:00.000Z', actions })).toBe(10);
  });

  it('is never negative and unknown without any start', () => {
    expect(reviewTimeMinutes({ queueReadyAt, actions: [approve('2024-01-16T05:00:00.000Z')] })).toBe(0);
    expect(reviewTimeMinutes({ actions: [approve('2024-01-16T05:00:00.000Z')] })).toBeUndefined();
  });
});

describe('checkReviewAction', () => {
  const facts = (overrides: Partial<ReviewActionFacts>): ReviewActionFacts => ({
    action: 'approve',
    ticketId: 'PROJ-142',
    batchId: '2024-01-15-overnight',
    runState: 'ready',
    hasMergeRequest: true,
    actions: [],
    ...overrides,
  });

  it('lets a reviewer approve or request changes on a gated MR, ready or partial', () => {
    expect(checkReviewAction(facts({}))).toEqual({ ok: true });
    expect(checkReviewAction(facts({ action: 'request-changes', runState: 'partial' }))).toEqual({ ok: true });
  });

  it('refuses tickets that are not in the batch, escalated, without an MR or not gated', () => {
    expect(checkReviewAction(facts({ runState: undefined }))).toMatchObject({ ok: false, reason: 'not-in-batch' });
    expect(checkReviewAction(facts({ runState: 'escalated', hasMergeRequest: false }))).toMatchObject({
      ok: false,
      reason: 'escalated',
      hint: expect.stringContaining('nightshift escalations answer PROJ-142'),
    });
    expect(checkReviewAction(facts({ runState: 'failed', hasMergeRequest: false }))).toMatchObject({ ok: false, reason: 'no-merge-request' });
    expect(checkReviewAction(facts({ runState: 'gating' }))).toMatchObject({ ok: false, reason: 'not-gated' });
  });

  it('merges only an MR whose latest decision is an approval', () => {
    expect(checkReviewAction(facts({ action: 'merge' }))).toMatchObject({ ok: false, reason: 'not-approved', message: expect.stringContaining('was not approved') });
    const changed = checkReviewAction(facts({ action: 'merge', actions: [approve('2024-01-16T08:00:00.000Z'), requestChanges('2024-01-16T08:30:00.000Z')] }));
    expect(changed).toMatchObject({ ok: false, reason: 'not-approved', message: expect.stringContaining('bob requested changes') });
    expect(checkReviewAction(facts({ action: 'merge', actions: [approve('2024-01-16T08:00:00.000Z')] }))).toEqual({ ok: true });
  });

  it('refuses anything after a merge, and a stacked MR before its parent is merged', () => {
    const merged = [approve('2024-01-16T08:00:00.000Z'), merge('2024-01-16T08:01:00.000Z')];
    expect(checkReviewAction(facts({ actions: merged }))).toMatchObject({ ok: false, reason: 'already-merged' });
    expect(checkReviewAction(facts({ action: 'merge', actions: merged }))).toMatchObject({ ok: false, reason: 'already-merged' });
    const stacked = checkReviewAction(
      facts({ action: 'merge', ticketId: 'PROJ-145', actions: [approve('2024-01-16T08:00:00.000Z')], unmergedParent: { ticketId: 'PROJ-142', branch: 'agent/PROJ-142' } }),
    );
    expect(stacked).toMatchObject({ ok: false, reason: 'parent-not-merged', hint: expect.stringContaining('merge PROJ-142 first') });
  });
});
