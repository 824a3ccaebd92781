import { checkBatchId } from '../domain/batch-id.js';
import { checkTicketId } from '../domain/ticket-id.js';
import { isTerminalTicketRunState } from '../domain/ticket-run.js';
import type { PipelineDependencies } from './pipeline-dependencies.js';
import { ticketLogPath } from './ticket-log.js';

/**
 * `nightshift logs`: find a ticket's log, read it, and follow it while the ticket is
 * still being worked. The log is written by whichever process runs the batch; this
 * side only reads, through the artifact store, and asks the store whether the run is
 * over.
 */

/** A ticket's log, once the ticket and its batch are known to exist. */
export interface TicketLogLocation {
  batchId: string;
  ticketId: string;
  /** Relative to `.nightshift/`. */
  relativePath: string;
  /** For telling the user where the file is. */
  absolutePath: string;
}

/** An unknown ticket or a batch without it is an expected failure, with a reason for people. */
export type TicketLogLookup = { ok: true; location: TicketLogLocation } | { ok: false; reason: string };

/** Why {@link followTicketLog} stopped. */
export type FollowStop = 'run-finished' | 'batch-aborted' | 'interrupted';

/** Pause between two looks at a followed log. */
export const FOLLOW_POLL_MILLISECONDS = 250;
/** Quiet polls after the run ended before following stops, so the last lines written after the final state are not lost. */
const QUIET_POLLS_AFTER_END = 2;

/**
 * Finds the log of `ticketId` in the batch named, or in the latest batch that has the
 * ticket. Ids are checked before any path is built from them.
 */
export async function locateTicketLog(
  dependencies: Pick<PipelineDependencies, 'store' | 'artifacts'>,
  request: { ticketId: string; batchId?: string },
): Promise<TicketLogLookup> {
  const { store } = dependencies;
  const ticket = checkTicketId(request.ticketId);
  if (!ticket.ok) return { ok: false, reason: ticket.reason };
  const ticketId = ticket.id;

  let batchId: string;
  if (request.batchId !== undefined) {
    const batch = checkBatchId(request.batchId);
    if (!batch.ok) return { ok: false, reason: `batch: ${batch.reason}` };
    if ((await store.getBatch(batch.batchId)) === undefined) {
      return { ok: false, reason: `no batch named ${batch.batchId}: see \`nightshift review --json\` for the batches there are` };
    }
    if (!(await batchHasTicket(dependencies, batch.batchId, ticketId))) {
      const tickets = (await store.listBatchTickets(batch.batchId)).map((candidate) => candidate.id);
      return { ok: false, reason: `ticket ${ticketId} is not in batch ${batch.batchId} (its tickets: ${tickets.length === 0 ? 'none' : tickets.join(', ')})` };
    }
    batchId = batch.batchId;
  } else {
    const batches = await store.listBatches();
    if (batches.length === 0) return { ok: false, reason: 'no batch yet: run `nightshift intake` first' };
    let found: string | undefined;
    for (const batch of [...batches].reverse()) {
      if (await batchHasTicket(dependencies, batch.id, ticketId)) {
        found = batch.id;
        break;
      }
    }
    if (found === undefined) return { ok: false, reason: `ticket ${ticketId} is in no batch (${batches.length} batch(es) looked at): check the id, or run \`nightshift intake\`` };
    batchId = found;
  }
  const relativePath = ticketLogPath(batchId, ticketId);
  return { ok: true, location: { batchId, ticketId, relativePath, absolutePath: dependencies.artifacts.absolutePath(relativePath) } };
}

/** The log's lines from `fromOffset` on (none when nothing was written yet), and where to go on from. */
export async function readTicketLog(
  dependencies: Pick<PipelineDependencies, 'artifacts'>,
  location: TicketLogLocation,
  fromOffset = 0,
): Promise<{ lines: string[]; nextOffset: number; exists: boolean }> {
  const read = await dependencies.artifacts.readLinesFrom(location.relativePath, fromOffset);
  if (read === undefined) return { lines: [], nextOffset: fromOffset, exists: false };
  return { lines: read.lines.filter((line) => line.trim() !== ''), nextOffset: read.nextOffset, exists: true };
}

/**
 * Hands every new line of the log to `onLines` as it is appended, until the ticket's
 * run is over (a terminal state, or its batch aborted) and nothing new came, or until
 * `signal` aborts (the user pressed Ctrl-C).
 */
export async function followTicketLog(
  dependencies: Pick<PipelineDependencies, 'store' | 'artifacts' | 'clock'>,
  request: { location: TicketLogLocation; fromOffset?: number; pollMilliseconds?: number; signal?: AbortSignal },
  onLines: (lines: string[]) => void,
): Promise<{ stoppedBecause: FollowStop; nextOffset: number }> {
  const { store, clock } = dependencies;
  const { location, signal } = request;
  let offset = request.fromOffset ?? 0;
  let quietPolls = 0;
  for (;;) {
    if (signal?.aborted === true) return { stoppedBecause: 'interrupted', nextOffset: offset };
    const run = await store.getRun(location.batchId, location.ticketId);
    const batch = await store.getBatch(location.batchId);
    const ending: FollowStop | undefined =
      run === undefined || isTerminalTicketRunState(run.state) ? 'run-finished' : batch === undefined || batch.state === 'aborted' ? 'batch-aborted' : undefined;
    const read = await readTicketLog(dependencies, location, offset);
    offset = read.nextOffset;
    if (read.lines.length > 0) {
      onLines(read.lines);
      quietPolls = 0;
    } else if (ending !== undefined) {
      quietPolls += 1;
      if (quietPolls >= QUIET_POLLS_AFTER_END) return { stoppedBecause: ending, nextOffset: offset };
    }
    await clock.sleep(request.pollMilliseconds ?? FOLLOW_POLL_MILLISECONDS, signal);
  }
}

async function batchHasTicket(dependencies: Pick<PipelineDependencies, 'store'>, batchId: string, ticketId: string): Promise<boolean> {
  if ((await dependencies.store.getRun(batchId, ticketId)) !== undefined) return true;
  return (await dependencies.store.listBatchTickets(batchId)).some((ticket) => ticket.id === ticketId);
}
