import type { BatchState } from './batch.js';
import { isoWeekOf, weeksBetween } from './iso-week.js';
import { reviewTimeMinutes, type ReviewActionFact } from './review-decision.js';
import type { TicketRunState } from './ticket-run.js';

/**
 * The seed's metrics, per batch and week over week, against its targets:
 *
 * | Metric | Target |
 * |---|---|
 * | Tickets per batch | 10-20 |
 * | Completion rate | > 80% |
 * | Average quality score | > 85 |
 * | Escalation rate | < 20% |
 * | Review time per MR | < 15 min |
 *
 * Pure: the use case reads the store and passes the facts in. Definitions (also in
 * `docs/metrics.md`): a batch's tickets are its runs; a `ready` ticket counts as one
 * completed ticket and a `partial` one as half (it leaves a follow-up ticket); the
 * completion rate is completed tickets over tickets; the average quality score is the
 * mean over the gated MRs (`ready` and `partial`); the escalation rate is `escalated`
 * runs over tickets; the review time per MR is the median over the MRs with a decision;
 * the cost per completed ticket is everything the batch spent (every stage of every
 * ticket, failures included) over completed tickets.
 */

export const METRIC_NAMES = [
  'tickets',
  'completion-rate',
  'average-quality-score',
  'escalation-rate',
  'review-time',
  'cost-per-completed-ticket',
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

/** The seed's targets; `cost-per-completed-ticket` has none and is shown without a mark. */
export const SEED_METRIC_TARGETS = {
  ticketsPerBatch: { minimum: 10, maximum: 20 },
  completionRateAbove: 0.8,
  averageQualityScoreAbove: 85,
  escalationRateBelow: 0.2,
  reviewTimeMinutesBelow: 15,
} as const;

/** The target of each metric, in the seed's words. */
export const METRIC_TARGET_TEXT: Record<MetricName, string> = {
  tickets: '10-20',
  'completion-rate': '> 80%',
  'average-quality-score': '> 85',
  'escalation-rate': '< 20%',
  'review-time': '< 15 min',
  'cost-per-completed-ticket': 'none',
};

/** How much a ticket run's outcome counts towards completed tickets. */
export const COMPLETION_WEIGHT: Partial<Record<TicketRunState, number>> = { ready: 1, partial: 0.5 };

/** The facts of one batch, as stored. */
export interface BatchMetricsInput {
  batchId: string;
  createdAt: string;
  state: BatchState;
  runs: ReadonlyArray<{ ticketId: string; state: TicketRunState }>;
  mergeRequests: ReadonlyArray<{ ticketId: string; qualityScore?: number }>;
  /** The usage of every stored checkpoint of the batch. */
  usage: ReadonlyArray<{ costUsd?: number }>;
  /** The batch's `complete` transition: when the review queue was ready. */
  queueReadyAt?: string;
  /** Each ticket's latest `gates-complete` transition, by ticket id. */
  gatedAt: Readonly<Record<string, string>>;
  /** Reviewer actions, in the order recorded. */
  reviewActions: ReadonlyArray<ReviewActionFact & { ticketId: string }>;
}

/** One metric against its target; `pass` is undefined when there is no value or no target. */
export interface MetricCheck {
  metric: MetricName;
  value?: number;
  target: string;
  pass?: boolean;
}

export interface BatchMetrics {
  batchId: string;
  createdAt: string;
  state: BatchState;
  /** `2024-W03`, UTC. */
  isoWeek: string;
  tickets: number;
  outcomes: { ready: number; partial: number; escalated: number; failed: number; skipped: number; unfinished: number };
  /** `ready` + ½ `partial`. */
  completedTickets: number;
  /** 0–1; undefined for a batch without tickets. */
  completionRate?: number;
  averageQualityScore?: number;
  /** Quality scores of the gated MRs, by ticket id. */
  qualityScores: { ticketId: string; qualityScore: number }[];
  escalationRate?: number;
  /** Each gated MR's review time; `minutes` undefined while it waits for a decision. */
  reviewTimes: { ticketId: string; minutes?: number }[];
  medianReviewTimeMinutes?: number;
  /** US dollars; undefined when no stage reported a cost. */
  costUsd?: number;
  /** Stages whose agent reported no cost: the cost is a lower bound when this is above 0. */
  stagesWithoutCost: number;
  costPerCompletedTicketUsd?: number;
  checks: MetricCheck[];
}

/** Computes every metric of one batch and checks it against the seed's targets. */
export function computeBatchMetrics(input: BatchMetricsInput): BatchMetrics {
  const count = (...states: TicketRunState[]) => input.runs.filter((run) => states.includes(run.state)).length;
  const tickets = input.runs.length;
  const outcomes = {
    ready: count('ready'),
    partial: count('partial'),
    escalated: count('escalated'),
    failed: count('failed', 'timed_out'),
    skipped: count('skipped'),
    unfinished: count('queued', 'scoping', 'planning', 'implementing', 'gating'),
  };
  const completedTickets = input.runs.reduce((total, run) => total + (COMPLETION_WEIGHT[run.state] ?? 0), 0);
  const gated = new Set(input.runs.filter((run) => run.state === 'ready' || run.state === 'partial').map((run) => run.ticketId));
  const qualityScores = input.mergeRequests.flatMap((mergeRequest) =>
    gated.has(mergeRequest.ticketId) && mergeRequest.qualityScore !== undefined ? [{ ticketId: mergeRequest.ticketId, qualityScore: mergeRequest.qualityScore }] : [],
  );
  const reviewTimes = input.mergeRequests
    .filter((mergeRequest) => gated.has(mergeRequest.ticketId))
    .map((mergeRequest) => {
      const minutes = reviewTimeMinutes({
        ...(input.queueReadyAt === undefined ? {} : { queueReadyAt: input.queueReadyAt }),
        ...(input.gatedAt[mergeRequest.ticketId] === undefined ? {} : { gatedAt: input.gatedAt[mergeRequest.ticketId] }),
        actions: input.reviewActions.filter((action) => action.ticketId === mergeRequest.ticketId),
      });
      return { ticketId: mergeRequest.ticketId, ...(minutes === undefined ? {} : { minutes }) };
    });
  const costs = input.usage.flatMap((usage) => (usage.costUsd === undefined ? [] : [usage.costUsd]));
  const costUsd = costs.length === 0 ? undefined : sum(costs);
  const metrics: Omit<BatchMetrics, 'checks'> = {
    batchId: input.batchId,
    createdAt: input.createdAt,
    state: input.state,
    isoWeek: isoWeekOf(input.createdAt).label,
    tickets,
    outcomes,
    completedTickets,
    ...optional('completionRate', tickets === 0 ? undefined : completedTickets / tickets),
    ...optional('averageQualityScore', mean(qualityScores.map((entry) => entry.qualityScore))),
    qualityScores,
    ...optional('escalationRate', tickets === 0 ? undefined : outcomes.escalated / tickets),
    reviewTimes,
    ...optional('medianReviewTimeMinutes', median(reviewTimes.flatMap((entry) => (entry.minutes === undefined ? [] : [entry.minutes])))),
    ...optional('costUsd', costUsd),
    stagesWithoutCost: input.usage.length - costs.length,
    ...optional('costPerCompletedTicketUsd', costUsd === undefined || completedTickets === 0 ? undefined : costUsd / completedTickets),
  };
  return { ...metrics, checks: checkAgainstTargets(metrics) };
}

/** The seed's five targets (and the cost, without one) for a set of figures. */
export function checkAgainstTargets(figures: {
  tickets: number;
  completionRate?: number;
  averageQualityScore?: number;
  escalationRate?: number;
  medianReviewTimeMinutes?: number;
  costPerCompletedTicketUsd?: number;
}): MetricCheck[] {
  const targets = SEED_METRIC_TARGETS;
  const check = (metric: MetricName, value: number | undefined, passes?: (value: number) => boolean): MetricCheck => ({
    metric,
    ...(value === undefined ? {} : { value }),
    target: METRIC_TARGET_TEXT[metric],
    ...(value === undefined || passes === undefined ? {} : { pass: passes(value) }),
  });
  return [
    check('tickets', figures.tickets, (value) => value >= targets.ticketsPerBatch.minimum && value <= targets.ticketsPerBatch.maximum),
    check('completion-rate', figures.completionRate, (value) => value > targets.completionRateAbove),
    check('average-quality-score', figures.averageQualityScore, (value) => value > targets.averageQualityScoreAbove),
    check('escalation-rate', figures.escalationRate, (value) => value < targets.escalationRateBelow),
    check('review-time', figures.medianReviewTimeMinutes, (value) => value < targets.reviewTimeMinutesBelow),
    check('cost-per-completed-ticket', figures.costPerCompletedTicketUsd),
  ];
}

/** The figures of one ISO week: every batch created in it, pooled. */
export interface WeekTrend {
  /** 1 for the week of the first batch shown, counting calendar weeks (a week without batches leaves a gap). */
  weekNumber: number;
  isoWeek: string;
  batchIds: string[];
  tickets: number;
  completedTickets: number;
  completionRate?: number;
  averageQualityScore?: number;
  escalationRate?: number;
  medianReviewTimeMinutes?: number;
  costPerCompletedTicketUsd?: number;
  checks: MetricCheck[];
}

/**
 * Pools batches by the ISO week (UTC) of their creation: tickets and completed tickets
 * are summed, the average score is over every scored MR of the week, the review time
 * is the median over every decided MR of the week. Weeks come out oldest first.
 */
export function summarizeWeeks(batches: readonly BatchMetrics[]): WeekTrend[] {
  const ordered = [...batches].sort((left, right) => (left.createdAt < right.createdAt ? -1 : left.createdAt > right.createdAt ? 1 : 0));
  const first = ordered[0];
  if (first === undefined) return [];
  const firstWeek = isoWeekOf(first.createdAt);
  const byWeek = new Map<string, BatchMetrics[]>();
  for (const batch of ordered) byWeek.set(batch.isoWeek, [...(byWeek.get(batch.isoWeek) ?? []), batch]);
  return [...byWeek.entries()].map(([isoWeek, members]) => {
    const tickets = sum(members.map((batch) => batch.tickets));
    const completedTickets = sum(members.map((batch) => batch.completedTickets));
    const escalated = sum(members.map((batch) => batch.outcomes.escalated));
    const costs = members.flatMap((batch) => (batch.costUsd === undefined ? [] : [batch.costUsd]));
    const figures = {
      tickets,
      ...optional('completionRate', tickets === 0 ? undefined : completedTickets / tickets),
      ...optional('averageQualityScore', mean(members.flatMap((batch) => batch.qualityScores.map((entry) => entry.qualityScore)))),
      ...optional('escalationRate', tickets === 0 ? undefined : escalated / tickets),
      ...optional('medianReviewTimeMinutes', median(members.flatMap((batch) => batch.reviewTimes.flatMap((entry) => (entry.minutes === undefined ? [] : [entry.minutes]))))),
      ...optional('costPerCompletedTicketUsd', costs.length === 0 || completedTickets === 0 ? undefined : sum(costs) / completedTickets),
    };
    return {
      weekNumber: weeksBetween(firstWeek, isoWeekOf(members[0]!.createdAt)) + 1,
      isoWeek,
      batchIds: members.map((batch) => batch.batchId),
      completedTickets,
      ...figures,
      checks: checkAgainstTargets(figures),
    };
  });
}

/** The seed's trend line: `Week 1: 12 tickets, 75% completion, avg score 82`. */
export function formatWeekLine(week: Pick<WeekTrend, 'weekNumber' | 'tickets' | 'completionRate' | 'averageQualityScore'>): string {
  return `Week ${week.weekNumber}: ${trendFigures(week)}`;
}

/** The same figures for one batch: `2024-01-15-overnight: 12 tickets, 75% completion, avg score 82`. */
export function formatBatchLine(batch: Pick<BatchMetrics, 'batchId' | 'tickets' | 'completionRate' | 'averageQualityScore'>): string {
  return `${batch.batchId}: ${trendFigures(batch)}`;
}

function trendFigures(figures: { tickets: number; completionRate?: number; averageQualityScore?: number }): string {
  const completion = figures.completionRate === undefined ? '-' : `${formatPercent(figures.completionRate)}`;
  const score = figures.averageQualityScore === undefined ? '-' : String(Math.round(figures.averageQualityScore));
  return `${figures.tickets} ${figures.tickets === 1 ? 'ticket' : 'tickets'}, ${completion} completion, avg score ${score}`;
}

/** A review time for people: `12 min`, `1 h 05 min`; `<1 min` below half a minute. */
export function formatMinutes(minutes: number): string {
  const whole = Math.round(minutes);
  if (whole === 0) return '<1 min';
  if (whole < 60) return `${whole} min`;
  return `${Math.floor(whole / 60)} h ${String(whole % 60).padStart(2, '0')} min`;
}

/** A rate as a whole percentage, `0.75` → `75%`. */
export function formatPercent(rate: number): string {
  return `${Math.round(rate * 100)}%`;
}

/** The middle value (the mean of the two middle ones for an even count); undefined for none. */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function mean(values: readonly number[]): number | undefined {
  return values.length === 0 ? undefined : sum(values) / values.length;
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function optional<K extends string>(key: K, value: number | undefined): { [P in K]?: number } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: number };
}
