import type { BatchState } from '../domain/batch.js';
import { formatMergeCommitMessage } from '../domain/merge-commit-message.js';
import { checkReviewAction, decisionStateOf, type ReviewActionKind, type ReviewActionRefusalReason, type ReviewDecisionState } from '../domain/review-decision.js';
import type { BatchRecord, MergeRequestRecord, ReviewActionRecord } from '../ports/store.js';
import type { MergeRefusalReason } from '../ports/workspace.js';
import { BatchNotFoundError } from './generate.js';
import type { PipelineDependencies } from './pipeline-dependencies.js';
import { settleBatchReview } from './settle-batch-review.js';
import { TicketLog } from './ticket-log.js';

/** What reviewer actions need: the store, git, the code host, the tracker, the clock and the settings. */
export type ReviewActionDependencies = Pick<PipelineDependencies, 'store' | 'workspace' | 'codeHost' | 'ticketSource' | 'clock' | 'settings' | 'artifacts'>;

/** The tracker status a merged ticket gets: a resolved status, so its dependents may enter the next batch. */
export const MERGED_TICKET_STATUS = 'done';

/**
 * Code hosts whose merge requests are plain branches of this repository, merged by
 * `git merge --no-ff` through the Workspace. Remote hosts merge through their own
 * API, which Nightshift does not call yet.
 */
export const REPOSITORY_CODE_HOST_KINDS: readonly string[] = ['local', 'memory'];

export interface ReviewActionRequest {
  action: ReviewActionKind;
  ticketId: string;
  /** Who acts; the CLI passes `--by` or the shell's USER. */
  reviewer: string;
  comment?: string;
  /** The batch of the MR; the newest batch holding an MR of the ticket when absent. */
  batchId?: string;
}

export interface MergeOutcome {
  mergeCommit: string;
  targetBranch: string;
  /** True when the commit was already in the target (a merge retried after a crash). */
  alreadyMerged: boolean;
  /** The tracker status set, or undefined when the ticket is no longer in the tracker. */
  ticketStatus?: string;
  /** Stacked MRs whose target became this MR's target. */
  retargeted: { ticketId: string; from: string; to: string }[];
}

export type ReviewActionResult =
  | {
      ok: true;
      record: ReviewActionRecord;
      decision: ReviewDecisionState;
      merge?: MergeOutcome;
      batchState: BatchState;
      /** True when this action was the batch's last missing decision: it just went `completed → reviewed`. */
      batchReviewedNow: boolean;
      warnings: string[];
    }
  | { ok: false; reason: ReviewActionRefusalReason | MergeRefusalReason | 'empty-reviewer' | 'remote-code-host'; message: string; hint?: string };

/**
 * Records a reviewer's approve, request-changes or merge on a ticket's MR, with who and
 * when. A merge merges the exact commit the gates checked into the MR's target (refused
 * unless approved first, or when the branch moved since the gates), marks the ticket
 * done in the tracker, and retargets MRs stacked on it. After every action the batch goes
 * `completed → reviewed` once everything in it has a decision. Refusals change nothing
 * (except that a stacked MR whose parent was merged without retargeting it, e.g. after a
 * crash, is retargeted before its own merge is tried).
 */
