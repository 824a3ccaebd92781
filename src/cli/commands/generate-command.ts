import type { Command } from 'commander';
import { requireBatch } from '../../pipeline/generate.js';
import { runGeneration } from '../../pipeline/generate.js';
import { requireAgent } from '../require-agent.js';
import { withStopSignal } from '../with-stop-signal.js';
import { EXIT_CODES } from '../exit-codes.js';
import { ProgressDisplay } from '../progress-display.js';
import { printJson, withRuntime, type RepositoryOptions } from '../with-runtime.js';

/** `nightshift generate`: stage 2, the agents' night — C0 → C1 → C2 for each ticket of a batch. */
export function registerGenerateCommand(program: Command): void {
  program
    .command('generate')
    .description('Work each ticket of the batch with the agent: C0 scope, C1 plan, C2 implement, commit, draft MR')
    .option('--batch <id>', 'the batch to work (default: the latest)')
    .option('--json', 'print the ticket states as JSON at the end')
    .addHelpText(
      'after',
      `
Each ticket gets branch agent/<id> in its own worktree under .nightshift/worktrees.
Every checkpoint is stored before the next stage starts: run it again after a
crash or a rate-limit pause and it resumes where it stopped.
Follow one ticket: tail -f .nightshift/batches/<batch>/logs/<ticket>.ndjson`,
    )
    .action(async (options: { batch?: string; json?: boolean }, command: Command) => {
      await withRuntime(command.optsWithGlobals<RepositoryOptions>(), async (runtime) => {
        await requireAgent(runtime.dependencies.agent);
        const batch = (await requireBatch(runtime.dependencies, options.batch)).id;
        const display = new ProgressDisplay(process.stderr);
        display.start(`Generating batch ${batch} with ${runtime.dependencies.agent.name}`);
        const report = await withStopSignal((signal) => runGeneration(runtime.dependencies, { batchId: batch, signal }, display.listener)).finally(() =>
          display.stop(),
        );
        if (options.json === true) printJson(report);
        else for (const run of report.runs) process.stdout.write(`${run.ticketId}  ${run.state}${run.reason === undefined ? '' : `  ${run.reason}`}\n`);
        if (report.stopped !== undefined) process.exitCode = EXIT_CODES.stopped;
        else if (report.aborted !== undefined) process.exitCode = EXIT_CODES.abortedByRateLimits;
      });
    });
}
