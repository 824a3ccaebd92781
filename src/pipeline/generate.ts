import { transitionBatch, type BatchEvent } from '../domain/batch.js';
import { decideTicketStarts } from '../domain/ticket-scheduler.js';
import type { TicketRun } from '../domain/ticket-run.js';
import type { BatchRecord } from '../ports/store.js';
import { applyRunEvent } from './apply-run-event.js';
import { BatchControl } from './batch-control.js';
import { decisionForTicket } from './escalations.js';
import { budgetProblem } from './budget.js';
import type { PipelineDependencies, ProgressListener } from './pipeline-dependencies.js';
import { processTicket, type TicketWorkResult } from './process-ticket.js';
import { TicketLog } from './ticket-log.js';

export interface GenerationReport {
  batchId: string;
  runs: TicketRun[];
  /** Set when too many rate limits aborted the batch; its unfinished tickets go to the next batch. */
  aborted?: { reason: string };
  /** Set when the user stopped the run (Ctrl-C); `nightshift run` resumes from the last checkpoints. */
  stopped?: { reason: string };
  /** Orphaned agents of a crashed earlier run that were ended before starting. */
  reapedOrphans: number;
}

/**
 * Stage 2 of the seed: works the batch's tickets with `parallel_agents` agents at once.
 * The pure scheduler decides which tickets may start; this loop applies its decisions,
 * pauses everything on a rate limit, and aborts after too many. Running it again after
 * a crash resumes from the stored checkpoints.
 */
export async function runGeneration(
  dependencies: PipelineDependencies,
  request: { batchId: string; signal?: AbortSignal },
  onProgress: ProgressListener = () => {},
): Promise<GenerationReport> {
  const { store, settings, clock } = dependencies;
  let batch = await requireBatch(dependencies, request.batchId);
  const reaped = await dependencies.processRegistry.reapOrphans();
  for (const orphan of reaped) onProgress({ type: 'message', message: `ended agent process ${orphan.processId} (${orphan.ticketId}) left by a crashed run` });
  if (batch.state === 'paused') {
    await waitOutStoredPause(dependencies, batch, request.signal, onProgress);
    batch = await applyBatchEvent(dependencies, batch, { type: 'resume' });
  } else if (batch.state === 'pending' || batch.state === 'running') {
    batch = await applyBatchEvent(dependencies, batch, { type: 'start' });
  } else {
    onProgress({ type: 'message', message: `batch ${batch.id} is ${batch.state}; nothing to generate` });
    return { batchId: batch.id, runs: await store.listRuns(batch.id), reapedOrphans: reaped.length };
  }

  const control = new BatchControl(request.signal);
  for (const checkpoint of await store.listCheckpoints(batch.id)) control.addUsage(checkpoint.usage);
  const tickets = await store.listBatchTickets(batch.id);
  const ticketsById = new Map(tickets.map((ticket) => [ticket.id, ticket]));
  const runs = new Map((await store.listRuns(batch.id)).map((run) => [run.ticketId, run]));
  const running = new Map<string, Promise<{ ticketId: string; result: TicketWorkResult }>>();
  // Each ticket's clean-up (worktree, agent home, log) runs on while the next one starts; all are awaited before the end.
  const finishingTickets: Promise<void>[] = [];
  const finishingFailures: unknown[] = [];
  let rateLimits = (await store.listBatchTransitions(batch.id)).filter((transition) => transition.event === 'pause').length;
  let budgetReason: string | undefined;
  let pauseOver: Promise<'pause-over'> | undefined;

  while (true) {
    if (budgetReason === undefined) {
      budgetReason = budgetProblem('batch', control.usage, { tokens: settings.budget.tokensPerBatch, costUsd: settings.budget.costPerBatchUsd });
      if (budgetReason !== undefined) onProgress({ type: 'message', message: `${budgetReason}: no new ticket starts` });
    }
    const decision = decideTicketStarts({
      tickets,
      states: new Map([...runs].map(([id, run]) => [id, run.state])),
      running: new Set(running.keys()),
      parallelAgents: settings.parallelAgents,
      acceptingNewTickets: !control.stopping && control.pausedUntil === undefined && budgetReason === undefined,
    });
    for (const skip of decision.skip) await skipTicket(dependencies, batch.id, runs, skip, onProgress);
    for (const ticketId of decision.start) {
      const ticket = ticketsById.get(ticketId);
      const run = runs.get(ticketId);
      if (ticket === undefined || run === undefined) continue;
      const decision = await decisionForTicket(store, ticketId);
      const work = processTicket(dependencies, { batchId: batch.id, ticket, run, runsByTicketId: runs, control, ...(decision === undefined ? {} : { decision }) }, onProgress).then(
        ({ result, finishing }) => {
          finishingTickets.push(finishing.then(() => undefined, (error: unknown) => void finishingFailures.push(error)));
          return { ticketId, result };
        },
      );
      running.set(ticketId, work);
    }
    if (running.size === 0 && pauseOver === undefined) break;

    const next = await Promise.race([...running.values(), ...(pauseOver === undefined ? [] : [pauseOver])]);
    if (next === 'pause-over') {
      pauseOver = undefined;
      continue;
    }
    const { ticketId, result } = next;
    running.delete(ticketId);
    runs.set(ticketId, result.run);
    if (result.kind !== 'rate-limited' || control.stopping || control.pausedUntil !== undefined) continue;
    rateLimits += 1;
    if (rateLimits > settings.maxRateLimits) {
      const reason = `more than ${settings.maxRateLimits} rate limits in this batch (the last: ${result.reason}); unfinished tickets wait for the next batch`;
      control.abort(reason);
      onProgress({ type: 'message', message: `batch aborted: ${reason}` });
      continue;
    }
    const until = pauseEnd(clock.now(), result, settings.defaultRateLimitWaitMinutes);
    batch = await applyBatchEvent(dependencies, batch, { type: 'pause', reason: `${result.reason} (until ${until.toISOString()})` });
    control.startPause(until);
    onProgress({ type: 'paused', until: until.toISOString(), reason: result.reason });
    pauseOver = waitForPauseEnd(dependencies, until, control).then(async () => {
      if (!control.stopping) {
        batch = await applyBatchEvent(dependencies, batch, { type: 'resume' });
        onProgress({ type: 'message', message: 'rate limit over: resuming from the last checkpoints' });
      }
      control.endPause();
      return 'pause-over' as const;
    });
  }

  await Promise.all(finishingTickets);
  if (finishingFailures.length > 0) throw finishingFailures[0];
  const report: GenerationReport = { batchId: batch.id, runs: [...runs.values()], reapedOrphans: reaped.length };
  if (control.abortedBecause !== undefined) {
    await applyBatchEvent(dependencies, await requireBatch(dependencies, batch.id), { type: 'abort', reason: control.abortedBecause });
    report.aborted = { reason: control.abortedBecause };
  } else if (control.stopping) {
    report.stopped = { reason: 'stopped by the user; run `nightshift run` to resume from the last checkpoints' };
  }
  return report;
}

