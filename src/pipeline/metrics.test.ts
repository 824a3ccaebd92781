import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../adapters/stores/sqlite/sqlite-store.js';
import { formatBatchLine, formatWeekLine } from '../domain/batch-metrics.js';
import { transitionBatch, type BatchEvent } from '../domain/batch.js';
import { newTicketRun, transitionTicketRun, type TicketRun, type TicketRunEvent } from '../domain/ticket-run.js';
import type { ReviewActionKind } from '../domain/review-decision.js';
import type { Store } from '../ports/store.js';
import { buildBatch, buildCheckpoint, buildMergeRequest, buildTicket } from '../testing/contracts/store-record-builders.js';
import { collectMetrics } from './metrics.js';

type Outcome = 'ready' | 'partial' | 'escalated' | 'failed';

interface TicketSpec {
  id: string;
  outcome: Outcome;
  score?: number;
  /** Cost of each stored checkpoint, in US dollars. */
  costs: number[];
  /** Reviewer actions as [action, reviewer, at]. */
  actions?: [ReviewActionKind, string, string][];
}

interface BatchSpec {
  id: string;
  createdAt: string;
  gatedAt: string;
  completeAt: string;
  tickets: TicketSpec[];
}

const EVENTS: Record<Outcome, TicketRunEvent[]> = {
  ready: [{ type: 'start' }, { type: 'scope-complete' }, { type: 'plan-complete' }, { type: 'implementation-complete', partial: false }, { type: 'gates-complete' }],
  partial: [{ type: 'start' }, { type: 'scope-complete' }, { type: 'plan-complete' }, { type: 'implementation-complete', partial: true }, { type: 'gates-complete' }],
  escalated: [{ type: 'start' }, { type: 'scope-complete' }, { type: 'escalate', reason: 'architecture decision needed' }],
  failed: [{ type: 'start' }, { type: 'fail', reason: 'agent crashed' }],
};

/** Writes a whole night into the store the way the pipeline does: transitions, checkpoints, MRs, then the reviewers' actions. */
async function recordNight(store: Store, spec: BatchSpec): Promise<void> {
  await store.createBatch(buildBatch(spec.id, { createdAt: spec.createdAt }), spec.tickets.map((ticket) => buildTicket(ticket.id)), spec.tickets.map((ticket) => newTicketRun(spec.id, ticket.id, spec.createdAt)));
  let state = (await store.getBatch(spec.id))!.state;
  const moveBatch = async (event: BatchEvent, at: string) => {
    const result = transitionBatch(spec.id, state, event, at);
    if (!result.ok) throw new Error(result.error);
    await store.applyBatchTransition(result.transition);
    state = result.state;
  };
  await moveBatch({ type: 'start' }, spec.createdAt);
  for (const ticket of spec.tickets) {
    let run: TicketRun = (await store.getRun(spec.id, ticket.id))!;
    for (const event of EVENTS[ticket.outcome]) {
      const result = transitionTicketRun(run, event, event.type === 'gates-complete' ? spec.gatedAt : spec.createdAt);
      if (!result.ok) throw new Error(result.error);
      await store.applyRunTransition(result.run, result.transition);
      run = result.run;
    }
    for (const costUsd of ticket.costs) {
      await store.saveCheckpoint({ ...buildCheckpoint(spec.id, ticket.id, 'C0'), usage: { inputTokens: 1000, outputTokens: 100, costUsd } });
    }
    if (ticket.score !== undefined) await store.saveMergeRequest(buildMergeRequest(spec.id, ticket.id, { qualityScore: ticket.score }));
  }
  await moveBatch({ type: 'complete' }, spec.completeAt);
  for (const ticket of spec.tickets) {
    for (const [action, reviewer, at] of ticket.actions ?? []) {
      await store.saveReviewAction({ batchId: spec.id, ticketId: ticket.id, action, reviewer, commit: 'a'.repeat(40), at });
    }
  }
}

const FIRST_NIGHT: BatchSpec = {
  id: '2024-01-15-overnight',
  createdAt: '2024-01-15T18:00:00.000Z',
  gatedAt: '2024-01-16T05:30:00.000Z',
  completeAt: '2024-01-16T06:00:00.000Z',
  tickets: [
    { id: 'A-1', outcome: 'ready', score: 94, costs: [0.1, 0.2, 0.3], actions: [['approve', 'ada', '2024-01-16T06:12:00.000Z'], ['merge', 'ada', '2024-01-16T06:20:00.000Z']] },
    { id: 'A-2', outcome: 'ready', score: 78, costs: [0.2], actions: [['request-changes', 'bob', '2024-01-16T06:30:00.000Z']] },
    { id: 'A-3', outcome: 'partial', score: 70, costs: [0.4] },
    { id: 'A-4', outcome: 'escalated', costs: [0.05, 0.05] },
    { id: 'A-5', outcome: 'failed', costs: [0.1] },
  ],
};

