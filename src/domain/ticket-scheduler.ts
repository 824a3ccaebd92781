import type { Complexity, Priority } from './ticket.js';
import type { TicketRunState } from './ticket-run.js';

/**
 * Decides which tickets of a batch may start now — the "decide" half of generation;
 * the runner applies the decision. Pure: states, dependencies and limits in, a list out.
 *
 * Order among startable tickets: the longest remaining dependency chain first (weighted
 * by estimated duration), so the whole batch finishes soonest — the night's goal is that
 * every ticket is done by morning; then priority, then manifest order. Priority still
 * decides the morning: the review queue puts high-priority MRs first.
 */
export interface SchedulerTicket {
  id: string;
  priority: Priority;
  complexity?: Complexity;
  /** Dependencies of this ticket; those outside the batch are resolved and ignored here. */
  dependencies: readonly string[];
}

export interface SchedulerInput {
  /** The batch's tickets in manifest order. */
  tickets: readonly SchedulerTicket[];
  states: ReadonlyMap<string, TicketRunState>;
  /** Tickets an agent is working on right now. */
  running: ReadonlySet<string>;
  parallelAgents: number;
  /** False while the batch is paused by a rate limit or over its budget: nothing new starts. */
  acceptingNewTickets: boolean;
  /** Estimated duration by complexity, for the chain lengths; defaults to {@link DEFAULT_DURATION_WEIGHTS}. */
  durationWeights?: Readonly<Record<Complexity, number>>;
}

export interface SchedulerDecision {
  /** Tickets to start now, best first; never more than the free agent slots. */
  start: string[];
  /** Queued tickets that can never start in this batch, with the reason. */
  skip: { ticketId: string; reason: string }[];
  /** True when nothing is running and nothing can start: generation is over. */
  finished: boolean;
}

/** Relative effort by complexity; unknown complexity counts as medium. */
export const DEFAULT_DURATION_WEIGHTS: Readonly<Record<Complexity, number>> = { small: 1, medium: 2, large: 4 };

/** A dependency in these states has its branch committed: dependents may stack on it. */
export const DEPENDENCY_SATISFIED_STATES: readonly TicketRunState[] = ['gating', 'ready', 'partial'];

/** A dependency that ended in these states will never be satisfied in this batch. */
export const DEPENDENCY_FAILED_STATES: readonly TicketRunState[] = ['failed', 'timed_out', 'skipped', 'escalated'];

/** States from which the runner (re)starts a ticket: queued, or interrupted mid-work by a crash. */
const STARTABLE_STATES: readonly TicketRunState[] = ['queued', 'scoping', 'planning', 'implementing'];

const PRIORITY_RANK: Record<Priority, number> = { high: 0, medium: 1, low: 2 };

export function decideTicketStarts(input: SchedulerInput): SchedulerDecision {
  const weights = input.durationWeights ?? DEFAULT_DURATION_WEIGHTS;
  const inBatch = new Map(input.tickets.map((ticket, index) => [ticket.id, { ticket, index }]));
  const stateOf = (id: string): TicketRunState => input.states.get(id) ?? 'queued';
  const skip: SchedulerDecision['skip'] = [];
  const skipped = new Set<string>();

  // A dependency that failed makes every queued ticket downstream unreachable, transitively.
  let changed = true;
  while (changed) {
    changed = false;
    for (const { ticket } of inBatch.values()) {
      if (stateOf(ticket.id) !== 'queued' || skipped.has(ticket.id) || input.running.has(ticket.id)) continue;
      const blocker = ticket.dependencies.find(
        (dependency) => inBatch.has(dependency) && (DEPENDENCY_FAILED_STATES.includes(stateOf(dependency)) || skipped.has(dependency)),
      );
      if (blocker !== undefined) {
        const blockerState = skipped.has(blocker) ? 'skipped' : stateOf(blocker);
        skip.push({ ticketId: ticket.id, reason: `dependency ${blocker} did not complete (it ended ${blockerState})` });
        skipped.add(ticket.id);
        changed = true;
      }
    }
  }

  const chainLength = remainingChainLengths(input.tickets, (id) => stateOf(id), weights);
  const candidates = input.tickets.filter(
    (ticket) =>
      !skipped.has(ticket.id) &&
      !input.running.has(ticket.id) &&
      STARTABLE_STATES.includes(stateOf(ticket.id)) &&
      ticket.dependencies.every((dependency) => !inBatch.has(dependency) || DEPENDENCY_SATISFIED_STATES.includes(stateOf(dependency))),
  );
  candidates.sort(
    (left, right) =>
      (chainLength.get(right.id) ?? 0) - (chainLength.get(left.id) ?? 0) ||
      PRIORITY_RANK[left.priority] - PRIORITY_RANK[right.priority] ||
      (inBatch.get(left.id)?.index ?? 0) - (inBatch.get(right.id)?.index ?? 0),
  );
  const freeSlots = input.acceptingNewTickets ? Math.max(0, input.parallelAgents - input.running.size) : 0;
  const start = candidates.slice(0, freeSlots).map((ticket) => ticket.id);
  const waiting = input.tickets.some((ticket) => !skipped.has(ticket.id) && STARTABLE_STATES.includes(stateOf(ticket.id)));
  return { start, skip, finished: input.running.size === 0 && start.length === 0 && (!waiting || candidates.length === 0) && input.acceptingNewTickets };
}

/**
 * For each ticket not yet done, its own weight plus the longest weighted chain of
 * not-done tickets that depend on it: starting the longest chains first shortens the night.
 */
export function remainingChainLengths(
  tickets: readonly SchedulerTicket[],
  stateOf: (id: string) => TicketRunState,
  weights: Readonly<Record<Complexity, number>> = DEFAULT_DURATION_WEIGHTS,
): Map<string, number> {
  const dependents = new Map<string, string[]>();
  const byId = new Map(tickets.map((ticket) => [ticket.id, ticket]));
  for (const ticket of tickets) {
    for (const dependency of ticket.dependencies) {
      if (byId.has(dependency)) dependents.set(dependency, [...(dependents.get(dependency) ?? []), ticket.id]);
    }
  }
  const lengths = new Map<string, number>();
  const visiting = new Set<string>();
  const lengthOf = (id: string): number => {
    const known = lengths.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return 0;
    visiting.add(id);
    const ticket = byId.get(id);
    const own = ticket === undefined || !STARTABLE_STATES.includes(stateOf(id)) ? 0 : weights[ticket.complexity ?? 'medium'];
    const downstream = Math.max(0, ...(dependents.get(id) ?? []).map(lengthOf));
    visiting.delete(id);
    lengths.set(id, own + downstream);
    return own + downstream;
  };
  for (const ticket of tickets) lengthOf(ticket.id);
  return lengths;
}
