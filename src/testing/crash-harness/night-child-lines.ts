import type { ProgressEvent } from '../../pipeline/pipeline-dependencies.js';

/** The `type` of the last line the night child prints when its night is done. */
export const NIGHT_END_EVENT = 'night-end';

/** What a night that ran to its end reports, so the parent can count and explain. */
export interface NightEndLine {
  type: typeof NIGHT_END_EVENT;
  /** The batch intake created in this run, if it created one. */
  newBatchId?: string;
  batchId?: string;
  reapedOrphans?: number;
  aborted?: string;
  stopped?: string;
}

/** One line of the child's stdout: a pipeline progress event, or the end of the night. */
export type NightChildLine = ProgressEvent | NightEndLine;

/** How the runner says it ended an orphan at start-up (src/pipeline/generate.ts). */
const REAPED_MESSAGE = /^ended agent process (\d+) \(([^)]*)\) left by a crashed run$/;

/** Reads one stdout line of the child; anything that is not one of its JSON lines is undefined. */
export function parseNightChildLine(text: string): NightChildLine | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    const value = JSON.parse(text) as { type?: unknown };
    return typeof value.type === 'string' ? (value as NightChildLine) : undefined;
  } catch {
    return undefined;
  }
}

/** The process id of an orphan the child reports it ended, when the line is such a report. */
export function reapedProcessId(line: NightChildLine): number | undefined {
  if (line.type !== 'message') return undefined;
  const match = REAPED_MESSAGE.exec(line.message);
  return match === null ? undefined : Number(match[1]);
}
