import type { Stage } from './stage.js';
import { checkTicketId } from './ticket-id.js';
import { flattenUntrustedText, truncateCodePoints } from './untrusted-text.js';

/**
 * The seed's commit message format: a conventional-commit subject naming the ticket,
 * one bullet per change, and three git trailers that tie the commit to its batch,
 * checkpoint and quality score:
 *
 * ```
 * feat(PROJ-142): implement user authentication
 *
 * - Add login endpoint with JWT tokens
 *
 * Agent: batch-2024-01-15
 * Checkpoint: C2-complete
 * Quality-Score: pending-gates
 * ```
 *
 * The title comes from the tracker and the changes from the agent: both are
 * flattened to single lines, so neither can add a paragraph or forge a trailer.
 */

/** Which checkpoint the commit closes; `C2-partial` when the agent finished only part of the work. */
export type CommitCheckpoint = `${Stage}-complete` | 'C2-partial' | 'C2-timed-out';

export const COMMIT_SUBJECT_MAXIMUM_LENGTH = 72;
/** Bullets are capped too, so one runaway agent line cannot bury the rest. */
export const COMMIT_CHANGE_LINE_MAXIMUM_LENGTH = 200;
export const COMMIT_TRAILER_KEYS = ['Agent', 'Checkpoint', 'Quality-Score'] as const;

export interface CommitMessageInput {
  ticketId: string;
  /** The ticket's title, untrusted. */
  title: string;
  /** The agent's change lines (C2 `changes`), untrusted. */
  changes: string[];
  /** e.g. `2024-01-15-overnight`; the trailer keeps its `YYYY-MM-DD` prefix. */
  batchId: string;
  checkpoint: CommitCheckpoint;
  qualityScore: 'pending-gates' | number;
  /** Conventional-commit type; `feat` by default, as in the seed. */
  type?: string;
}

/**
 * Builds the seed's commit message. The subject is `<type>(<ticket-id>): <title>`,
 * cut to 72 characters with `…`; every change becomes a `- ` bullet (empty ones are
 * dropped); the trailers are always the last paragraph and always exactly three.
 *
 * @throws Error on a ticket id, type, checkpoint or score that Nightshift itself should never produce.
 */
export function formatCommitMessage(input: CommitMessageInput): string {
  const ticketCheck = checkTicketId(input.ticketId);
  if (!ticketCheck.ok) throw new Error(`formatCommitMessage: ticketId: ${ticketCheck.reason}`);
  const type = input.type ?? 'feat';
  if (!/^[a-z]{1,16}$/.test(type)) throw new Error(`formatCommitMessage: type must be lowercase letters like "feat", got ${JSON.stringify(type)}`);
  if (!/^C[0-2]-(complete|partial|timed-out)$/.test(input.checkpoint)) {
    throw new Error(`formatCommitMessage: checkpoint must be like "C2-complete", got ${JSON.stringify(input.checkpoint)}`);
  }
  const score = input.qualityScore;
  if (score !== 'pending-gates' && !(Number.isInteger(score) && score >= 0 && score <= 100)) {
    throw new Error(`formatCommitMessage: qualityScore must be "pending-gates" or an integer 0–100, got ${JSON.stringify(score)}`);
  }

  const prefix = `${type}(${ticketCheck.id}): `;
  const title = flattenUntrustedText(input.title) || 'untitled ticket';
  const subject = prefix + truncateCodePoints(title, Math.max(1, COMMIT_SUBJECT_MAXIMUM_LENGTH - prefix.length));
  const bullets = input.changes
    .map((change) => flattenUntrustedText(change, COMMIT_CHANGE_LINE_MAXIMUM_LENGTH).replace(/^[-*•]\s*/, ''))
    .filter((change) => change.length > 0)
    .map((change) => `- ${change}`);
  const trailers = [`Agent: ${agentTrailerValue(input.batchId)}`, `Checkpoint: ${input.checkpoint}`, `Quality-Score: ${score}`];
  const paragraphs = [subject, ...(bullets.length > 0 ? [bullets.join('\n')] : []), trailers.join('\n')];
  return `${paragraphs.join('\n\n')}\n`;
}

/**
 * `batch-<date>` from a batch id: `2024-01-15-overnight` → `batch-2024-01-15`. An id
 * without a date prefix is kept whole, reduced to `[A-Za-z0-9._-]`.
 */
export function agentTrailerValue(batchId: string): string {
  const date = /^(\d{4}-\d{2}-\d{2})(?:$|[^0-9])/.exec(batchId)?.[1];
  if (date !== undefined) return `batch-${date}`;
  const safe = batchId.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
  return `batch-${safe || 'unknown'}`;
}

/**
 * Reads the trailers of a commit message the way `git interpret-trailers --parse`
 * does for ours: the last paragraph, when every line in it is `Key: value` (a line
 * starting with whitespace continues the previous value). Anything else: no trailers.
 * Keys keep their spelling; a repeated key keeps its last value.
 */
export function parseCommitTrailers(message: string): Record<string, string> {
  const lines = message.replace(/\r\n/g, '\n').split('\n');
  while (lines.length > 0 && lines[lines.length - 1]?.trim() === '') lines.pop();
  let start = lines.length;
  while (start > 0 && lines[start - 1]?.trim() !== '') start -= 1;
  if (start === 0) return {};
  const trailers: Record<string, string> = {};
  let lastKey: string | undefined;
  for (const line of lines.slice(start)) {
    if (/^\s/.test(line) && lastKey !== undefined) {
      trailers[lastKey] = `${trailers[lastKey]} ${line.trim()}`;
      continue;
    }
    const match = /^([A-Za-z0-9][A-Za-z0-9-]*)\s*:\s?(.*)$/.exec(line);
    if (match === null) return {};
    lastKey = match[1] as string;
    trailers[lastKey] = (match[2] as string).trim();
  }
  return trailers;
}