/** The reset the provider announced, else the configured default (the seed: "typically 1 hour"). */
function pauseEnd(now: Date, limit: { retryAfterSeconds?: number; resetAt?: string }, defaultMinutes: number): Date {
  if (limit.resetAt !== undefined && !Number.isNaN(Date.parse(limit.resetAt)) && Date.parse(limit.resetAt) > now.getTime()) return new Date(limit.resetAt);
  if (limit.retryAfterSeconds !== undefined) return new Date(now.getTime() + limit.retryAfterSeconds * 1000);
  return new Date(now.getTime() + defaultMinutes * 60_000);
}

async function waitForPauseEnd(dependencies: PipelineDependencies, until: Date, control: BatchControl): Promise<void> {
  const wait = until.getTime() - dependencies.clock.now().getTime();
  if (wait > 0) await dependencies.clock.sleep(wait, control.signal);
}

/** A queued ticket whose dependency in the batch ended badly: skipped, with the reason in its log. */
async function skipTicket(
  dependencies: PipelineDependencies,
  batchId: string,
  runs: Map<string, TicketRun>,
  skip: { ticketId: string; reason: string },
  onProgress: ProgressListener,
): Promise<void> {
  const run = runs.get(skip.ticketId);
  if (run === undefined) return;
  runs.set(skip.ticketId, await applyRunEvent(dependencies.store, run, { type: 'skip', reason: skip.reason }, dependencies.clock.now()));
  const log = new TicketLog(dependencies.artifacts, batchId, skip.ticketId);
  log.write({ type: 'transition', event: 'skip', from: run.state, state: 'skipped', reason: skip.reason, at: dependencies.clock.now().toISOString() });
  await log.flush();
  onProgress({ type: 'ticket-done', ticketId: skip.ticketId, state: 'skipped', detail: skip.reason });
}

/** A batch paused when the orchestrator crashed waits out the rest of its stored pause first. */
async function waitOutStoredPause(dependencies: PipelineDependencies, batch: BatchRecord, signal: AbortSignal | undefined, onProgress: ProgressListener): Promise<void> {
  const pause = (await dependencies.store.listBatchTransitions(batch.id)).filter((transition) => transition.event === 'pause').at(-1);
  const until = pause?.reason?.match(/\(until ([0-9T:.\-]+Z)\)$/)?.[1];
  if (until === undefined) return;
  const wait = Date.parse(until) - dependencies.clock.now().getTime();
  if (wait <= 0) return;
  onProgress({ type: 'paused', until, reason: pause?.reason ?? 'rate limit' });
  await dependencies.clock.sleep(wait, signal);
}

/** The batch named, or the latest one; a missing batch is a clear error for the user. */
export async function requireBatch(dependencies: PipelineDependencies, batchId?: string): Promise<BatchRecord> {
  const batch = batchId === undefined ? await dependencies.store.latestBatch() : await dependencies.store.getBatch(batchId);
  if (batch === undefined) {
    throw new BatchNotFoundError(batchId === undefined ? 'no batch yet: run `nightshift intake` first' : `no batch named ${batchId}: see \`nightshift review --json\` for the batches there are`);
  }
  return batch;
}

/** A batch the user named does not exist; an expected failure with a message for people. */
export class BatchNotFoundError extends Error {
  override readonly name = 'BatchNotFoundError';
  readonly retryable = false;
}

/** Changes a batch's state through the pure transition function and stores the transition. */
export async function applyBatchEvent(dependencies: PipelineDependencies, batch: BatchRecord, event: BatchEvent): Promise<BatchRecord> {
  const result = transitionBatch(batch.id, batch.state, event, dependencies.clock.now().toISOString());
  if (!result.ok) throw new Error(result.error);
  await dependencies.store.applyBatchTransition(result.transition);
  return { ...batch, state: result.state };
}
