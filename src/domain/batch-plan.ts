import { validateReadiness } from './readiness.js';
import type { ReadinessResult } from './readiness.js';
import { isResolvedStatus } from './ticket.js';
import type { Priority, Ticket } from './ticket.js';

/**
 * Intake's decision, as data: which tickets go into tonight's batch and in what
 * order, which are refused and why, which are ready but wait for the next batch.
 * Pure: the use case lists the tickets, calls {@link planBatch}, then applies the
 * plan (writes the manifest, tells the tracker about refusals).
 */
export interface BatchPlanInput {
  tickets: readonly Ticket[];
  /** The label that marks a ticket as a candidate (`tracker.ready_label`). */
  readyLabel: string;
  maxTickets: number;
  /** Ids known to be finished beyond what the tracker's statuses say (e.g. merged in an earlier batch). */
  resolvedTicketIds?: ReadonlySet<string>;
  /**
   * Tickets the caller keeps out of this batch although they may carry the label (e.g. in review
   * or escalated). Pass them rather than dropping them: their dependents are then refused as
   * waiting for them, not for an unknown ticket.
   */
  excludedTicketIds?: ReadonlySet<string>;
}

/** A candidate that cannot run in this batch, with everything the author must fix. */
export interface RefusedTicket {
  ticketId: string;
  sourceReference: string;
  /** Every reason the ticket was refused: planning reasons (duplicate, cycle) and readiness. */
  reasons: string[];
  /** What must change before the ticket can run; includes the planning reasons, for the tracker note. */
  missingRequired: string[];
  missingRecommended: string[];
}

/** A ready ticket left for the next batch, and why. */
export interface DeferredTicket {
  ticketId: string;
  reason: string;
}

/** The whole decision of intake: every listed ticket is in exactly one of selected, refused, deferred, ignored, alreadyResolved, excluded. */
export interface BatchPlan {
  /** The batch, in the order agents take tickets: dependencies first, then priority, age and id. */
  selected: Ticket[];
  refused: RefusedTicket[];
  /** Ready, but cut by `max_tickets`: they go first into the next batch. */
  deferred: DeferredTicket[];
  /** Tickets without the ready label. */
  ignored: string[];
  /** Tickets with the ready label whose tracker status already says they are finished. */
  alreadyResolved: string[];
  /** Tickets listed in `excludedTicketIds`. */
  excluded: string[];
  /** Selected tickets that miss recommended information, so the log can say so. */
  recommendations: { ticketId: string; missingRecommended: string[] }[];
}

const PRIORITY_RANK: Record<Priority, number> = { high: 0, medium: 1, low: 2 };

/** Computes the batch plan; see {@link BatchPlan} for what each list means. */
export function planBatch(input: BatchPlanInput): BatchPlan {
  const readyLabel = normalizeLabel(input.readyLabel);
  const copiesById = groupById(input.tickets);
  const knownTicketIds = new Set(copiesById.keys());
  const resolvedTicketIds = new Set(input.resolvedTicketIds ?? []);
  for (const [id, copies] of copiesById) {
    if (copies.every((copy) => isResolvedStatus(copy.status))) resolvedTicketIds.add(id);
  }

  const ignored: string[] = [];
  const alreadyResolved: string[] = [];
  const excluded: string[] = [];
  const candidates: Ticket[] = [];
  for (const ticket of input.tickets) {
    if (input.excludedTicketIds?.has(ticket.id) === true) excluded.push(ticket.id);
    else if (!ticket.labels.some((label) => normalizeLabel(label) === readyLabel)) ignored.push(ticket.id);
    else if (isResolvedStatus(ticket.status)) alreadyResolved.push(ticket.id);
    else candidates.push(ticket);
  }

  const planningReasons = new Map<Ticket, string[]>();
  const addReason = (ticket: Ticket, reason: string): void => {
    planningReasons.set(ticket, [...(planningReasons.get(ticket) ?? []), reason]);
  };
  for (const ticket of candidates) {
    const others = (copiesById.get(ticket.id) ?? []).filter((copy) => copy !== ticket);
    if (others.length > 0) {
      addReason(ticket, `duplicate id ${ticket.id}: also used by ${others.map((other) => other.sourceReference).join(', ')}`);
    }
  }
  const uniqueCandidates = candidates.filter((ticket) => !planningReasons.has(ticket));
  const uniqueCandidateIds = new Set(uniqueCandidates.map((ticket) => ticket.id));
  for (const ticket of uniqueCandidates) {
    const cycle = findCycleThrough(ticket, uniqueCandidates);
    if (cycle !== undefined) addReason(ticket, `dependency cycle: ${cycle.join(' → ')}`);
  }

  const readiness = new Map<Ticket, ReadinessResult>();
  for (const ticket of candidates) {
    if (!planningReasons.has(ticket)) continue;
    readiness.set(ticket, validateReadiness(ticket, { resolvedTicketIds, candidateTicketIds: uniqueCandidateIds, knownTicketIds }));
  }
  let alive = uniqueCandidates.filter((ticket) => !planningReasons.has(ticket));
  for (;;) {
    const aliveIds = new Set(alive.map((ticket) => ticket.id));
    const stillAlive: Ticket[] = [];
    for (const ticket of alive) {
      const result = validateReadiness(ticket, { resolvedTicketIds, candidateTicketIds: aliveIds, knownTicketIds });
      readiness.set(ticket, result);
      if (result.ready) stillAlive.push(ticket);
    }
    if (stillAlive.length === alive.length) break;
    alive = stillAlive;
  }

  const aliveSet = new Set(alive);
  const refused: RefusedTicket[] = [];
  for (const ticket of candidates) {
    if (aliveSet.has(ticket)) continue;
    const result = readiness.get(ticket);
    const reasons = [...(planningReasons.get(ticket) ?? []), ...(result?.missingRequired ?? [])];
    refused.push({
      ticketId: ticket.id,
      sourceReference: ticket.sourceReference,
      reasons,
      missingRequired: [...reasons],
      missingRecommended: result?.missingRecommended ?? [],
    });
  }

  const ordered = orderByDependencies(alive);
  const selected: Ticket[] = [];
  const deferred: DeferredTicket[] = [];
  const taken = new Set<string>();
  const aliveIds = new Set(alive.map((ticket) => ticket.id));
  for (const ticket of ordered) {
    const waiting = ticket.dependencies.filter((dependency) => aliveIds.has(dependency) && !taken.has(dependency));
    if (waiting.length > 0) {
      deferred.push({ ticketId: ticket.id, reason: `waits for ${waiting.join(', ')}, which did not fit in max_tickets (${input.maxTickets})` });
    } else if (selected.length >= input.maxTickets) {
      deferred.push({ ticketId: ticket.id, reason: `did not fit: max_tickets is ${input.maxTickets}` });
    } else {
      selected.push(ticket);
      taken.add(ticket.id);
    }
  }

  const recommendations = selected
    .map((ticket) => ({ ticketId: ticket.id, missingRecommended: readiness.get(ticket)?.missingRecommended ?? [] }))
    .filter((entry) => entry.missingRecommended.length > 0);
  return { selected, refused, deferred, ignored, alreadyResolved, excluded, recommendations };
}

