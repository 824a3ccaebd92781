import { runGates, type GatesReport } from './gates.js';
import { runGeneration, type GenerationReport } from './generate.js';
import { runIntake, type IntakeReport } from './intake.js';
import type { PipelineDependencies, ProgressListener } from './pipeline-dependencies.js';
import { buildBatchReview, type BatchReview } from './review.js';

/** States of a batch that still has night work to do; `run` resumes such a batch before starting a new one. */
const UNFINISHED_BATCH_STATES = ['pending', 'running', 'paused'];

export interface NightReport {
  /** Undefined when an unfinished batch was resumed instead of taking new tickets. */
  intake?: IntakeReport;
  generation?: GenerationReport;
  gates?: GatesReport;
  review?: BatchReview;
}

/**
 * The whole seed, in order: intake → generation → automated gates → review queue.
 * An interrupted batch is resumed first, so `nightshift run` is always safe to repeat.
 */
export async function runBatch(
  dependencies: PipelineDependencies,
  request: { reviewWidth?: number; signal?: AbortSignal },
  onProgress: ProgressListener = () => {},
): Promise<NightReport> {
  const report: NightReport = {};
  const latest = await dependencies.store.latestBatch();
  let batchId: string;
  if (latest !== undefined && UNFINISHED_BATCH_STATES.includes(latest.state)) {
    onProgress({ type: 'message', message: `resuming batch ${latest.id} (${latest.state})` });
    batchId = latest.id;
  } else {
    onProgress({ type: 'message', message: 'intake: collecting ready tickets' });
    report.intake = await runIntake(dependencies, { dryRun: false });
    if (report.intake.manifestPath === undefined) return report;
    batchId = report.intake.batchId;
    onProgress({ type: 'message', message: `batch ${batchId}: ${report.intake.plan.selected.length} ticket(s), ${report.intake.plan.refused.length} refused` });
  }
  report.generation = await runGeneration(dependencies, { batchId, ...(request.signal === undefined ? {} : { signal: request.signal }) }, onProgress);
  if (report.generation.stopped !== undefined) return report;
  onProgress({ type: 'message', message: 'gates: running checks on each draft MR' });
  report.gates = await runGates(dependencies, { batchId }, onProgress);
  report.review = await buildBatchReview(dependencies, { batchId, ...(request.reviewWidth === undefined ? {} : { width: request.reviewWidth }) });
  return report;
}
