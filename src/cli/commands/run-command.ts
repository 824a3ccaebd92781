import type { Command } from 'commander';
import { runBatch, type NightReport } from '../../pipeline/run-batch.js';
import { EXIT_CODES } from '../exit-codes.js';
import { ProgressDisplay } from '../progress-display.js';
import { requireAgent } from '../require-agent.js';
import { withStopSignal } from '../with-stop-signal.js';
import { printJson, withRuntime, type RepositoryOptions } from '../with-runtime.js';
import { formatIntakeSummary, intakeReportJson } from './intake-command.js';
import { boxWidth, formatReview, reviewJson } from './review-command.js';

/** `nightshift run`: the whole night, intake → generate → gates → review, resumable. */
export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('Run the whole pipeline: intake → generate → gates → review (resumes an interrupted batch first)')
    .option('--json', 'print the night report as JSON instead of the review box')
    .addHelpText(
      'after',
      `
A rate limit pauses the whole batch until the provider's reset (a countdown is
shown), then it resumes from the last checkpoints; more than generation.max_rate_limits
aborts the batch and its unfinished tickets go to the next one. Ctrl-C stops the
agents (their whole process trees); run again to resume.

Exit codes: 0 done; 2 bad config or tickets; 3 environment (not a git repository,
missing base branch or agent); 4 nothing could be reviewed; 75 aborted after too
many rate limits; 130 stopped with Ctrl-C.`,
    )
    .action(async (options: { json?: boolean }, command: Command) => {
      await withRuntime(command.optsWithGlobals<RepositoryOptions>(), async (runtime) => {
        await requireAgent(runtime.dependencies.agent);
        const display = new ProgressDisplay(process.stderr);
        display.start(`Nightshift: working ${runtime.repositoryRoot} with ${runtime.dependencies.agent.name}`);
        const report = await withStopSignal((signal) => runBatch(runtime.dependencies, { reviewWidth: boxWidth(), signal }, display.listener)).finally(() =>
          display.stop(),
        );
        if (options.json === true) printJson(nightReportJson(report));
        else process.stdout.write(formatNightReport(report));
        process.exitCode = nightExitCode(report);
      });
    });
}

/** Stopped → 130; aborted by rate limits → 75; no ticket reached review or escalation → 4; otherwise 0. */
export function nightExitCode(report: NightReport): number {
  if (report.generation?.stopped !== undefined) return EXIT_CODES.stopped;
  if (report.generation?.aborted !== undefined) return EXIT_CODES.abortedByRateLimits;
  if (report.review !== undefined && report.review.totals.total > 0 && report.review.totals.completed + report.review.totals.escalated === 0) {
    return EXIT_CODES.needsAttention;
  }
  return EXIT_CODES.ok;
}

export function nightReportJson(report: NightReport): unknown {
  return {
    intake: report.intake === undefined ? null : intakeReportJson(report.intake),
    aborted: report.generation?.aborted ?? null,
    stopped: report.generation?.stopped ?? null,
    gates: report.gates ?? null,
    review: report.review === undefined ? null : reviewJson(report.review),
  };
}

export function formatNightReport(report: NightReport): string {
  const parts: string[] = [];
  if (report.intake !== undefined) parts.push(formatIntakeSummary(report.intake));
  if (report.generation?.stopped !== undefined) parts.push(`Batch ${report.generation.batchId} was stopped: ${report.generation.stopped.reason}.\n`);
  if (report.generation?.aborted !== undefined) parts.push(`Batch ${report.generation.batchId} was aborted: ${report.generation.aborted.reason}.\n`);
  if (report.review !== undefined) parts.push(formatReview(report.review));
  return parts.join('\n');
}
