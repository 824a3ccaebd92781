/** One A-B-B-A group of the overhead bench: a baseline chunk, Nightshift's next two chunks, the baseline chunk after them. */
export interface InterleavedPair {
  tickets: number;
  nightshiftMilliseconds: number;
  baselineMilliseconds: number;
}

/** What {@link pairInterleavedTimes} needs from one interleaved run. */
export interface InterleavedRun {
  ticketCount: number;
  ticketsPerChunk: number;
  /** Wall time of each baseline chunk, in the order they ran. */
  chunkMilliseconds: readonly number[];
  /** The pauses of Nightshift's generation, in order: pause j ran baseline chunks up to 2j. */
  pauses: readonly { started: number; ended: number }[];
  generationWindow: { started: number; ended: number };
}

/**
 * Cuts an interleaved run into its A-B-B-A groups — baseline chunk 2j, Nightshift's
 * chunks 2j and 2j+1 (the time between pause j and pause j+1), baseline chunk 2j+1 —
 * so each group compares the two sides over the same minute of the machine. The overall
 * RATIO sums every group; the per-group ratios show whether a slow spell of the disk
 * decided it. Work before the first pause (the first ticket's worktree) counts in group 0.
 */
export function pairInterleavedTimes(run: InterleavedRun): InterleavedPair[] {
  const pairs: InterleavedPair[] = [];
  run.pauses.forEach((pause, index) => {
    const segmentEnd = run.pauses[index + 1]?.started ?? run.generationWindow.ended;
    const beforeFirstPause = index === 0 ? pause.started - run.generationWindow.started : 0;
    const firstTicket = 2 * index * run.ticketsPerChunk;
    const tickets = Math.max(0, Math.min(2 * run.ticketsPerChunk, run.ticketCount - firstTicket));
    pairs.push({
      tickets,
      nightshiftMilliseconds: segmentEnd - pause.ended + beforeFirstPause,
      baselineMilliseconds: (run.chunkMilliseconds[2 * index] ?? 0) + (run.chunkMilliseconds[2 * index + 1] ?? 0),
    });
  });
  return pairs;
}
