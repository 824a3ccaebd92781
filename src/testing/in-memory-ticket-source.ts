import type { Ticket } from '../domain/ticket.js';
import type { TicketListing, TicketProblem, TicketRefusalNote, TicketSource } from '../ports/ticket-source.js';

/**
 * A tracker held in memory, for the pipeline's tests: it lists the tickets it was
 * given, and keeps the refusals and status changes Nightshift makes so a test can
 * read them. Passes the same contract suite as the real trackers.
 */
export class InMemoryTicketSource implements TicketSource {
  readonly kind = 'in-memory';
  /** The refusal note currently recorded per ticket id. */
  readonly refusals = new Map<string, TicketRefusalNote>();
  /** Every status change, in order. */
  readonly statusUpdates: { ticketId: string; status: string }[] = [];
  readonly #tickets: Ticket[];
  readonly #problems: TicketProblem[];

  constructor(tickets: readonly Ticket[], problems: readonly TicketProblem[] = []) {
    this.#tickets = tickets.map((ticket) => structuredClone(ticket));
    this.#problems = problems.map((problem) => ({ ...problem }));
  }

  async listTickets(): Promise<TicketListing> {
    return { tickets: this.#tickets.map((ticket) => structuredClone(ticket)), problems: this.#problems.map((problem) => ({ ...problem })) };
  }

  async recordRefusal(ticketId: string, refusal: TicketRefusalNote): Promise<void> {
    this.#require(ticketId);
    this.refusals.set(ticketId, structuredClone(refusal));
  }

  async clearRefusal(ticketId: string): Promise<void> {
    this.#require(ticketId);
    this.refusals.delete(ticketId);
  }

  async updateStatus(ticketId: string, status: string): Promise<void> {
    for (const ticket of this.#require(ticketId)) ticket.status = status;
    this.statusUpdates.push({ ticketId, status });
  }

  async readRefusal(ticketId: string): Promise<TicketRefusalNote | undefined> {
    this.#require(ticketId);
    const refusal = this.refusals.get(ticketId);
    return refusal === undefined ? undefined : structuredClone(refusal);
  }

  #require(ticketId: string): Ticket[] {
    const matches = this.#tickets.filter((ticket) => ticket.id === ticketId);
    if (matches.length === 0) throw new Error(`ticket ${JSON.stringify(ticketId)} is not in this in-memory tracker`);
    return matches;
  }
}
