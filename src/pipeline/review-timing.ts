import type { Store } from '../ports/store.js';

/** When a batch's review queue was ready, and when each of its MRs came out of the gates. */
export interface ReviewTiming {
  /** The batch's `complete` transition (running → completed, right after the gates). */
  queueReadyAt?: string;
  /** Each ticket's latest `gates-complete` transition, by ticket id. */
  gatedAt: Record<string, string>;
}

/**
 * Reads the two instants review times are measured from, out of the stored transition
 * history, so review time is derived from records that exist anyway and never drifts
 * from them.
 */
export async function readReviewTiming(store: Store, batchId: string): Promise<ReviewTiming> {
  const completed = (await store.listBatchTransitions(batchId)).filter((transition) => transition.event === 'complete').at(-1);
  const gatedAt: Record<string, string> = {};
  for (const transition of await store.listRunTransitions(batchId)) {
    if (transition.event === 'gates-complete') gatedAt[transition.ticketId] = transition.at;
  }
  return { ...(completed === undefined ? {} : { queueReadyAt: completed.at }), gatedAt };
}
