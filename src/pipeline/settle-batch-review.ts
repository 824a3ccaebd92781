import { transitionBatch, type BatchState } from '../domain/batch.js';
import type { PipelineDependencies } from './pipeline-dependencies.js';

/** What settling needs: the store and the clock of the transition. */
export type SettleBatchReviewDependencies = Pick<PipelineDependencies, 'store' | 'clock'>;

/**
 * Moves a completed batch to `reviewed` (the seed's `completed → reviewed`, through the
 * batch state machine) once every gated MR has a reviewer decision (approve, request
 * changes or merge) and every escalated ticket's escalation in the batch is answered.
 * Called after each reviewer action and each escalation answer; a batch that is not
 * `completed`, or has nothing to review, is left as it is. Returns the batch's state.
 */
export async function settleBatchReview(dependencies: SettleBatchReviewDependencies, batchId: string): Promise<BatchState | undefined> {
  const { store } = dependencies;
  const batch = await store.getBatch(batchId);
  if (batch === undefined || batch.state !== 'completed') return batch?.state;
  const runs = await store.listRuns(batchId);
  const decided = new Set((await store.listReviewActions(batchId)).map((action) => action.ticketId));
  const withMergeRequest = new Set((await store.listMergeRequests(batchId)).map((mergeRequest) => mergeRequest.ticketId));
  const openEscalations = new Set((await store.listEscalations({ batchId, open: true })).map((escalation) => escalation.ticketId));
  const toReview = runs.filter(
    (run) => run.state === 'escalated' || ((run.state === 'ready' || run.state === 'partial') && withMergeRequest.has(run.ticketId)),
  );
  if (toReview.length === 0) return batch.state;
  const undecided = toReview.filter((run) => (run.state === 'escalated' ? openEscalations.has(run.ticketId) : !decided.has(run.ticketId)));
  if (undecided.length > 0) return batch.state;
  const result = transitionBatch(batch.id, batch.state, { type: 'review' }, dependencies.clock.now().toISOString());
  if (!result.ok) throw new Error(result.error);
  await store.applyBatchTransition(result.transition);
  return result.state;
}
