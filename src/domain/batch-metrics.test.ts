import { describe, expect, it } from 'vitest';
import {
  checkAgainstTargets,
  computeBatchMetrics,
  formatBatchLine,
  formatMinutes,
  formatWeekLine,
  median,
  summarizeWeeks,
  type BatchMetricsInput,
} from './batch-metrics.js';
import type { TicketRunState } from './ticket-run.js';

/** A batch of `outcomes` (state → count), tickets `T-1…`, each gated MR scored from `scores` in order. */
function batchInput(batchId: string, createdAt: string, outcomes: Partial<Record<TicketRunState, number>>, scores: number[], extra: Partial<BatchMetricsInput> = {}): BatchMetricsInput {
  const runs = Object.entries(outcomes).flatMap(([state, count]) => Array.from({ length: count ?? 0 }, () => state as TicketRunState)).map((state, index) => ({ ticketId: `T-${index + 1}`, state }));
  const gated = runs.filter((run) => run.state === 'ready' || run.state === 'partial');
  if (gated.length !== scores.length) throw new Error(`${batchId}: ${gated.length} gated runs but ${scores.length} scores`);
  return {
    batchId,
    createdAt,
    state: 'completed',
    runs,
    mergeRequests: gated.map((run, index) => ({ ticketId: run.ticketId, qualityScore: scores[index]! })),
    usage: [],
    gatedAt: {},
    reviewActions: [],
    ...extra,
  };
}

describe('computeBatchMetrics', () => {
  const first = batchInput('2024-01-15-overnight', '2024-01-15T18:00:00.000Z', { ready: 8, partial: 2, escalated: 1, failed: 1 }, [94, 91, 78, 80, 85, 70, 88, 76, 82, 76], {
    usage: [{ costUsd: 0.5 }, { costUsd: 0.25 }, { costUsd: 1 }, {}],
    queueReadyAt: '2024-01-16T06:00:00.000Z',
    gatedAt: { 'T-4': '2024-01-16T05:50:00.000Z' },
    reviewActions: [
      { ticketId: 'T-1', action: 'approve', reviewer: 'ada', at: '2024-01-16T06:05:00.000Z' },
      { ticketId: 'T-1', action: 'merge', reviewer: 'ada', at: '2024-01-16T06:06:00.000Z' },
      { ticketId: 'T-2', action: 'request-changes', reviewer: 'bob', at: '2024-01-16T06:10:00.000Z' },
      { ticketId: 'T-2', action: 'approve', reviewer: 'bob', at: '2024-01-16T09:00:00.000Z' },
      { ticketId: 'T-3', action: 'approve', reviewer: 'ada', at: '2024-01-16T06:20:00.000Z' },
      { ticketId: 'T-4', action: 'approve', reviewer: 'ada', at: '2024-01-16T05:58:00.000Z' },
      { ticketId: 'T-11', action: 'approve', reviewer: 'ada', at: '2024-01-16T06:01:00.000Z' },
    ],
  });

  it('computes every figure of a batch whose figures are known', () => {
    const metrics = computeBatchMetrics(first);
    expect(metrics).toMatchObject({
      batchId: '2024-01-15-overnight',
      isoWeek: '2024-W03',
      tickets: 12,
      outcomes: { ready: 8, partial: 2, escalated: 1, failed: 1, skipped: 0, unfinished: 0 },
      completedTickets: 9,
      completionRate: 0.75,
      averageQualityScore: 82,
      escalationRate: 1 / 12,
      medianReviewTimeMinutes: 9,
      costUsd: 1.75,
      stagesWithoutCost: 1,
      costPerCompletedTicketUsd: 1.75 / 9,
    });
    expect(metrics.reviewTimes.filter((entry) => entry.minutes !== undefined)).toEqual([
      { ticketId: 'T-1', minutes: 5 },
      { ticketId: 'T-2', minutes: 10 },
      { ticketId: 'T-3', minutes: 20 },
      { ticketId: 'T-4', minutes: 8 },
    ]);
    expect(metrics.reviewTimes).toHaveLength(10);
    expect(metrics.checks).toEqual([
      { metric: 'tickets', value: 12, target: '10-20', pass: true },
      { metric: 'completion-rate', value: 0.75, target: '> 80%', pass: false },
      { metric: 'average-quality-score', value: 82, target: '> 85', pass: false },
      { metric: 'escalation-rate', value: 1 / 12, target: '< 20%', pass: true },
      { metric: 'review-time', value: 9, target: '< 15 min', pass: true },
      { metric: 'cost-per-completed-ticket', value: 1.75 / 9, target: 'none' },
    ]);
    expect(formatBatchLine(metrics)).toBe('2024-01-15-overnight: 12 tickets, 75% completion, avg score 82');
  });

  it('leaves out what cannot be measured instead of inventing zeros', () => {
    const metrics = computeBatchMetrics(batchInput('empty', '2024-01-15T18:00:00.000Z', { failed: 2 }, [], { usage: [{}, {}] }));
    expect(metrics).toMatchObject({ tickets: 2, completedTickets: 0, completionRate: 0, escalationRate: 0, stagesWithoutCost: 2 });
    expect(metrics.averageQualityScore).toBeUndefined();
    expect(metrics.medianReviewTimeMinutes).toBeUndefined();
    expect(metrics.costUsd).toBeUndefined();
    expect(metrics.costPerCompletedTicketUsd).toBeUndefined();
    expect(metrics.checks.find((check) => check.metric === 'average-quality-score')).toEqual({ metric: 'average-quality-score', target: '> 85' });
    expect(formatBatchLine(metrics)).toBe('empty: 2 tickets, 0% completion, avg score -');
  });

  it('holds the targets at their edges the way the seed states them', () => {
    const edges = checkAgainstTargets({ tickets: 20, completionRate: 0.8, averageQualityScore: 85, escalationRate: 0.2, medianReviewTimeMinutes: 15 });
    expect(edges.map((check) => check.pass)).toEqual([true, false, false, false, false, undefined]);
    expect(checkAgainstTargets({ tickets: 9 })[0]?.pass).toBe(false);
    expect(checkAgainstTargets({ tickets: 21 })[0]?.pass).toBe(false);
    expect(checkAgainstTargets({ tickets: 10 })[0]?.pass).toBe(true);
  });
});

