import type { Command } from 'commander';
import type { ReviewActionKind } from '../../domain/review-decision.js';
import { checkTicketId } from '../../domain/ticket-id.js';
import { flattenUntrustedText } from '../../domain/untrusted-text.js';
import { recordReviewAction, type ReviewActionResult } from '../../pipeline/review-actions.js';
import { UserFacingError } from '../../runtime/user-facing-error.js';
import { printJson, withRuntime, type RepositoryOptions } from '../with-runtime.js';

interface ReviewActionOptions {
  comment?: string;
  by?: string;
  batch?: string;
  json?: boolean;
}

const DESCRIPTIONS: Record<ReviewActionKind, string> = {
  approve: "Approve a ticket's merge request (recorded with who and when; needed before merge)",
  'request-changes': "Ask for changes to a ticket's merge request (recorded with who and when)",
  merge: "Merge an approved merge request into its target branch (git merge --no-ff of the commit the gates checked) and mark the ticket done",
};

/**
 * `nightshift review approve|request-changes|merge <ticket>`: the reviewer's decisions on
 * the morning queue. `--by` defaults to the shell's USER, read here (the CLI layer).
 * Refusals (not approved, branch moved since the gates, a conflict …) exit 2 and change nothing.
 */
export function registerReviewActionCommands(review: Command): void {
  for (const action of ['approve', 'request-changes', 'merge'] as const) {
    review
      .command(action)
      .description(DESCRIPTIONS[action])
      .argument('<ticket>', 'the ticket id, e.g. PROJ-142')
      .option('--comment <text>', 'a note for the record (what to change, why it is fine)')
      .option('--by <name>', 'who acts (default: $USER)')
      .option('--batch <id>', "the MR's batch (default: the newest batch with an MR of the ticket)")
      .option('--json', 'print the recorded action as JSON')
      .addHelpText('after', helpFor(action))
      .action(async (ticket: string, options: ReviewActionOptions, command: Command) => {
        const ticketId = requireTicketId(ticket);
        const reviewer = options.by ?? process.env.USER ?? 'unknown';
        await withRuntime(command.optsWithGlobals<RepositoryOptions>(), async (runtime) => {
          const result = await recordReviewAction(runtime.dependencies, {
            action,
            ticketId,
            reviewer,
            ...(options.comment === undefined ? {} : { comment: options.comment }),
            ...(options.batch === undefined ? {} : { batchId: options.batch }),
          });
          if (!result.ok) throw new UserFacingError(result.message, 'invalid-input', result.hint === undefined ? [] : [result.hint]);
          for (const warning of result.warnings) process.stderr.write(`warning: ${warning}\n`);
          if (options.json === true) printJson(reviewActionJson(result));
          else process.stdout.write(formatReviewAction(result));
        });
      });
  }
}

function helpFor(action: ReviewActionKind): string {
  if (action === 'merge') {
    return `
A merge is refused (exit 2, nothing changed) when the MR was not approved first, when
its branch moved since the gates (the commit differs from the one checked), when it
is stacked on an MR not merged yet, or when git cannot merge cleanly. Once merged, the
ticket's tracker status becomes "done" (its dependents may enter the next batch) and
MRs stacked on it now target its target branch.

Example:
  nightshift review merge PROJ-142 --by ada`;
  }
  return `
Example:
  nightshift review ${action} PROJ-142${action === 'request-changes' ? ' --comment "Cover the expired-token case"' : ''} --by ada`;
}

function requireTicketId(candidate: string): string {
  const checked = checkTicketId(candidate);
  if (!checked.ok) throw new UserFacingError(checked.reason, 'invalid-input');
  return checked.id;
}

type Recorded = Extract<ReviewActionResult, { ok: true }>;

/** The stable JSON of a recorded action. */
export function reviewActionJson(result: Recorded): unknown {
  const { record } = result;
  return {
    batchId: record.batchId,
    ticketId: record.ticketId,
    action: record.action,
    reviewer: record.reviewer,
    comment: record.comment ?? null,
    commit: record.commit,
    at: record.at,
    decision: result.decision,
    merge: result.merge ?? null,
    batchState: result.batchState,
    batchReviewedNow: result.batchReviewedNow,
    warnings: result.warnings,
  };
}

const DONE: Record<ReviewActionKind, string> = { approve: 'Approved', 'request-changes': 'Requested changes to', merge: 'Merged' };

/** What happened, in a few lines, with the next step. */
export function formatReviewAction(result: Recorded): string {
  const { record, merge } = result;
  const reviewer = flattenUntrustedText(record.reviewer);
  const lines = [`${DONE[record.action]} ${record.ticketId} (batch ${record.batchId}) as ${reviewer}.`];
  if (merge !== undefined) {
    lines.push(
      merge.alreadyMerged
        ? `Commit ${record.commit.slice(0, 12)} was already in ${merge.targetBranch} (${merge.mergeCommit.slice(0, 12)}): recorded the merge.`
        : `Merge commit ${merge.mergeCommit.slice(0, 12)} on ${merge.targetBranch}.`,
    );
    if (merge.ticketStatus !== undefined) lines.push(`Ticket ${record.ticketId} is now "${merge.ticketStatus}": tickets depending on it may enter the next batch.`);
    for (const retargeted of merge.retargeted) lines.push(`${retargeted.ticketId}'s merge request now targets ${retargeted.to} (was ${retargeted.from}).`);
  } else if (record.action === 'approve') {
    lines.push(`Merge it with: nightshift review merge ${record.ticketId} --batch ${record.batchId}`);
  }
  if (result.batchReviewedNow) lines.push(`Every merge request and escalation of batch ${record.batchId} has a decision: the batch is reviewed.`);
  return `${lines.join('\n')}\n`;
}
