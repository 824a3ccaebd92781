import { STAGES, type Stage } from './stage.js';

/**
 * The lines every stage prompt carries so that the scripted model server knows which
 * ticket, stage and attempt a request belongs to. The pipeline writes them with
 * {@link formatScenarioMarkers} and the server reads them with {@link readScenarioMarkers}:
 * one module for both sides, so the two cannot drift apart.
 */
export interface ScenarioMarkers {
  ticketId: string;
  stage: Stage;
  attempt: number;
  /** Absolute path of the ticket's worktree, so the server can build absolute file paths. */
  worktreePath: string;
}

const MARKER_PREFIX = 'nightshift-';

/** Formats the four marker lines (no trailing newline). Values with line breaks are defects. */
export function formatScenarioMarkers(markers: ScenarioMarkers): string {
  const values = [markers.ticketId, markers.stage, String(markers.attempt), markers.worktreePath];
  if (values.some((value) => /[\r\n]/.test(value))) {
    throw new Error(`scenario markers must be single-line values, got ${JSON.stringify(values)}`);
  }
  return [
    `${MARKER_PREFIX}ticket: ${markers.ticketId}`,
    `${MARKER_PREFIX}stage: ${markers.stage}`,
    `${MARKER_PREFIX}attempt: ${markers.attempt}`,
    `${MARKER_PREFIX}worktree: ${markers.worktreePath}`,
  ].join('\n');
}

/**
 * Finds the markers in a text: the first block of the four lines, consecutive and in the
 * order {@link formatScenarioMarkers} writes them. The first block wins because a prompt
 * carries its markers before the ticket text, which is untrusted and could imitate them;
 * in a resumed conversation each prompt is its own message, so callers read the latest
 * message that has markers. Returns undefined when there is no complete, valid block.
 */
export function readScenarioMarkers(text: string): ScenarioMarkers | undefined {
  const block =
    /^[ \t]*nightshift-ticket:[ \t]*(\S+)[ \t]*\r?\n[ \t]*nightshift-stage:[ \t]*(\S+)[ \t]*\r?\n[ \t]*nightshift-attempt:[ \t]*([0-9]+)[ \t]*\r?\n[ \t]*nightshift-worktree:[ \t]*(\S[^\r\n]*?)[ \t]*$/m;
  const match = block.exec(text);
  if (match === null) return undefined;
  const [, ticketId, stage, attempt, worktreePath] = match as unknown as [string, string, string, string, string];
  if (!(STAGES as readonly string[]).includes(stage)) return undefined;
  return { ticketId, stage: stage as Stage, attempt: Number(attempt), worktreePath };
}
