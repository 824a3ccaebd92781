import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../adapters/stores/memory/memory-store.js';
import { transitionBatch, type BatchEvent } from '../domain/batch.js';
import { newTicketRun, transitionTicketRun, type TicketRunEvent } from '../domain/ticket-run.js';
import { buildBatch, buildEscalation, buildMergeRequest, buildReviewAction, buildTicket } from '../testing/contracts/store-record-builders.js';
import { FixedClock } from '../testing/fixed-clock.js';
import { InMemoryTicketSource } from '../testing/in-memory-ticket-source.js';
import { answerEscalation } from './escalations.js';
import { settleBatchReview } from './settle-batch-review.js';

const BATCH = '2024-01-15-overnight';

describe('settleBatchReview', () => {
  let store: MemoryStore;
  let clock: FixedClock;

  async function move(ticketId: string, ...events: TicketRunEvent[]): Promise<void> {
    let run = (await store.getRun(BATCH, ticketId))!;
    for (const event of events) {
      const result = transitionTicketRun(run, event, clock.nowIso());
      if (!result.ok) throw new Error(result.error);
      await store.applyRunTransition(result.run, result.transition);
      run = result.run;
    }
  }

  async function moveBatch(...events: BatchEvent[]): Promise<void> {
    for (const event of events) {
      const batch = (await store.getBatch(BATCH))!;
      const result = transitionBatch(BATCH, batch.state, event, clock.nowIso());
      if (!result.ok) throw new Error(result.error);
      await store.applyBatchTransition(result.transition);
    }
  }

  beforeEach(async () => {
    store = new MemoryStore();
    clock = new FixedClock('2024-01-16T06:00:00.000Z');
    const ids = ['PROJ-142', 'PROJ-145', 'PROJ-150'];
    await store.createBatch(buildBatch(BATCH), ids.map((id) => buildTicket(id)), ids.map((id) => newTicketRun(BATCH, id, clock.nowIso())));
    await moveBatch({ type: 'start' });
    await move('PROJ-142', { type: 'start' }, { type: 'scope-complete' }, { type: 'plan-complete' }, { type: 'implementation-complete', partial: false }, { type: 'gates-complete' });
    await store.saveMergeRequest(buildMergeRequest(BATCH, 'PROJ-142'));
    await move('PROJ-145', { type: 'start' }, { type: 'scope-complete' }, { type: 'escalate', reason: 'architecture' });
    await store.saveEscalation(buildEscalation(BATCH, 'PROJ-145'));
    await move('PROJ-150', { type: 'start' }, { type: 'fail', reason: 'agent crashed' });
  });

  it('leaves a batch that is not completed yet as it is', async () => {
    await store.saveReviewAction(buildReviewAction(BATCH, 'PROJ-142'));
    expect(await settleBatchReview({ store, clock }, BATCH)).toBe('running');
  });

  it('goes completed → reviewed once every MR has a decision and every escalation an answer, the last one being the answer', async () => {
    await moveBatch({ type: 'complete' });
    expect(await settleBatchReview({ store, clock }, BATCH)).toBe('completed');
    await store.saveReviewAction(buildReviewAction(BATCH, 'PROJ-142', { action: 'request-changes' }));
    expect(await settleBatchReview({ store, clock }, BATCH)).toBe('completed');

    clock.set('2024-01-16T14:00:00.000Z');
    const ticketSource = new InMemoryTicketSource([buildTicket('PROJ-145', { status: 'escalated' })]);
    const answered = await answerEscalation({ store, ticketSource, clock }, { ticketId: 'PROJ-145', text: 'Use JWT', answeredBy: 'ada' });
    expect(answered.ok).toBe(true);
    expect((await store.getBatch(BATCH))?.state).toBe('reviewed');
    expect((await store.listBatchTransitions(BATCH)).at(-1)).toEqual({ batchId: BATCH, from: 'completed', to: 'reviewed', event: 'review', at: '2024-01-16T14:00:00.000Z' });
    expect(await settleBatchReview({ store, clock }, BATCH)).toBe('reviewed');
  });
});
