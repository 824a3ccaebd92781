import type { Command } from 'commander';
import { formatDemoOutput, runDemo } from '../demo/run-demo.js';
import { boxWidth } from './review-command.js';
import { nightExitCode, nightReportJson } from './run-command.js';
import { printJson } from '../with-runtime.js';

/** `nightshift demo`: see the whole night on a sample repository, without spending a token. */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('Create a sample repository with eight tickets and run the whole pipeline on it with the real agent CLI and the scripted model server')
    .option('--directory <dir>', 'where to create the demo (default: a new temporary directory)')
    .option('--json', 'print the night report as JSON')
    .option('--agent <kind>', 'the agent to run the demo with: any registered kind (default: claude-code)')
    .addHelpText(
      'after',
      `
The eight tickets show every path: a ready high-priority ticket, a dependency pair
(stacked branches), an escalation at C1, a ticket refused at intake, a change whose
tests fail at the gates, a change that hard-codes a token (a security flag, masked,
first in the queue) and a change with a flaky test (failed, then passed on the re-run).
After the review box, the top MR's score is explained point by point. Nothing leaves
this machine: the model is the scripted model server (see \`nightshift model-server --help\`).`,
    )
    .action(async (options: { directory?: string; json?: boolean; agent?: string }) => {
      const result = await runDemo({
        ...(options.directory === undefined ? {} : { directory: options.directory }),
        ...(options.agent === undefined ? {} : { agentKind: options.agent }),
        reviewWidth: boxWidth(),
        output: process.stderr,
      });
      if (options.json === true) {
        printJson(nightReportJson(result.report));
      } else {
        process.stdout.write(await formatDemoOutput(result));
      }
      process.exitCode = nightExitCode(result.report);
    });
}
