import { DEPENDENCY_SATISFIED_STATES } from '../src/domain/ticket-scheduler.js';
import type { TicketRunState } from '../src/domain/ticket-run.js';
import type { OrderingPolicy } from './ordering-policies.js';
import type { SimulatedTicket } from './random-batch-graph.js';

/**
 * Runs one batch as a discrete-event simulation, with no I/O and no clock: ask the
 * policy which tickets start now, jump to the next completion, mark it `ready`,
 * repeat. Returns the time the last ticket finished. Throws if the policy breaks the
 * rules (starts a ticket twice, before its dependencies, or beyond the free slots) or
 * stalls with work left — those are defects of the policy, not results.
 */
export function simulateMakespan(tickets: readonly SimulatedTicket[], policy: OrderingPolicy, parallelAgents: number): number {
  const byId = new Map(tickets.map((ticket) => [ticket.id, ticket]));
  const states = new Map<string, TicketRunState>(tickets.map((ticket) => [ticket.id, 'queued']));
  const finishTimes = new Map<string, number>();
  let now = 0;
  let done = 0;
  for (;;) {
    const decision = policy({ tickets, states, running: new Set(finishTimes.keys()), parallelAgents, acceptingNewTickets: true });
    if (decision.skip.length > 0) throw new Error(`simulation: the policy skipped ${decision.skip[0]?.ticketId}, but no ticket fails here`);
    if (decision.start.length > parallelAgents - finishTimes.size) throw new Error(`simulation: the policy started ${decision.start.length} tickets with ${parallelAgents - finishTimes.size} free slots`);
    for (const id of decision.start) {
      const ticket = byId.get(id);
      if (ticket === undefined || states.get(id) !== 'queued') throw new Error(`simulation: the policy started ${id}, which is not a queued ticket`);
      if (!ticket.dependencies.every((dependency) => DEPENDENCY_SATISFIED_STATES.includes(states.get(dependency) ?? 'ready'))) {
        throw new Error(`simulation: the policy started ${id} before its dependencies were done`);
      }
      states.set(id, 'implementing');
      finishTimes.set(id, now + ticket.duration);
    }
    if (finishTimes.size === 0) {
      if (done === tickets.length) return now;
      throw new Error(`simulation: the policy left ${tickets.length - done} tickets waiting with every agent idle`);
    }
    now = Math.min(...finishTimes.values());
    for (const [id, finish] of finishTimes) {
      if (finish > now) continue;
      finishTimes.delete(id);
      states.set(id, 'ready');
      done += 1;
    }
  }
}
