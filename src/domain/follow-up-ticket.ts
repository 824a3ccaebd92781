import { checkBatchId } from './batch-id.js';
import type { Complexity, Priority, Ticket } from './ticket.js';
import { checkTicketId } from './ticket-id.js';
import { flattenUntrustedText } from './untrusted-text.js';

/**
 * The seed's rule for work that outgrew its estimate: finish what is feasible, then
 * file a draft follow-up ticket for the rest. Every tracker files the same draft, so
 * what it says and which id it gets are decided here, once; adapters only store it.
 */

/** The status a follow-up is filed with: a person reviews it before it becomes ready. */
export const FOLLOW_UP_STATUS = 'draft';

/** Longest title a follow-up gets; agent text beyond it is cut with `…`. */
const MAXIMUM_TITLE_LENGTH = 120;
/** Longest remaining-work item; longer ones are cut with `…`. */
const MAXIMUM_ITEM_LENGTH = 500;

/** What a tracker writes for a follow-up ticket. */
export interface FollowUpTicketDraft {
  id: string;
  title: string;
  /** The original's labels without the ready label. */
  labels: string[];
  priority: Priority;
  complexity?: Complexity;
  /** The original: the remaining work builds on its (partial) merge request. */
  dependencies: string[];
  status: typeof FOLLOW_UP_STATUS;
  acceptanceCriteria: string[];
  followUpOf: string;
  createdByBatch: string;
  /** One paragraph saying where the draft comes from and what to do with it. */
  description: string;
}

/**
 * The next free id in the original's sequence: `PROJ-142` with `PROJ-150` taken gives
 * `PROJ-151`. Ids of other keys are ignored; an id is never reused, since the highest
 * taken number (the original's included) is the floor.
 *
 * @throws Error when the original id is unsafe or the new id would be (a defect: ids are checked at intake).
 */
export function nextTicketIdInSequence(originalTicketId: string, takenIds: Iterable<string>): string {
  const original = checkTicketId(originalTicketId);
  if (!original.ok) throw new Error(`nextTicketIdInSequence: ${original.reason}`);
  const [key, number] = splitTicketId(original.id);
  let highest = number;
  for (const id of takenIds) {
    if (!checkTicketId(id).ok) continue;
    const [otherKey, otherNumber] = splitTicketId(id);
    if (otherKey === key && otherNumber > highest) highest = otherNumber;
  }
  const next = checkTicketId(`${key}-${(highest + 1n).toString()}`);
  if (!next.ok) throw new Error(`nextTicketIdInSequence: no safe id follows ${original.id}: ${next.reason}`);
  return next.id;
}

/**
 * The draft for the work `original` left unfinished in `batchId`. Titles and items are
 * agent text, so they are flattened to one line each; the ready label is left off.
 *
 * @throws Error when the batch id or the new id is not safe (both are checked before this point).
 */
export function composeFollowUpTicket(request: {
  original: Ticket;
  newTicketId: string;
  batchId: string;
  title: string;
  remainingWork: readonly string[];
  readyLabel: string;
}): FollowUpTicketDraft {
  const { original, batchId } = request;
  const batch = checkBatchId(batchId);
  if (!batch.ok) throw new Error(`composeFollowUpTicket: batchId: ${batch.reason}`);
  const id = checkTicketId(request.newTicketId);
  if (!id.ok) throw new Error(`composeFollowUpTicket: newTicketId: ${id.reason}`);
  const title = flattenUntrustedText(request.title, MAXIMUM_TITLE_LENGTH) || flattenUntrustedText(`Follow-up of ${original.id}: ${original.title}`, MAXIMUM_TITLE_LENGTH);
  const draft: FollowUpTicketDraft = {
    id: id.id,
    title,
    labels: original.labels.filter((label) => label !== request.readyLabel),
    priority: original.priority,
    dependencies: [original.id],
    status: FOLLOW_UP_STATUS,
    acceptanceCriteria: request.remainingWork.map((item) => flattenUntrustedText(item, MAXIMUM_ITEM_LENGTH)).filter((item) => item !== ''),
    followUpOf: original.id,
    createdByBatch: batch.batchId,
    description: [
      `Follow-up of ${original.id}, left unfinished by batch ${batch.batchId}.`,
      `Filed by Nightshift as a draft: review it, then add the "${request.readyLabel}" label to queue it for an agent.`,
    ].join('\n'),
  };
  if (original.complexity !== undefined) draft.complexity = original.complexity;
  return draft;
}

function splitTicketId(id: string): [string, bigint] {
  const dash = id.lastIndexOf('-');
  return [id.slice(0, dash), BigInt(id.slice(dash + 1))];
}
