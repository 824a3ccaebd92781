import type { Ticket } from '../domain/ticket.js';

/**
 * Where tickets come from (local files, GitHub, Jira …) and where Nightshift tells
 * their authors what happened. Unreadable tickets are returned as problems, not thrown.
 */
export interface TicketSource {
  readonly kind: string;
  listTickets(): Promise<TicketListing>;
  /** Tells the author why a ticket was refused at intake (e.g. a `readiness` block or a comment). */
  recordRefusal(ticketId: string, refusal: TicketRefusalNote): Promise<void>;
  /** Clears a refusal note once the ticket is accepted. */
  clearRefusal(ticketId: string): Promise<void>;
  /** Sets the tracker's status of a ticket (e.g. `in-progress`, `partial`, `done`). */
  updateStatus(ticketId: string, status: string): Promise<void>;
  /**
   * Files a draft ticket for the work a run left unfinished (the seed's "complexity
   * exceeds estimate": create a follow-up ticket (draft), mark the original partial).
   * Idempotent per original and batch: a resumed run gets the ticket filed the first
   * time, never a second one. The draft lacks the ready label, so a person reviews it
   * before an agent takes it.
   */
  createFollowUpTicket(request: FollowUpTicketRequest): Promise<FollowUpTicketReference>;
}

export interface FollowUpTicketRequest {
  /** The ticket whose run ended partial; must be in the source's listing. */
  originalTicketId: string;
  /** The batch that left the work unfinished. */
  batchId: string;
  /** The draft's title (untrusted text: flattened to one line). */
  title: string;
  /** What is left to do; becomes the draft's acceptance criteria. */
  remainingWork: string[];
}

export interface FollowUpTicketReference {
  ticketId: string;
  sourceReference: string;
  /** False when this original and batch already had a follow-up, which is returned instead. */
  created: boolean;
}

export interface TicketListing {
  tickets: Ticket[];
  problems: TicketProblem[];
}

/** A ticket the source could not read: where it is and what is wrong, field by field. */
export interface TicketProblem {
  /** A file path, an issue URL … */
  location: string;
  ticketId?: string;
  field?: string;
  message: string;
  /**
   * `warning`: the ticket was still listed (e.g. an unknown front-matter key);
   * `error` or absent: the ticket could not be read and is not in the listing.
   */
  severity?: 'error' | 'warning';
}

export interface TicketRefusalNote {
  checkedAt: string;
  batchId: string;
  missingRequired: string[];
  missingRecommended: string[];
}
