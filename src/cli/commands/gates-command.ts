import type { Command } from 'commander';
import { requireBatch } from '../../pipeline/generate.js';
import { runGates } from '../../pipeline/gates.js';
import { ProgressDisplay } from '../progress-display.js';
import { printJson, withRuntime, type RepositoryOptions } from '../with-runtime.js';

/** `nightshift gates`: stage 3, checks, security flags, quality scores and review summaries. */
export function registerGatesCommand(program: Command): void {
  program
    .command('gates')
    .description("Run the repository's checks on each draft MR, flag security issues, score it, and write its review summary")
    .option('--batch <id>', 'the batch to gate (default: the latest)')
    .option('--json', 'print the scores and flags as JSON')
    .addHelpText('after', '\nThe checks are the commands under gates.commands in nightshift.yaml, run in each MR\'s worktree.\nThe score formula is in docs/quality-score.md.')
    .action(async (options: { batch?: string; json?: boolean }, command: Command) => {
      await withRuntime(command.optsWithGlobals<RepositoryOptions>(), async (runtime) => {
        const batch = (await requireBatch(runtime.dependencies, options.batch)).id;
        const display = new ProgressDisplay(process.stderr);
        display.start(`Running gates for batch ${batch}`);
        const report = await runGates(runtime.dependencies, { batchId: batch }, display.listener).finally(() => display.stop());
        if (options.json === true) printJson(report);
        else
          for (const gated of report.gated) {
            process.stdout.write(`${gated.ticketId}  score ${gated.qualityScore}  security flags ${gated.securityFlags}  failed checks ${gated.checksFailed}\n`);
          }
      });
    });
}
