/**
 * The seed's batch lifecycle, `pending → running → completed → reviewed`, plus
 * `paused` (rate limit) and `aborted` (too many rate limits), as a pure state machine.
 */
export const BATCH_STATES = ['pending', 'running', 'paused', 'completed', 'reviewed', 'aborted'] as const;
export type BatchState = (typeof BATCH_STATES)[number];

export type BatchEvent =
  | { type: 'start' }
  | { type: 'pause'; reason: string }
  | { type: 'resume' }
  | { type: 'complete' }
  | { type: 'review' }
  | { type: 'abort'; reason: string };

export interface BatchTransition {
  batchId: string;
  from: BatchState;
  to: BatchState;
  event: BatchEvent['type'];
  reason?: string;
  at: string;
}

const allowed: Record<BatchEvent['type'], Partial<Record<BatchState, BatchState>>> = {
  start: { pending: 'running', running: 'running' },
  pause: { running: 'paused' },
  resume: { paused: 'running' },
  complete: { running: 'completed' },
  review: { completed: 'reviewed' },
  abort: { running: 'aborted', paused: 'aborted', pending: 'aborted' },
};

export type BatchTransitionResult = { ok: true; state: BatchState; transition: BatchTransition } | { ok: false; error: string };

/** Applies one event to a batch state; `start` on a running batch is a resume after a crash. */
export function transitionBatch(batchId: string, state: BatchState, event: BatchEvent, at: string): BatchTransitionResult {
  const to = allowed[event.type][state];
  if (to === undefined) return { ok: false, error: `batch ${batchId}: event "${event.type}" is not allowed in state "${state}"` };
  const transition: BatchTransition = { batchId, from: state, to, event: event.type, at };
  if ('reason' in event) transition.reason = event.reason;
  return { ok: true, state: to, transition };
}
