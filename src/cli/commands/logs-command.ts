import type { Command } from 'commander';
import { formatTicketLogLine, type TicketLogFormatOptions } from '../../domain/ticket-log-format.js';
import { followTicketLog, locateTicketLog, readTicketLog, type FollowStop } from '../../pipeline/read-ticket-log.js';
import { UserFacingError } from '../../runtime/user-facing-error.js';
import { withRuntime, type RepositoryOptions } from '../with-runtime.js';

/** Line width when the output is not a terminal (a file, a pipe): long enough for grep, still one line per record. */
const PIPED_LINE_WIDTH = 400;

/** `nightshift logs <ticket>`: one ticket's night, record by record, optionally live. */
export function registerLogsCommand(program: Command): void {
  program
    .command('logs')
    .description("Print a ticket's log: every agent event and pipeline step of its run, one line each")
    .argument('<ticket>', 'the ticket id, e.g. PROJ-142')
    .option('--batch <id>', 'the batch to read (default: the latest batch that has the ticket)')
    .option('-f, --follow', "keep printing new records as they are written, until the ticket's run ends (Ctrl-C stops earlier)")
    .option('--json', 'print the raw records, one JSON object per line (NDJSON), instead of readable lines')
    .addHelpText(
      'after',
      `
Each line: time, stage and attempt (C0#1), the record type, what happened, e.g.
  22:33:43 C0#1 tool-call Read src/index.js
  22:35:10      transition scoping → planning
  22:52:04      gate-end test failed 210 ms

The log file is .nightshift/batches/<batch>/logs/<ticket>.ndjson.
Exit codes: 0 printed; 2 unknown ticket or batch, or a batch without the ticket.

Examples:
  nightshift logs PROJ-142
  nightshift logs PROJ-142 --follow
  nightshift logs PROJ-142 --batch 2024-01-15-overnight --json | jq -c 'select(.type == "tool-call")'`,
    )
    .action(async (ticketId: string, options: { batch?: string; follow?: boolean; json?: boolean }, command: Command) => {
      await withRuntime(command.optsWithGlobals<RepositoryOptions>(), async (runtime) => {
        const lookup = await locateTicketLog(runtime.dependencies, { ticketId, ...(options.batch === undefined ? {} : { batchId: options.batch }) });
        if (!lookup.ok) throw new UserFacingError(lookup.reason, 'invalid-input');
        const { location } = lookup;
        const formatOptions: TicketLogFormatOptions = { timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone, maximumWidth: lineWidth() };
        const print = (lines: string[]): void => {
          process.stdout.write(lines.map((line) => `${options.json === true ? line : formatTicketLogLine(line, formatOptions)}\n`).join(''));
        };

        const read = await readTicketLog(runtime.dependencies, location);
        print(read.lines);
        if (options.follow !== true) {
          if (!read.exists) process.stderr.write(`No log yet for ${location.ticketId} in batch ${location.batchId}: its run has not started.\n`);
          return;
        }
        const controller = new AbortController();
        const stop = (): void => controller.abort();
        process.once('SIGINT', stop);
        try {
          process.stderr.write(`Following ${location.ticketId} in batch ${location.batchId} (Ctrl-C to stop)…\n`);
          const outcome = await followTicketLog(runtime.dependencies, { location, fromOffset: read.nextOffset, signal: controller.signal }, print);
          process.stderr.write(`${followEndMessage(outcome.stoppedBecause)}\n`);
        } finally {
          process.removeListener('SIGINT', stop);
        }
      });
    });
}

function followEndMessage(stop: FollowStop): string {
  if (stop === 'run-finished') return 'The run is over.';
  if (stop === 'batch-aborted') return 'The batch was aborted.';
  return 'Stopped.';
}

function lineWidth(): number {
  const columns = process.stdout.isTTY === true ? process.stdout.columns : undefined;
  return columns === undefined || columns === 0 ? PIPED_LINE_WIDTH : Math.max(40, columns);
}
