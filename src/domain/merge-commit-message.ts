import { agentTrailerValue } from './commit-message.js';
import { flattenUntrustedText, truncateCodePoints } from './untrusted-text.js';

/**
 * The message of the merge commit `nightshift review merge` makes:
 *
 * ```
 * Merge agent/PROJ-142 into main: PROJ-142 Auth feature
 *
 * Approved-by: ada
 * Merged-by: ada
 * Agent: batch-2024-01-15
 * Quality-Score: 94
 * ```
 *
 * The trailers say who approved and who merged (reviewers are names, not git
 * identities: the commit itself is authored by Nightshift's configured author), and tie
 * the merge to its batch and score. Title and names are untrusted text, flattened to
 * one line each so none of them can forge a trailer.
 */
export interface MergeCommitMessageInput {
  ticketId: string;
  title: string;
  sourceBranch: string;
  targetBranch: string;
  batchId: string;
  approvedBy: string;
  mergedBy: string;
  qualityScore?: number;
}

export const MERGE_SUBJECT_MAXIMUM_LENGTH = 100;

export function formatMergeCommitMessage(input: MergeCommitMessageInput): string {
  const prefix = `Merge ${input.sourceBranch} into ${input.targetBranch}: ${input.ticketId} `;
  const title = flattenUntrustedText(input.title) || 'untitled ticket';
  const subject = prefix + truncateCodePoints(title, Math.max(1, MERGE_SUBJECT_MAXIMUM_LENGTH - prefix.length));
  const trailers = [
    `Approved-by: ${oneWord(input.approvedBy)}`,
    `Merged-by: ${oneWord(input.mergedBy)}`,
    `Agent: ${agentTrailerValue(input.batchId)}`,
    ...(input.qualityScore === undefined ? [] : [`Quality-Score: ${Math.round(input.qualityScore)}`]),
  ];
  return `${subject}\n\n${trailers.join('\n')}\n`;
}

function oneWord(name: string): string {
  return flattenUntrustedText(name, 80) || 'unknown';
}