export async function recordReviewAction(dependencies: ReviewActionDependencies, request: ReviewActionRequest): Promise<ReviewActionResult> {
  const { store, clock } = dependencies;
  const reviewer = request.reviewer.trim();
  if (reviewer === '') return { ok: false, reason: 'empty-reviewer', message: 'the reviewer is empty: say who acts with --by <name>' };
  const batch = await findBatchOf(dependencies, request);
  const run = await store.getRun(batch.id, request.ticketId);
  let mergeRequest = await store.getMergeRequest(batch.id, request.ticketId);
  const actions = await store.listReviewActions(batch.id, request.ticketId);
  let parent: MergeRequestRecord | undefined;
  if (request.action === 'merge' && mergeRequest !== undefined) {
    if (!REPOSITORY_CODE_HOST_KINDS.includes(dependencies.codeHost.kind)) {
      return { ok: false, reason: 'remote-code-host', message: `merging through the ${dependencies.codeHost.kind} code host is not supported: merge the MR there` };
    }
    parent = (await store.listMergeRequests(batch.id)).find((candidate) => candidate.sourceBranch === mergeRequest?.targetBranch);
  }
  const parentMerged = parent !== undefined && (await store.listReviewActions(batch.id, parent.ticketId)).some((action) => action.action === 'merge');
  const check = checkReviewAction({
    action: request.action,
    ticketId: request.ticketId,
    batchId: batch.id,
    ...(run === undefined ? {} : { runState: run.state }),
    hasMergeRequest: mergeRequest !== undefined,
    actions,
    ...(parent !== undefined && !parentMerged ? { unmergedParent: { ticketId: parent.ticketId, branch: parent.sourceBranch } } : {}),
  });
  if (!check.ok) return check;
  if (mergeRequest === undefined) throw new Error(`review: ${request.ticketId} passed the checks without a merge request`);

  const warnings: string[] = [];
  let merge: MergeOutcome | undefined;
  let record: ReviewActionRecord = {
    batchId: batch.id,
    ticketId: request.ticketId,
    action: request.action,
    reviewer,
    ...(request.comment === undefined || request.comment.trim() === '' ? {} : { comment: request.comment.trim() }),
    commit: mergeRequest.commit,
    at: clock.now().toISOString(),
  };
  if (request.action === 'merge') {
    if (parent !== undefined && parentMerged) mergeRequest = await retarget(dependencies, mergeRequest, parent.targetBranch);
    const merged = await mergeIntoTarget(dependencies, batch, mergeRequest, actions, reviewer);
    if (!merged.ok) return merged;
    merge = merged.outcome;
    record = { ...record, mergeCommit: merge.mergeCommit, at: clock.now().toISOString() };
  }
  await store.saveReviewAction(record);
  if (merge !== undefined) await afterMerge(dependencies, batch, mergeRequest, merge, warnings);
  const log = new TicketLog(dependencies.artifacts, batch.id, request.ticketId);
  log.write({ type: 'review-action', action: record.action, reviewer, comment: record.comment, commit: record.commit, mergeCommit: record.mergeCommit, at: record.at });
  await log.flush();
  const batchState = (await settleBatchReview(dependencies, batch.id)) ?? batch.state;
  const batchReviewedNow = batch.state !== 'reviewed' && batchState === 'reviewed';
  return { ok: true, record, decision: decisionStateOf([...actions, record]), ...(merge === undefined ? {} : { merge }), batchState, batchReviewedNow, warnings };
}

/** The batch named, else the newest batch with an MR of the ticket, else the newest with a run of it. */
async function findBatchOf(dependencies: ReviewActionDependencies, request: ReviewActionRequest): Promise<BatchRecord> {
  const { store } = dependencies;
  if (request.batchId !== undefined) {
    const named = await store.getBatch(request.batchId);
    if (named === undefined) throw new BatchNotFoundError(`no batch named ${request.batchId}: see \`nightshift metrics\` for the batches there are`);
    return named;
  }
  const batches = (await store.listBatches()).reverse();
  for (const batch of batches) if ((await store.getMergeRequest(batch.id, request.ticketId)) !== undefined) return batch;
  for (const batch of batches) if ((await store.getRun(batch.id, request.ticketId)) !== undefined) return batch;
  const latest = batches[0];
  if (latest === undefined) throw new BatchNotFoundError('no batch yet: run `nightshift intake` first');
  return latest;
}

