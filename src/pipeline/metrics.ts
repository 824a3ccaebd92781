import { computeBatchMetrics, summarizeWeeks, type BatchMetrics, type WeekTrend } from '../domain/batch-metrics.js';
import type { BatchRecord } from '../ports/store.js';
import type { PipelineDependencies } from './pipeline-dependencies.js';
import { readReviewTiming } from './review-timing.js';

/** Metrics read the store only: its batches accumulate, and they are the history. */
export type MetricsDependencies = Pick<PipelineDependencies, 'store'>;

/** How many of the latest batches `nightshift metrics` shows unless told. */
export const DEFAULT_METRICS_BATCH_COUNT = 10;

export interface MetricsReport {
  /** Every batch in the store. */
  batchesStored: number;
  /** The latest batches asked for, oldest first. */
  batches: BatchMetrics[];
  /** The same batches pooled by ISO week, oldest first. */
  weeks: WeekTrend[];
}

/**
 * The seed's metrics over the latest `batches` batches of the store (all of them when
 * there are fewer), each batch against the seed's targets, and the trend by week.
 */
export async function collectMetrics(dependencies: MetricsDependencies, request: { batches?: number } = {}): Promise<MetricsReport> {
  const count = request.batches ?? DEFAULT_METRICS_BATCH_COUNT;
  if (!Number.isInteger(count) || count < 1) throw new Error(`collectMetrics: batches must be a whole number of at least 1, got ${count}`);
  const stored = await dependencies.store.listBatches();
  const shown = stored.slice(-count);
  const batches: BatchMetrics[] = [];
  for (const batch of shown) batches.push(await metricsOf(dependencies, batch));
  return { batchesStored: stored.length, batches, weeks: summarizeWeeks(batches) };
}

async function metricsOf({ store }: MetricsDependencies, batch: BatchRecord): Promise<BatchMetrics> {
  const timing = await readReviewTiming(store, batch.id);
  return computeBatchMetrics({
    batchId: batch.id,
    createdAt: batch.createdAt,
    state: batch.state,
    runs: await store.listRuns(batch.id),
    mergeRequests: await store.listMergeRequests(batch.id),
    usage: (await store.listCheckpoints(batch.id)).map((checkpoint) => checkpoint.usage),
    ...(timing.queueReadyAt === undefined ? {} : { queueReadyAt: timing.queueReadyAt }),
    gatedAt: timing.gatedAt,
    reviewActions: await store.listReviewActions(batch.id),
  });
}
