import {
  decideTicketStarts,
  DEPENDENCY_SATISFIED_STATES,
  type SchedulerDecision,
  type SchedulerInput,
} from '../src/domain/ticket-scheduler.js';
import type { Priority } from '../src/domain/ticket.js';
import type { SimulatedTicket } from './random-batch-graph.js';

/** Anything with the scheduler's shape: the state of the batch in, the tickets to start out. */
export type OrderingPolicy = (input: SchedulerInput) => SchedulerDecision;

export interface NamedPolicy {
  name: string;
  /** A reference the real scheduler cannot be (it knows the true durations); printed, never judged. */
  reference: boolean;
  /** The policy for one batch; a reference policy may look at the batch's true durations. */
  forBatch(tickets: readonly SimulatedTicket[]): OrderingPolicy;
}

const PRIORITY_RANK: Record<Priority, number> = { high: 0, medium: 1, low: 2 };
const UNIT_WEIGHTS = { small: 1, medium: 1, large: 1 } as const;

/**
 * The policies the makespan benchmark compares: Nightshift's scheduler, the same with
 * chains counted in tickets instead of weighted, the two naive orders it replaced, and
 * the critical path of the true durations as the best a list scheduler could do.
 */
export const ORDERING_POLICIES: readonly NamedPolicy[] = [
  { name: 'nightshift (weighted chain)', reference: false, forBatch: () => decideTicketStarts },
  { name: 'chain length in tickets', reference: false, forBatch: () => (input) => decideTicketStarts({ ...input, durationWeights: UNIT_WEIGHTS }) },
  { name: 'fifo (manifest order)', reference: false, forBatch: () => (input) => startInOrder(input, () => 0) },
  {
    name: 'priority, then manifest',
    reference: false,
    forBatch: () => (input) => startInOrder(input, (left, right) => PRIORITY_RANK[left.priority] - PRIORITY_RANK[right.priority]),
  },
  { name: 'true critical path (oracle)', reference: true, forBatch: (tickets) => trueCriticalPathPolicy(tickets) },
];

/**
 * Starts the tickets whose dependencies are done, sorted by `compare` and then by
 * manifest order, up to the free slots. Simulated batches never fail, so nothing is skipped.
 */
export function startInOrder(input: SchedulerInput, compare: (left: SchedulerInput['tickets'][number], right: SchedulerInput['tickets'][number]) => number): SchedulerDecision {
  const stateOf = (id: string) => input.states.get(id) ?? 'queued';
  const inBatch = new Set(input.tickets.map((ticket) => ticket.id));
  const candidates = input.tickets
    .map((ticket, index) => ({ ticket, index }))
    .filter(
      ({ ticket }) =>
        stateOf(ticket.id) === 'queued' &&
        !input.running.has(ticket.id) &&
        ticket.dependencies.every((dependency) => !inBatch.has(dependency) || DEPENDENCY_SATISFIED_STATES.includes(stateOf(dependency))),
    );
  candidates.sort((left, right) => compare(left.ticket, right.ticket) || left.index - right.index);
  const freeSlots = input.acceptingNewTickets ? Math.max(0, input.parallelAgents - input.running.size) : 0;
  const start = candidates.slice(0, freeSlots).map(({ ticket }) => ticket.id);
  return { start, skip: [], finished: input.running.size === 0 && start.length === 0 };
}

/** Longest remaining chain of *true* durations first: what the scheduler would do if estimates were exact. */
function trueCriticalPathPolicy(tickets: readonly SimulatedTicket[]): OrderingPolicy {
  const tail = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const ticket of tickets) {
    for (const dependency of ticket.dependencies) dependents.set(dependency, [...(dependents.get(dependency) ?? []), ticket.id]);
  }
  for (const ticket of [...tickets].reverse()) {
    tail.set(ticket.id, ticket.duration + Math.max(0, ...(dependents.get(ticket.id) ?? []).map((id) => tail.get(id) ?? 0)));
  }
  return (input) => startInOrder(input, (left, right) => (tail.get(right.id) ?? 0) - (tail.get(left.id) ?? 0));
}
