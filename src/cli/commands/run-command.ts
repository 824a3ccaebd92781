import type { Command } from 'commander';
import { runBatch, type NightReport } from '../../pipeline/run-batch.js';
import { EXIT_CODES } from '../exit-codes.js';
import { ProgressDisplay } from '../progress-display.js';
import { requireAgent } from '../require-agent.js';
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
Exit codes: 0 done; 2 bad config or tickets; 3 environment (not a git repository,
missing base branch or agent); 4 nothing could be reviewed; 75 paused by a rate
limit (run again later: it resumes from the last checkpoints).`,
    )
    .action(async (options: { json?: boolean }, command: Command) => {
      await withRuntime(command.optsWithGlobals<RepositoryOptions>(), async (runtime) => {
        await requireAgent(runtime.dependencies.agent);
        const display = new ProgressDisplay(process.stderr);
        display.start(`Nightshift: working ${runtime.repositoryRoot} with ${runtime.dependencies.agent.name}`);
        const report = await runBatch(runtime.dependencies, { reviewWidth: boxWidth() }, display.listener).finally(() => display.stop());
        if (options.json === true) printJson(nightReportJson(report));
        else process.stdout.write(formatNightReport(report));
        process.exitCode = nightExitCode(report);
      });
    });
}

/** Paused → 75; a batch where no ticket reached review or escalation → 4; otherwise 0. */
export function nightExitCode(report: NightReport): number {
  if (report.generation?.paused !== undefined) return EXIT_CODES.paused;
  if (report.review !== undefined && report.review.totals.total > 0 && report.review.totals.completed + report.review.totals.escalated === 0) {
    return EXIT_CODES.needsAttention;
  }
  return EXIT_CODES.ok;
}

export function nightReportJson(report: NightReport): unknown {
  return {
    intake: report.intake === undefined ? null : intakeReportJson(report.intake),
    paused: report.generation?.paused ?? null,
    gates: report.gates ?? null,
    review: report.review === undefined ? null : reviewJson(report.review),
  };
}

export function formatNightReport(report: NightReport): string {
  const parts: string[] = [];
  if (report.intake !== undefined) parts.push(formatIntakeSummary(report.intake));
  if (report.generation?.paused !== undefined) {
    const paused = report.generation.paused;
    parts.push(
      `Batch ${report.generation.batchId} is paused by a rate limit: ${paused.reason}${paused.retryAfterSeconds === undefined ? '' : ` (retry after ${paused.retryAfterSeconds} s)`}.\nRun \`nightshift run\` again after the reset: it resumes from the last checkpoints.\n`,
    );
  }
  if (report.review !== undefined) parts.push(formatReview(report.review));
  return parts.join('\n');
}