describe('summarizeWeeks', () => {
  const batches = [
    batchInput('w1', '2024-01-15T18:00:00.000Z', { ready: 8, partial: 2, escalated: 1, failed: 1 }, [94, 91, 78, 80, 85, 70, 88, 76, 82, 76]),
    batchInput('w2', '2024-01-22T18:00:00.000Z', { ready: 12, escalated: 2, failed: 1 }, [...Array(6).fill(90), ...Array(6).fill(78)]),
    batchInput('w3-a', '2024-01-29T18:00:00.000Z', { ready: 8, partial: 1, escalated: 1 }, Array(9).fill(90)),
    batchInput('w3-b', '2024-02-01T18:00:00.000Z', { ready: 6, failed: 2 }, Array(6).fill(80)),
    batchInput('w5', '2024-02-12T18:00:00.000Z', { ready: 18, partial: 2 }, Array(20).fill(89)),
  ].map(computeBatchMetrics);

  it('pools batches by ISO week in the seed’s form, numbering calendar weeks from the first', () => {
    const weeks = summarizeWeeks([...batches].reverse());
    expect(weeks.map(formatWeekLine)).toEqual([
      'Week 1: 12 tickets, 75% completion, avg score 82',
      'Week 2: 15 tickets, 80% completion, avg score 84',
      'Week 3: 18 tickets, 81% completion, avg score 86',
      'Week 5: 20 tickets, 95% completion, avg score 89',
    ]);
    expect(weeks.map((week) => [week.isoWeek, week.batchIds])).toEqual([
      ['2024-W03', ['w1']],
      ['2024-W04', ['w2']],
      ['2024-W05', ['w3-a', 'w3-b']],
      ['2024-W07', ['w5']],
    ]);
  });

  it('averages the score over every MR of the week, not over batch averages', () => {
    const week3 = summarizeWeeks(batches).find((week) => week.isoWeek === '2024-W05');
    expect(week3).toMatchObject({ tickets: 18, completedTickets: 14.5, completionRate: 14.5 / 18, averageQualityScore: 86, escalationRate: 1 / 18 });
    expect(week3?.checks.map((check) => check.pass)).toEqual([true, true, true, true, undefined, undefined]);
  });

  it('has no weeks without batches', () => {
    expect(summarizeWeeks([])).toEqual([]);
  });
});

describe('helpers', () => {
  it('takes the median of odd and even counts', () => {
    expect(median([])).toBeUndefined();
    expect(median([20, 5, 10])).toBe(10);
    expect(median([20, 5, 10, 8])).toBe(9);
  });

  it('writes review times for people', () => {
    expect(formatMinutes(0.2)).toBe('<1 min');
    expect(formatMinutes(12.4)).toBe('12 min');
    expect(formatMinutes(65)).toBe('1 h 05 min');
  });
});
