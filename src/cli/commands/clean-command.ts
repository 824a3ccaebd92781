import { relative } from 'node:path';
import { Option, type Command } from 'commander';
import { cleanBatches, type CleanItem, type CleanReport } from '../../pipeline/clean.js';
import { UserFacingError } from '../../runtime/user-facing-error.js';
import { EXIT_CODES } from '../exit-codes.js';
import { printJson, withRuntime, type RepositoryOptions } from '../with-runtime.js';

/** `nightshift clean`: frees the disk a finished night used, keeping the branches (the work) and the logs. */
export function registerCleanCommand(program: Command): void {
  program
    .command('clean')
    .description("Remove finished tickets' worktrees and agent homes under .nightshift/ (branches, logs and MRs are kept)")
    .option('--batch <id>', 'clean this batch only (its finished tickets, whatever the batch state)')
    .addOption(new Option('--all', 'also clean the finished tickets of batches still pending, running or paused').conflicts('batch'))
    .option('--dry-run', 'list what would be removed and its size, remove nothing')
    .option('--json', 'print what was removed (or would be) as JSON')
    .addHelpText(
      'after',
      `
What goes: for every ticket whose run is over (ready, partial, escalated, failed,
timed out, skipped), its worktree .nightshift/worktrees/<ticket> (removed through
git, so \`git worktree list\` forgets it; the branch agent/<ticket> stays) and its
agent home .nightshift/agent-homes/<batch>/<ticket>. A ticket still being worked, in
any batch, keeps its worktree. By default only batches that are completed, reviewed
or aborted are cleaned.

Exit codes: 0 done; 2 unknown batch or bad arguments; 4 something could not be removed.

Examples:
  nightshift clean --dry-run
  nightshift clean
  nightshift clean --batch 2024-01-15-overnight
  nightshift clean --all --json | jq '.bytesFreed'`,
    )
    .action(async (options: { batch?: string; all?: boolean; dryRun?: boolean; json?: boolean }, command: Command) => {
      await withRuntime(command.optsWithGlobals<RepositoryOptions>(), async (runtime) => {
        const result = await cleanBatches(runtime.dependencies, {
          dryRun: options.dryRun === true,
          includeUnfinishedBatches: options.all === true,
          ...(options.batch === undefined ? {} : { batchId: options.batch }),
        });
        if (!result.ok) throw new UserFacingError(result.reason, 'invalid-input');
        const display = (item: CleanItem): string => relative(runtime.repositoryRoot, item.absolutePath) || item.absolutePath;
        if (options.json === true) printJson(cleanReportJson(result.report));
        else process.stdout.write(formatCleanReport(result.report, display));
        if (result.report.failed.length > 0) process.exitCode = EXIT_CODES.needsAttention;
      });
    });
}

/** The report as JSON: absolute paths, exact bytes, and the same total in human units. */
export function cleanReportJson(report: CleanReport): unknown {
  return {
    dryRun: report.dryRun,
    batches: report.batches,
    removed: report.removed.map((item) => ({
      kind: item.kind,
      batchId: item.batchId,
      ticketId: item.ticketId ?? null,
      path: item.absolutePath,
      bytes: item.bytes,
      files: item.files,
    })),
    kept: report.kept,
    failed: report.failed.map((failure) => ({ path: failure.item.absolutePath, kind: failure.item.kind, ticketId: failure.item.ticketId ?? null, message: failure.message })),
    bytesFreed: report.bytesFreed,
    freed: formatBytes(report.bytesFreed),
    notes: report.notes,
  };
}

/** What went (or would go), what stayed and why, and the total, for people. */
export function formatCleanReport(report: CleanReport, displayPath: (item: CleanItem) => string = (item) => item.absolutePath): string {
  const lines: string[] = [];
  const batches = report.batches.map((batch) => `${batch.batchId} (${batch.state})`);
  if (batches.length === 0) return 'No finished batch to clean (use --all to include batches still running or paused).\n';
  lines.push(`${report.dryRun ? 'Would clean' : 'Cleaned'} ${batches.length} batch(es): ${batches.join(', ')}`);
  if (report.removed.length === 0) lines.push('  nothing left on disk to remove');
  const kindWidth = Math.max(...report.removed.map((item) => kindLabel(item).length), 0);
  const ticketWidth = Math.max(...report.removed.map((item) => (item.ticketId ?? '').length), 0);
  for (const item of report.removed) {
    lines.push(`  ${report.dryRun ? 'would remove' : 'removed'} ${kindLabel(item).padEnd(kindWidth)}  ${(item.ticketId ?? '').padEnd(ticketWidth)}  ${formatBytes(item.bytes).padStart(9)}  ${displayPath(item)}`);
  }
  if (report.kept.length > 0) {
    lines.push('Kept:');
    for (const kept of report.kept) lines.push(`  ${kept.ticketId} (${kept.batchId}): ${kept.reason}`);
  }
  if (report.failed.length > 0) {
    lines.push('Could not remove:');
    for (const failure of report.failed) lines.push(`  ${displayPath(failure.item)}: ${failure.message}`);
  }
  for (const note of report.notes) lines.push(`Note: ${note}`);
  lines.push(`${report.dryRun ? 'Would free' : 'Freed'} ${formatBytes(report.bytesFreed)} (${report.bytesFreed.toLocaleString('en-US')} bytes). Branches and logs are kept.`);
  return `${lines.join('\n')}\n`;
}

/** `0 B`, `512 B`, `1.5 KiB`, `2.3 GiB`: sizes in powers of 1024, as `du -h` counts them. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

function kindLabel(item: CleanItem): string {
  return item.kind === 'worktree' ? 'worktree' : item.ticketId === undefined ? 'agent homes' : 'agent home';
}