/**
 * A topological order of tickets whose dependencies (among themselves) form no cycle:
 * among the tickets whose dependencies are already placed, the highest priority goes
 * first, then the oldest, then the smallest id.
 */
export function orderByDependencies(tickets: readonly Ticket[]): Ticket[] {
  const ids = new Set(tickets.map((ticket) => ticket.id));
  const placed = new Set<string>();
  const remaining = [...tickets];
  const order: Ticket[] = [];
  while (remaining.length > 0) {
    const available = remaining.filter((ticket) =>
      ticket.dependencies.every((dependency) => !ids.has(dependency) || placed.has(dependency) || dependency === ticket.id),
    );
    if (available.length === 0) {
      throw new Error(`orderByDependencies: the tickets ${remaining.map((ticket) => ticket.id).join(', ')} form a cycle`);
    }
    const next = available.reduce((best, ticket) => (compareForOrder(ticket, best) < 0 ? ticket : best));
    order.push(next);
    placed.add(next.id);
    remaining.splice(remaining.indexOf(next), 1);
  }
  return order;
}

function compareForOrder(left: Ticket, right: Ticket): number {
  return (
    PRIORITY_RANK[left.priority] - PRIORITY_RANK[right.priority] ||
    compareCreatedAt(left.createdAt, right.createdAt) ||
    compareText(left.id, right.id) ||
    compareText(left.sourceReference, right.sourceReference)
  );
}

function compareCreatedAt(left: string | undefined, right: string | undefined): number {
  const leftTime = left === undefined ? Number.NaN : Date.parse(left);
  const rightTime = right === undefined ? Number.NaN : Date.parse(right);
  if (Number.isNaN(leftTime) || Number.isNaN(rightTime)) {
    return Number(Number.isNaN(leftTime)) - Number(Number.isNaN(rightTime));
  }
  return leftTime - rightTime;
}

function compareText(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}

/** The shortest dependency path from `start` back to itself among `tickets`, self-loops aside. */
function findCycleThrough(start: Ticket, tickets: readonly Ticket[]): string[] | undefined {
  const byId = new Map(tickets.map((ticket) => [ticket.id, ticket]));
  const parent = new Map<string, string>();
  const queue = [start.id];
  for (let index = 0; index < queue.length; index += 1) {
    const current = queue[index] as string;
    for (const dependency of byId.get(current)?.dependencies ?? []) {
      if (dependency === current || !byId.has(dependency)) continue;
      if (dependency === start.id) {
        const path = [current];
        while (path[0] !== start.id) path.unshift(parent.get(path[0] as string) as string);
        return [...path, start.id];
      }
      if (!parent.has(dependency)) {
        parent.set(dependency, current);
        queue.push(dependency);
      }
    }
  }
  return undefined;
}

function groupById(tickets: readonly Ticket[]): Map<string, Ticket[]> {
  const groups = new Map<string, Ticket[]>();
  for (const ticket of tickets) groups.set(ticket.id, [...(groups.get(ticket.id) ?? []), ticket]);
  return groups;
}

function normalizeLabel(label: string): string {
  return label.trim().toLowerCase();
}
