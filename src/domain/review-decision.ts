import type { TicketRunState } from './ticket-run.js';

/**
 * What a reviewer does with a merge request in the morning, and what follows from it:
 * the MR's decision state, whether an action is allowed, and the review time. Pure:
 * the use case gathers the facts (stored actions, the run's state, the stack) and
 * applies what this module decides.
 */

export const REVIEW_ACTIONS = ['approve', 'request-changes', 'merge'] as const;
export type ReviewActionKind = (typeof REVIEW_ACTIONS)[number];

/** Where an MR stands: no decision yet, or the effect of its latest action. */
export type ReviewDecisionState = 'pending' | 'approved' | 'changes-requested' | 'merged';

/** One recorded reviewer action, as far as decisions and review times need it. */
export interface ReviewActionFact {
  action: ReviewActionKind;
  reviewer: string;
  /** ISO 8601. */
  at: string;
  comment?: string;
}

const STATE_AFTER: Record<ReviewActionKind, ReviewDecisionState> = {
  approve: 'approved',
  'request-changes': 'changes-requested',
  merge: 'merged',
};

/**
 * The decision state after `actions` (in the order they were recorded): the latest
 * action wins, so an approval followed by a request for changes is no longer approved;
 * once merged an MR stays merged (merge is refused afterwards, see {@link checkReviewAction}).
 */
export function decisionStateOf(actions: readonly ReviewActionFact[]): ReviewDecisionState {
  if (actions.some((action) => action.action === 'merge')) return 'merged';
  const latest = actions.at(-1);
  return latest === undefined ? 'pending' : STATE_AFTER[latest.action];
}

/** The first decision on an MR (any action counts): the end of its review time. */
export function firstDecisionOf<T extends ReviewActionFact>(actions: readonly T[]): T | undefined {
  return actions.reduce<T | undefined>((first, action) => (first === undefined || action.at < first.at ? action : first), undefined);
}

/**
 * When the review of one MR started, for its review time: the moment the queue was
 * ready (the batch's `complete` transition, right after the gates). A reviewer may
 * act on an MR before the rest of the batch is done; its review then started when
 * its own gates completed (`gatedAt`), since that is when it entered the queue.
 */
export function reviewStartOf(facts: { queueReadyAt?: string; gatedAt?: string; decidedAt: string }): string | undefined {
  if (facts.queueReadyAt !== undefined && facts.queueReadyAt <= facts.decidedAt) return facts.queueReadyAt;
  if (facts.gatedAt !== undefined && facts.gatedAt <= facts.decidedAt) return facts.gatedAt;
  return facts.queueReadyAt ?? facts.gatedAt;
}

/**
 * The review time of one MR in minutes: from the queue being ready (see
 * {@link reviewStartOf}) to the first reviewer decision. Undefined while no decision
 * was made or when the start is unknown; never negative.
 */
export function reviewTimeMinutes(facts: { queueReadyAt?: string; gatedAt?: string; actions: readonly ReviewActionFact[] }): number | undefined {
  const first = firstDecisionOf(facts.actions);
  if (first === undefined) return undefined;
  const start = reviewStartOf({ ...facts, decidedAt: first.at });
  if (start === undefined) return undefined;
  return Math.max(0, (Date.parse(first.at) - Date.parse(start)) / 60_000);
}

/** Why a reviewer action was refused; nothing was changed. */
export type ReviewActionRefusalReason =
  | 'not-in-batch'
  | 'escalated'
  | 'no-merge-request'
  | 'not-gated'
  | 'already-merged'
  | 'not-approved'
  | 'parent-not-merged';

export type ReviewActionCheck = { ok: true } | { ok: false; reason: ReviewActionRefusalReason; message: string; hint?: string };

/** What {@link checkReviewAction} needs to know about the MR and its ticket. */
export interface ReviewActionFacts {
  action: ReviewActionKind;
  ticketId: string;
  batchId: string;
  /** Undefined when the ticket has no run in the batch. */
  runState?: TicketRunState;
  hasMergeRequest: boolean;
  /** The MR's actions so far, in the order recorded. */
  actions: readonly ReviewActionFact[];
  /** Set when the MR is stacked on another ticket's branch that is not merged yet. */
  unmergedParent?: { ticketId: string; branch: string };
}

/**
 * Whether a reviewer may take `action` now. Approve and request-changes need a gated
 * MR (run `ready` or `partial`) that is not merged; merge also needs the latest decision
 * to be an approval, and a stacked MR waits for its parent's merge (until then its
 * target is the parent's branch, and merging into that would move what the parent's
 * gates checked). Escalations are answered with `nightshift escalations answer`.
 */
export function checkReviewAction(facts: ReviewActionFacts): ReviewActionCheck {
  const { ticketId, batchId } = facts;
  if (facts.runState === undefined) return { ok: false, reason: 'not-in-batch', message: `ticket ${ticketId} is not in batch ${batchId}` };
  if (facts.runState === 'escalated') {
    return {
      ok: false,
      reason: 'escalated',
      message: `ticket ${ticketId} escalated in batch ${batchId}: it has a question to answer, not a merge request to review`,
      hint: `answer it with: nightshift escalations answer ${ticketId} --text "…"`,
    };
  }
  if (!facts.hasMergeRequest) {
    return { ok: false, reason: 'no-merge-request', message: `ticket ${ticketId} has no merge request in batch ${batchId} (its run is ${facts.runState})` };
  }
  if (facts.runState !== 'ready' && facts.runState !== 'partial') {
    return {
      ok: false,
      reason: 'not-gated',
      message: `the merge request of ${ticketId} has not been through the gates yet (its run is ${facts.runState})`,
      hint: `run the gates first: nightshift gates --batch ${batchId}`,
    };
  }
  const merge = facts.actions.find((action) => action.action === 'merge');
  if (merge !== undefined) {
    return { ok: false, reason: 'already-merged', message: `the merge request of ${ticketId} was already merged by ${merge.reviewer} at ${merge.at}` };
  }
  if (facts.action !== 'merge') return { ok: true };
  const state = decisionStateOf(facts.actions);
  if (state !== 'approved') {
    const latest = facts.actions.at(-1);
    return {
      ok: false,
      reason: 'not-approved',
      message:
        latest === undefined
          ? `the merge request of ${ticketId} was not approved: approve it before merging`
          : `the merge request of ${ticketId} is not approved: ${latest.reviewer} requested changes at ${latest.at}`,
      hint: `approve it first: nightshift review approve ${ticketId} --batch ${batchId}`,
    };
  }
  if (facts.unmergedParent !== undefined) {
    return {
      ok: false,
      reason: 'parent-not-merged',
      message: `the merge request of ${ticketId} is stacked on ${facts.unmergedParent.branch}, which is not merged yet`,
      hint: `merge ${facts.unmergedParent.ticketId} first; ${ticketId} then targets its parent's target branch`,
    };
  }
  return { ok: true };
}
