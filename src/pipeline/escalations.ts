import type { EscalationRecord, Store } from '../ports/store.js';
import type { PipelineDependencies } from './pipeline-dependencies.js';
import { settleBatchReview } from './settle-batch-review.js';

/**
 * The human side of escalations: list them, show one, answer it. An answer puts the
 * ticket back in the queue (its tracker status becomes {@link ANSWERED_TICKET_STATUS},
 * which intake does not treat as in flight), and the next batch gives the decision to
 * the ticket's C1 and C2 through {@link decisionForTicket}.
 */

/** The tracker status of a ticket whose escalation a human answered: ready for the next batch. */
export const ANSWERED_TICKET_STATUS = 'answered';

/** What listing and showing need: the store only. */
export type EscalationReadDependencies = Pick<PipelineDependencies, 'store'>;

/** What answering needs: the store, the tracker (to re-queue the ticket) and the clock. */
export type EscalationAnswerDependencies = Pick<PipelineDependencies, 'store' | 'ticketSource' | 'clock'>;

export interface EscalationFilter {
  /** true: unanswered only; false: answered only; undefined: all. */
  open?: boolean;
  batchId?: string;
}

/** Escalations in the order they were raised, oldest first. */
export async function listEscalations(dependencies: EscalationReadDependencies, filter: EscalationFilter = {}): Promise<EscalationRecord[]> {
  return dependencies.store.listEscalations({
    ...(filter.open === undefined ? {} : { open: filter.open }),
    ...(filter.batchId === undefined ? {} : { batchId: filter.batchId }),
  });
}

/** The latest escalation of a ticket, answered or not; undefined when it never escalated. */
export async function findEscalation(dependencies: EscalationReadDependencies, ticketId: string): Promise<EscalationRecord | undefined> {
  return (await escalationsOf(dependencies.store, ticketId)).at(-1);
}

export interface AnswerEscalationRequest {
  ticketId: string;
  /** The decision, in the human's words; it goes verbatim into the next prompts. */
  text: string;
  /** Who answered, e.g. the reviewer's user name. */
  answeredBy: string;
}

/** Why an answer was not recorded; every case is the person's to fix, nothing was changed. */
export type AnswerEscalationRefusal = 'empty-answer' | 'no-escalation' | 'already-answered' | 'not-in-tracker';

export type AnswerEscalationResult =
  | { ok: true; escalation: EscalationRecord; ticketStatus: string }
  | { ok: false; reason: AnswerEscalationRefusal; message: string };

/**
 * Records a human's decision on the ticket's newest open escalation and puts the ticket
 * back in the queue for the next batch. The tracker is listed first (trackers map ids
 * from their last listing) and told before the store, so a ticket gone from the tracker
 * is refused and an error from the tracker leaves the escalation open to answer again.
 * An answer that was the batch's last missing decision moves it to `reviewed` (see `settleBatchReview`).
 */
export async function answerEscalation(dependencies: EscalationAnswerDependencies, request: AnswerEscalationRequest): Promise<AnswerEscalationResult> {
  const text = request.text.trim();
  if (text === '') return { ok: false, reason: 'empty-answer', message: `the answer to ${request.ticketId}'s escalation is empty: say what the agent should do` };
  const escalations = await escalationsOf(dependencies.store, request.ticketId);
  const open = escalations.filter((escalation) => escalation.answer === undefined).at(-1);
  if (open === undefined) {
    const latest = escalations.at(-1);
    if (latest === undefined) return { ok: false, reason: 'no-escalation', message: `ticket ${request.ticketId} has no escalation` };
    return {
      ok: false,
      reason: 'already-answered',
      message: `ticket ${request.ticketId} has no open escalation: its latest (batch ${latest.batchId}) was answered${latest.answeredBy === undefined ? '' : ` by ${latest.answeredBy}`} at ${latest.answeredAt ?? 'an unknown time'}`,
    };
  }
  const listing = await dependencies.ticketSource.listTickets();
  if (!listing.tickets.some((ticket) => ticket.id === request.ticketId)) {
    const problem = listing.problems.find((candidate) => candidate.ticketId === request.ticketId);
    return {
      ok: false,
      reason: 'not-in-tracker',
      message: `ticket ${request.ticketId} is not in the ${dependencies.ticketSource.kind} tracker any more${problem === undefined ? '' : ` (${problem.location}: ${problem.message})`}, so it cannot go back in the queue`,
    };
  }
  await dependencies.ticketSource.updateStatus(request.ticketId, ANSWERED_TICKET_STATUS);
  const answered: EscalationRecord = { ...open, answer: text, answeredAt: dependencies.clock.now().toISOString(), answeredBy: request.answeredBy };
  await dependencies.store.saveEscalation(answered);
  await settleBatchReview(dependencies, answered.batchId);
  return { ok: true, escalation: answered, ticketStatus: ANSWERED_TICKET_STATUS };
}

/**
 * The human decisions of a ticket, for the `decision` of its next C1 and C2 prompts: every
 * answered escalation, oldest first, as "Question: …" and "Decision: …" lines. All are kept
 * (not only the newest) so that a ticket escalated twice does not lose its first answer.
 * Undefined when no escalation of the ticket was answered.
 */
export async function decisionForTicket(store: Store, ticketId: string): Promise<string | undefined> {
  const answered = (await escalationsOf(store, ticketId)).filter((escalation) => escalation.answer !== undefined);
  if (answered.length === 0) return undefined;
  return answered.map(formatDecision).join('\n\n');
}

/** One answered escalation as the prompt shows it. */
export function formatDecision(escalation: Pick<EscalationRecord, 'question' | 'answer'>): string {
  return `Question: ${escalation.question}\nDecision: ${escalation.answer ?? '(not answered yet)'}`;
}

async function escalationsOf(store: Store, ticketId: string): Promise<EscalationRecord[]> {
  return store.listEscalations({ ticketId });
}