async function mergeIntoTarget(
  dependencies: ReviewActionDependencies,
  batch: BatchRecord,
  mergeRequest: MergeRequestRecord,
  actions: readonly ReviewActionRecord[],
  reviewer: string,
): Promise<{ ok: true; outcome: MergeOutcome } | Extract<ReviewActionResult, { ok: false }>> {
  const ticket = (await dependencies.store.listBatchTickets(batch.id)).find((candidate) => candidate.id === mergeRequest.ticketId);
  const approval = actions.filter((action) => action.action === 'approve').at(-1);
  const message = formatMergeCommitMessage({
    ticketId: mergeRequest.ticketId,
    title: ticket?.title ?? mergeRequest.title,
    sourceBranch: mergeRequest.sourceBranch,
    targetBranch: mergeRequest.targetBranch,
    batchId: batch.id,
    approvedBy: approval?.reviewer ?? reviewer,
    mergedBy: reviewer,
    ...(mergeRequest.qualityScore === undefined ? {} : { qualityScore: mergeRequest.qualityScore }),
  });
  const result = await dependencies.workspace.mergeBranch({
    sourceBranch: mergeRequest.sourceBranch,
    commit: mergeRequest.commit,
    targetBranch: mergeRequest.targetBranch,
    message,
    author: dependencies.settings.commitAuthor,
  });
  if (!result.ok) return { ok: false, reason: result.reason, message: result.message, hint: MERGE_HINTS[result.reason] };
  return { ok: true, outcome: { mergeCommit: result.mergeCommit, targetBranch: mergeRequest.targetBranch, alreadyMerged: result.alreadyMerged, retargeted: [] } };
}

const MERGE_HINTS: Record<MergeRefusalReason, string> = {
  'unknown-branch': 'the branch was deleted or renamed: restore it, or merge by hand',
  'source-moved': 'Nightshift merges only the commit its gates checked: put the branch back, or review and merge the new commits by hand',
  conflict: 'merge it by hand (the target changed where this MR did), or ask for changes',
  'local-changes': 'commit or stash the changes in the checkout of the target branch, then merge again',
};

/** The tracker hears the ticket is done, and MRs stacked on the merged branch now target its target. */
async function afterMerge(dependencies: ReviewActionDependencies, batch: BatchRecord, mergeRequest: MergeRequestRecord, merge: MergeOutcome, warnings: string[]): Promise<void> {
  const listing = await dependencies.ticketSource.listTickets();
  if (listing.tickets.some((ticket) => ticket.id === mergeRequest.ticketId)) {
    await dependencies.ticketSource.updateStatus(mergeRequest.ticketId, MERGED_TICKET_STATUS);
    merge.ticketStatus = MERGED_TICKET_STATUS;
  } else {
    warnings.push(`ticket ${mergeRequest.ticketId} is no longer in the ${dependencies.ticketSource.kind} tracker: its status was not changed`);
  }
  for (const stacked of await dependencies.store.listMergeRequests(batch.id)) {
    if (stacked.targetBranch !== mergeRequest.sourceBranch) continue;
    const merged = (await dependencies.store.listReviewActions(batch.id, stacked.ticketId)).some((action) => action.action === 'merge');
    if (merged) continue;
    await retarget(dependencies, stacked, mergeRequest.targetBranch);
    merge.retargeted.push({ ticketId: stacked.ticketId, from: stacked.targetBranch, to: mergeRequest.targetBranch });
  }
}

/** Points an MR at a new target on the code host and in the store, keeping where it pointed before. */
async function retarget(dependencies: ReviewActionDependencies, mergeRequest: MergeRequestRecord, targetBranch: string): Promise<MergeRequestRecord> {
  const { sourceBranch, title, description } = mergeRequest;
  await dependencies.codeHost.openDraftMergeRequest({ sourceBranch, targetBranch, title, description });
  const retargeted: MergeRequestRecord = {
    ...mergeRequest,
    targetBranch,
    retargetedFrom: mergeRequest.retargetedFrom ?? mergeRequest.targetBranch,
    retargetedAt: dependencies.clock.now().toISOString(),
  };
  await dependencies.store.saveMergeRequest(retargeted);
  const log = new TicketLog(dependencies.artifacts, mergeRequest.batchId, mergeRequest.ticketId);
  log.write({ type: 'merge-request-retargeted', from: mergeRequest.targetBranch, to: targetBranch, at: retargeted.retargetedAt });
  await log.flush();
  return retargeted;
}
