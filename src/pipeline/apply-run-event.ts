import { transitionTicketRun, type TicketRun, type TicketRunEvent } from '../domain/ticket-run.js';
import type { Store } from '../ports/store.js';

/**
 * The only way the pipeline changes a ticket run's state: decide with the pure
 * transition function, then store the new state and its transition record together.
 * An event that does not fit the state is a defect in the pipeline, so it throws.
 */
export async function applyRunEvent(store: Store, run: TicketRun, event: TicketRunEvent, at: Date): Promise<TicketRun> {
  const result = transitionTicketRun(run, event, at.toISOString());
  if (!result.ok) throw new Error(result.error);
  await store.applyRunTransition(result.run, result.transition);
  return result.run;
}
