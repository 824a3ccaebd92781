import type { Command } from 'commander';
import { buildBatchReview, type BatchReview } from '../../pipeline/review.js';
import { printJson, withRuntime, type RepositoryOptions } from '../with-runtime.js';

/** `nightshift review`: stage 4, the morning's batch review box and ordered queue. */
export function registerReviewCommand(program: Command): void {
  program
    .command('review')
    .description("Print the batch review box: totals, MRs ready for review in the seed's order, escalations pending")
    .option('--batch <id>', 'the batch to show (default: the latest)')
    .option('--json', 'print the review queue as JSON')
    .addHelpText(
      'after',
      `
Order of the queue (the seed's rules): security flags first, then high-priority
tickets, then MRs scoring over 90, then escalations, then the rest.

Examples:
  nightshift review
  nightshift review --json | jq '.queue[0]'`,
    )
    .action(async (options: { batch?: string; json?: boolean }, command: Command) => {
      await withRuntime(command.optsWithGlobals<RepositoryOptions>(), async (runtime) => {
        const review = await buildBatchReview(runtime.dependencies, { ...(options.batch === undefined ? {} : { batchId: options.batch }), width: boxWidth() });
        if (options.json === true) printJson(reviewJson(review));
        else process.stdout.write(formatReview(review));
      });
    });
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
    queue: review.queue,
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

/** The box, then what did not reach the queue, so nothing of the night is hidden. */
export function formatReview(review: BatchReview): string {
  const lines = [review.box.trimEnd()];
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
