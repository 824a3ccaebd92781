import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { BatchNotFoundError } from '../pipeline/generate.js';
import { UserFacingError } from '../runtime/user-facing-error.js';
import { registerAgentsCommand } from './commands/agents-command.js';
import { registerCleanCommand } from './commands/clean-command.js';
import { registerDemoCommand } from './commands/demo-command.js';
import { registerEscalationsCommand } from './commands/escalations-command.js';
import { registerGatesCommand } from './commands/gates-command.js';
import { registerGenerateCommand } from './commands/generate-command.js';
import { registerInitCommand } from './commands/init-command.js';
import { registerLogsCommand } from './commands/logs-command.js';
import { registerMetricsCommand } from './commands/metrics-command.js';
import { registerIntakeCommand } from './commands/intake-command.js';
import { registerModelServerCommand } from './commands/model-server-command.js';
import { registerReviewCommand } from './commands/review-command.js';
import { registerRunCommand } from './commands/run-command.js';
import { registerScoreCommand } from './commands/score-command.js';
import { EXIT_CODES } from './exit-codes.js';

/** Builds the `nightshift` command line; exported so tests drive it in-process. */
export function buildProgram(): Command {
  const program = new Command('nightshift')
    .description('Run AI coding agents overnight on your ready tickets; review a ranked queue of draft MRs in the morning.')
    .option('--repo <dir>', 'the target git repository (default: the current directory)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .version(packageVersion(), '-v, --version', 'print the version')
    .addHelpText(
      'after',
      `
The night, stage by stage:
  nightshift intake     evening: collect "ready-for-agent" tickets, write the batch manifest
  nightshift generate   overnight: C0 → C1 → C2 per ticket on branch agent/<id>, draft MRs
  nightshift gates      early morning: checks, security flags, quality scores, summaries
  nightshift review     morning: the batch review box and the ordered queue
                        (then: nightshift review approve|request-changes|merge <ticket>)
  nightshift run        all four in order (resumes an interrupted batch)
  nightshift metrics    per batch and week, against the seed's targets

Try it first: nightshift demo`,
    );
  registerInitCommand(program);
  registerIntakeCommand(program);
  registerGenerateCommand(program);
  registerGatesCommand(program);
  registerReviewCommand(program);
  registerScoreCommand(program);
  registerEscalationsCommand(program);
  registerMetricsCommand(program);
  registerLogsCommand(program);
  registerCleanCommand(program);
  registerRunCommand(program);
  registerDemoCommand(program);
  registerModelServerCommand(program);
  registerAgentsCommand(program);
  return program;
}

/** Runs the CLI and turns expected failures into a message and an exit code, never a stack trace. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_CODES.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.invalidInput;
    }
    if (error instanceof UserFacingError) {
      process.stderr.write(`nightshift: ${error.message}\n${error.details.map((detail) => `  ${detail}\n`).join('')}`);
      return error.kind === 'invalid-input' ? EXIT_CODES.invalidInput : EXIT_CODES.environment;
    }
    if (error instanceof BatchNotFoundError) {
      process.stderr.write(`nightshift: ${error.message}\n`);
      return EXIT_CODES.invalidInput;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`nightshift: unexpected error (a defect, please report it): ${message}\n`);
    if (process.env.NIGHTSHIFT_DEBUG === '1' && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    else process.stderr.write('  run with NIGHTSHIFT_DEBUG=1 to see where it happened\n');
    return EXIT_CODES.defect;
  }
}

function packageVersion(): string {
  const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return packageJson.version;
}
