import { transitionBatch, type BatchEvent } from '../domain/batch.js';
import { isTerminalTicketRunState, type TicketRun } from '../domain/ticket-run.js';
import type { BatchRecord } from '../ports/store.js';
import type { PipelineDependencies, ProgressListener } from './pipeline-dependencies.js';
import { processTicket } from './process-ticket.js';

export interface GenerationReport {
  batchId: string;
  runs: TicketRun[];
  /** Set when a rate limit paused the batch; `nightshift run` resumes from the last checkpoints. */
  paused?: { reason: string; retryAfterSeconds?: number; resetAt?: string };
}

/**
 * Stage 2 of the seed: works every ticket of the batch in manifest (dependency)
 * order. Tickets already past generation are left alone, so running it again
 * after a crash or a pause resumes where the batch stopped.
 */
export async function runGeneration(
  dependencies: PipelineDependencies,
  request: { batchId: string },
  onProgress: ProgressListener = () => {},
): Promise<GenerationReport> {
  const { store } = dependencies;
  const batch = await requireBatch(dependencies, request.batchId);
  if (batch.state === 'paused') await applyBatchEvent(dependencies, batch, { type: 'resume' });
  else if (batch.state === 'pending' || batch.state === 'running') await applyBatchEvent(dependencies, batch, { type: 'start' });
  else {
    onProgress({ type: 'message', message: `batch ${batch.id} is ${batch.state}; nothing to generate` });
    return { batchId: batch.id, runs: await store.listRuns(batch.id) };
  }

  const tickets = await store.listBatchTickets(batch.id);
  const runsByTicketId = new Map((await store.listRuns(batch.id)).map((run) => [run.ticketId, run]));
  for (const ticket of tickets) {
    const run = runsByTicketId.get(ticket.id);
    if (run === undefined || isTerminalTicketRunState(run.state) || run.state === 'gating') continue;
    const result = await processTicket(dependencies, { batchId: batch.id, ticket, run, runsByTicketId }, onProgress);
    runsByTicketId.set(ticket.id, result.run);
    if (result.kind === 'rate-limited') {
      const current = await requireBatch(dependencies, batch.id);
      await applyBatchEvent(dependencies, current, { type: 'pause', reason: result.reason });
      const paused: NonNullable<GenerationReport['paused']> = { reason: result.reason };
      if (result.retryAfterSeconds !== undefined) paused.retryAfterSeconds = result.retryAfterSeconds;
      if (result.resetAt !== undefined) paused.resetAt = result.resetAt;
      onProgress({ type: 'message', message: `batch paused: ${result.reason}` });
      return { batchId: batch.id, runs: [...runsByTicketId.values()], paused };
    }
  }
  return { batchId: batch.id, runs: [...runsByTicketId.values()] };
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
