import type { Command } from 'commander';
import { formatMinutes } from '../../domain/batch-metrics.js';
import type { ReviewDecisionState } from '../../domain/review-decision.js';
import { flattenUntrustedText } from '../../domain/untrusted-text.js';
import { buildBatchReview, type BatchReview } from '../../pipeline/review.js';
import { printJson, withRuntime, type RepositoryOptions } from '../with-runtime.js';
import { registerReviewActionCommands } from './review-action-command.js';

/**
 * `nightshift review`: stage 4, the morning's batch review box and ordered queue (the
 * default subcommand, `review show`), and the reviewer's actions on it
 * (`review approve|request-changes|merge <ticket>`). The box's options live on `show`
 * rather than on `review` itself, so that `--batch` and `--json` written after an
 * action reach that action (commander gives a parent's options priority otherwise).
 */
export function registerReviewCommand(program: Command): void {
  const review = program
    .command('review')
    .description("The morning review: the batch review box in the seed's order (the default), and the reviewer's decisions")
    .addHelpText(
      'after',
      `
Order of the queue (the seed's rules): security flags first, then high-priority
tickets, then MRs scoring over 90, then escalations, then the rest. Decisions
(approved, changes requested, merged) and review times are listed under the box.

Examples:
  nightshift review
  nightshift review --json | jq '.queue[0]'
  nightshift review approve PROJ-142 --comment "Clean and tested"
  nightshift review merge PROJ-142`,
    );
  review
    .command('show', { isDefault: true })
    .description("Print the batch review box: totals, MRs ready for review in the seed's order, escalations pending (the default)")
    .option('--batch <id>', 'the batch to show (default: the latest)')
    .option('--json', 'print the review queue as JSON')
    .action(async (options: { batch?: string; json?: boolean }, command: Command) => {
      await withRuntime(command.optsWithGlobals<RepositoryOptions>(), async (runtime) => {
        const batchReview = await buildBatchReview(runtime.dependencies, { ...(options.batch === undefined ? {} : { batchId: options.batch }), width: boxWidth() });
        if (options.json === true) printJson(reviewJson(batchReview));
        else process.stdout.write(formatReview(batchReview));
      });
    });
  registerReviewActionCommands(review);
}

/** The box fits the terminal when there is one, and the seed's width otherwise. */
export function boxWidth(): number {
  const columns = process.stdout.columns;
  return columns === undefined || columns === 0 ? 80 : Math.max(50, Math.min(columns, 100));
}

/** The review as JSON: the ordered queue, each MR with its checks, score and flags. */
export function reviewJson(review: BatchReview): unknown {
  return {
    batchId: review.batch.id,
    state: review.batch.state,
    totals: review.totals,
    queueReadyAt: review.queueReadyAt ?? null,
    queue: review.queue.map((item) => (item.kind === 'merge-request' ? { ...item, reviewTimeMinutes: item.reviewTimeMinutes ?? null } : item)),
    mergeRequests: review.mergeRequests.map((mergeRequest) => ({
      ticketId: mergeRequest.ticketId,
      state: mergeRequest.state,
      branch: mergeRequest.sourceBranch,
      targetBranch: mergeRequest.targetBranch,
      url: mergeRequest.url,
      commit: mergeRequest.commit,
      qualityScore: mergeRequest.qualityScore ?? null,
      scoreBreakdown: mergeRequest.scoreBreakdown ?? [],
      securityFlags: mergeRequest.securityFlags ?? [],
      checks: mergeRequest.checks.map((check) => ({ name: check.name, status: check.status, durationMilliseconds: check.durationMilliseconds })),
      retargetedFrom: mergeRequest.retargetedFrom ?? null,
      decision: mergeRequest.decision.state,
      decidedBy: mergeRequest.decision.by ?? null,
      decidedAt: mergeRequest.decision.at ?? null,
      reviewTimeMinutes: mergeRequest.decision.reviewTimeMinutes ?? null,
      reviewActions: mergeRequest.decision.actions.map((action) => ({
        action: action.action,
        reviewer: action.reviewer,
        comment: action.comment ?? null,
        commit: action.commit,
        mergeCommit: action.mergeCommit ?? null,
        at: action.at,
      })),
    })),
    escalations: review.escalations.map((escalation) => ({
      ticketId: escalation.ticketId,
      trigger: escalation.trigger,
      question: escalation.question,
      options: escalation.options,
    })),
    notReady: review.notReady,
    refusedAtIntake: review.refusedAtIntake,
  };
}

/**
 * The box (kept exactly as the seed's: every MR in queue order), then the reviewers'
 * decisions once there is one, then what did not reach the queue, so nothing of the
 * night is hidden.
 */
export function formatReview(review: BatchReview): string {
  const lines = [review.box.trimEnd(), ...formatDecisions(review)];
  if (review.notReady.length > 0) {
    lines.push('', 'Not ready:');
    for (const item of review.notReady) lines.push(`  ✗ ${item.ticketId} ${item.state}${item.reason === undefined ? '' : `: ${item.reason}`}`);
  }
  if (review.refusedAtIntake.length > 0) {
    lines.push('', 'Refused at intake:');
    for (const refusal of review.refusedAtIntake) lines.push(`  ✗ ${refusal.ticketId}: ${refusal.reasons.join('; ')}`);
  }
  return `${lines.join('\n')}\n`;
}

const DECISION_MARKS: Record<ReviewDecisionState, [mark: string, label: string]> = {
  approved: ['✔', 'approved'],
  merged: ['✔', 'merged'],
  'changes-requested': ['✎', 'changes requested'],
  pending: ['·', 'pending'],
};

/** One line per MR in queue order, once any MR has a decision: `✔ PROJ-142 approved by ada, review time 12 min`. */
export function formatDecisions(review: BatchReview): string[] {
  if (review.mergeRequests.every((mergeRequest) => mergeRequest.decision.state === 'pending')) return [];
  const byTicket = new Map(review.mergeRequests.map((mergeRequest) => [mergeRequest.ticketId, mergeRequest]));
  const lines = ['', 'Decisions:'];
  for (const item of review.queue) {
    const mergeRequest = byTicket.get(item.ticketId);
    if (item.kind !== 'merge-request' || mergeRequest === undefined) continue;
    const { decision } = mergeRequest;
    const who = decision.by === undefined ? '' : ` by ${flattenUntrustedText(decision.by)}`;
    const into = decision.state === 'merged' ? ` into ${mergeRequest.targetBranch}` : '';
    const time = decision.reviewTimeMinutes === undefined ? '' : `, review time ${formatMinutes(decision.reviewTimeMinutes)}`;
    const comment = decision.comment === undefined ? '' : `: "${flattenUntrustedText(decision.comment, 120)}"`;
    const [mark, label] = DECISION_MARKS[decision.state];
    lines.push(`  ${mark} ${item.ticketId} ${label}${who}${into}${time}${comment}`);
  }
  return lines;
}
