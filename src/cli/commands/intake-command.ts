import type { Command } from 'commander';
import { runIntake, type IntakeReport } from '../../pipeline/intake.js';
import { printJson, withRuntime, type RepositoryOptions } from '../with-runtime.js';

/** `nightshift intake`: stage 1, the evening's collection of ready tickets into a batch manifest. */
export function registerIntakeCommand(program: Command): void {
  program
    .command('intake')
    .description('Collect tickets marked ready, check readiness, order them, and write the batch manifest')
    .option('--dry-run', 'print the manifest that would be written, change nothing (the manifest goes to stdout, the summary to stderr)')
    .option('--json', 'print the intake report as JSON')
    .addHelpText(
      'after',
      `
Readiness (the seed's table): required — clear acceptance criteria, no blocking
questions, dependencies resolved or in the same batch; recommended — files
identified, complexity estimated, test cases defined. A refused ticket gets a
"readiness" block in its front matter saying what is missing.

Examples:
  nightshift intake --dry-run              # see tomorrow's manifest
  nightshift intake --dry-run > plan.yaml  # keep it
  nightshift intake --json | jq .refused`,
    )
    .action(async (options: RepositoryOptions & { dryRun?: boolean; json?: boolean }, command: Command) => {
      const repositoryOptions = { ...command.optsWithGlobals<RepositoryOptions>(), ...options };
      await withRuntime(repositoryOptions, async (runtime) => {
        const report = await runIntake(runtime.dependencies, { dryRun: options.dryRun === true });
        if (options.json === true) {
          printJson(intakeReportJson(report));
        } else if (report.dryRun) {
          process.stderr.write(formatIntakeSummary(report));
          process.stdout.write(report.manifestText);
        } else {
          process.stdout.write(formatIntakeSummary(report));
        }
      });
    });
}

/** The JSON form of an intake report (stable field names for scripts). */
export function intakeReportJson(report: IntakeReport): unknown {
  return {
    batchId: report.batchId,
    dryRun: report.dryRun,
    manifestPath: report.manifestPath ?? null,
    manifest: report.manifestText,
    selected: report.plan.selected.map((ticket) => ticket.id),
    refused: report.plan.refused,
    deferred: report.plan.deferred,
    ignored: report.plan.ignored,
    inFlight: report.inFlight,
    problems: report.problems,
  };
}

/** A person's summary of intake: what was taken, refused (and why), deferred, and unreadable. */
export function formatIntakeSummary(report: IntakeReport): string {
  const lines: string[] = [];
  const { plan } = report;
  lines.push(`Intake for batch ${report.batchId}${report.dryRun ? ' (dry run: nothing written)' : ''}`);
  lines.push(`  Selected ${plan.selected.length} ticket(s)${plan.selected.length > 0 ? `, in this order: ${plan.selected.map((ticket) => ticket.id).join(', ')}` : ''}`);
  for (const refusal of plan.refused) {
    lines.push(`  Refused ${refusal.ticketId} (${refusal.sourceReference}):`);
    for (const reason of refusal.reasons) lines.push(`    - ${reason}`);
  }
  for (const deferral of plan.deferred) lines.push(`  Deferred ${deferral.ticketId}: ${deferral.reason}`);
  for (const inFlight of report.inFlight) lines.push(`  Already in flight ${inFlight.ticketId} (status: ${inFlight.status})`);
  for (const problem of report.problems) {
    lines.push(`  ${problem.severity === 'warning' ? 'Warning in' : 'Unreadable'} ticket ${problem.location}${problem.field === undefined ? '' : ` ${problem.field}`}: ${problem.message}`);
  }
  if (report.manifestPath !== undefined) lines.push(`  Manifest: ${report.manifestPath}`);
  else if (!report.dryRun && plan.selected.length === 0) lines.push('  No ticket is ready: no batch was created.');
  return `${lines.join('\n')}\n`;
}