const SECOND_NIGHT: BatchSpec = {
  id: '2024-01-22-overnight',
  createdAt: '2024-01-22T18:00:00.000Z',
  gatedAt: '2024-01-23T05:40:00.000Z',
  completeAt: '2024-01-23T06:00:00.000Z',
  tickets: [
    { id: 'B-1', outcome: 'ready', score: 90, costs: [0.25], actions: [['approve', 'ada', '2024-01-23T06:03:00.000Z']] },
    { id: 'B-2', outcome: 'ready', score: 92, costs: [0.25], actions: [['approve', 'ada', '2024-01-23T06:07:00.000Z']] },
    { id: 'B-3', outcome: 'ready', score: 88, costs: [0.25], actions: [['approve', 'bob', '2024-01-23T06:10:00.000Z']] },
    { id: 'B-4', outcome: 'ready', score: 86, costs: [0.25], actions: [['approve', 'bob', '2024-01-23T06:30:00.000Z']] },
  ],
};

describe('collectMetrics', () => {
  let store: SqliteStore;
  beforeEach(async () => {
    store = await SqliteStore.open(':memory:');
    await recordNight(store, FIRST_NIGHT);
    await recordNight(store, SECOND_NIGHT);
  });
  afterEach(async () => {
    await store.close();
  });

  it('computes every figure of each stored batch against the seed’s targets', async () => {
    const report = await collectMetrics({ store });
    expect(report.batchesStored).toBe(2);
    const [first, second] = report.batches;
    expect(first).toMatchObject({
      batchId: '2024-01-15-overnight',
      state: 'completed',
      isoWeek: '2024-W03',
      tickets: 5,
      outcomes: { ready: 2, partial: 1, escalated: 1, failed: 1, skipped: 0, unfinished: 0 },
      completedTickets: 2.5,
      completionRate: 0.5,
      escalationRate: 0.2,
      medianReviewTimeMinutes: 21,
      stagesWithoutCost: 0,
    });
    expect(first?.averageQualityScore).toBeCloseTo(242 / 3, 10);
    expect(first?.costUsd).toBeCloseTo(1.4, 10);
    expect(first?.costPerCompletedTicketUsd).toBeCloseTo(0.56, 10);
    expect(first?.reviewTimes).toEqual([{ ticketId: 'A-1', minutes: 12 }, { ticketId: 'A-2', minutes: 30 }, { ticketId: 'A-3' }]);
    expect(first?.checks.map((check) => [check.metric, check.pass])).toEqual([
      ['tickets', false],
      ['completion-rate', false],
      ['average-quality-score', false],
      ['escalation-rate', false],
      ['review-time', false],
      ['cost-per-completed-ticket', undefined],
    ]);

    expect(second).toMatchObject({ tickets: 4, completedTickets: 4, completionRate: 1, averageQualityScore: 89, escalationRate: 0, medianReviewTimeMinutes: 8.5, costUsd: 1, costPerCompletedTicketUsd: 0.25 });
    expect(second?.checks.map((check) => check.pass)).toEqual([false, true, true, true, true, undefined]);
    expect(report.batches.map(formatBatchLine)).toEqual([
      '2024-01-15-overnight: 5 tickets, 50% completion, avg score 81',
      '2024-01-22-overnight: 4 tickets, 100% completion, avg score 89',
    ]);
  });

  it('gives the trend by week in the seed’s form', async () => {
    const report = await collectMetrics({ store });
    expect(report.weeks.map(formatWeekLine)).toEqual(['Week 1: 5 tickets, 50% completion, avg score 81', 'Week 2: 4 tickets, 100% completion, avg score 89']);
    expect(report.weeks.map((week) => week.isoWeek)).toEqual(['2024-W03', '2024-W04']);
    expect(report.weeks[1]?.medianReviewTimeMinutes).toBe(8.5);
  });

  it('shows only the latest batches asked for, and their weeks', async () => {
    const report = await collectMetrics({ store }, { batches: 1 });
    expect(report.batchesStored).toBe(2);
    expect(report.batches.map((batch) => batch.batchId)).toEqual(['2024-01-22-overnight']);
    expect(report.weeks.map(formatWeekLine)).toEqual(['Week 1: 4 tickets, 100% completion, avg score 89']);
    await expect(collectMetrics({ store }, { batches: 0 })).rejects.toThrow(/at least 1/);
  });
});
