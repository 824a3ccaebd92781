import { composeFollowUpTicket, nextTicketIdInSequence } from '../domain/follow-up-ticket.js';
import type { Ticket } from '../domain/ticket.js';
import type {
  FollowUpTicketReference,
  FollowUpTicketRequest,
  TicketListing,
  TicketProblem,
  TicketRefusalNote,
  TicketSource,
} from '../ports/ticket-source.js';

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
  /** Every follow-up filed, by original and batch (`JSON.stringify([original, batch])`). */
  readonly followUps = new Map<string, FollowUpTicketReference>();
  readonly #tickets: Ticket[];
  readonly #problems: TicketProblem[];
  readonly #readyLabel: string;

  constructor(tickets: readonly Ticket[], problems: readonly TicketProblem[] = [], options: { readyLabel?: string } = {}) {
    this.#tickets = tickets.map((ticket) => structuredClone(ticket));
    this.#problems = problems.map((problem) => ({ ...problem }));
    this.#readyLabel = options.readyLabel ?? 'ready-for-agent';
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

  /** Files the draft in memory, with the files tracker's id rule and idempotence. */
  async createFollowUpTicket(request: FollowUpTicketRequest): Promise<FollowUpTicketReference> {
    const key = JSON.stringify([request.originalTicketId, request.batchId]);
    const existing = this.followUps.get(key);
    if (existing !== undefined) return { ...existing, created: false };
    const [original] = this.#require(request.originalTicketId);
    if (original === undefined) throw new Error('unreachable: #require returns at least one ticket');
    const taken = [...this.#tickets.map((ticket) => ticket.id), ...this.#problems.flatMap((problem) => (problem.ticketId === undefined ? [] : [problem.ticketId]))];
    const draft = composeFollowUpTicket({ ...request, original, newTicketId: nextTicketIdInSequence(original.id, taken), readyLabel: this.#readyLabel });
    const sourceReference = `memory/follow-ups/${draft.id}`;
    const { description, followUpOf: _followUpOf, createdByBatch: _createdByBatch, ...fields } = draft;
    this.#tickets.push({ ...fields, estimatedFiles: [], openQuestions: [], testCases: [], readinessChecklist: [], body: description, sourceReference });
    const reference: FollowUpTicketReference = { ticketId: draft.id, sourceReference, created: true };
    this.followUps.set(key, reference);
    return { ...reference };
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
