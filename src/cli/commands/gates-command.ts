import type { Command } from 'commander';
import { flattenUntrustedText } from '../../domain/untrusted-text.js';
import { requireBatch } from '../../pipeline/generate.js';
import { runGates, type GatesReport } from '../../pipeline/gates.js';
import type { Store } from '../../ports/store.js';
import { ProgressDisplay } from '../progress-display.js';
import { printJson, withRuntime, type RepositoryOptions } from '../with-runtime.js';

/** `nightshift gates`: stage 3, checks, security flags, quality scores and review summaries. */
export function registerGatesCommand(program: Command): void {
  program
    .command('gates')
    .description("Run the repository's checks on each draft MR, flag security issues, score it, and write its review summary")
    .option('--batch <id>', 'the batch to gate (default: the latest)')
    .option('--json', 'print the scores and flags as JSON')
    .addHelpText(
      'after',
      `
The checks are the commands under gates.commands in nightshift.yaml, run in each MR's worktree.
A check that fails and then passes when run again (gates.rerun_failed) is reported flaky.
An MR whose branch moved since it was opened is refused: its run fails with the reason.
The score formula is in docs/quality-score.md.`,
    )
    .action(async (options: { batch?: string; json?: boolean }, command: Command) => {
      await withRuntime(command.optsWithGlobals<RepositoryOptions>(), async (runtime) => {
        const batch = (await requireBatch(runtime.dependencies, options.batch)).id;
        const display = new ProgressDisplay(process.stderr);
        display.start(`Running gates for batch ${batch}`);
        const report = await runGates(runtime.dependencies, { batchId: batch }, display.listener).finally(() => display.stop());
        if (options.json === true) printJson(report);
        else process.stdout.write(formatGatesReport(report, await flakyChecksOf(runtime.dependencies.store, report)));
      });
    });
}

/** A check that passed only when run again, and the tests that flipped in it. */
export interface FlakyCheck {
  name: string;
  flakyTests: string[];
}

/** The flaky checks of each gated MR, on the commit the gates checked, by ticket. */
async function flakyChecksOf(store: Store, report: GatesReport): Promise<Map<string, FlakyCheck[]>> {
  const byTicket = new Map<string, FlakyCheck[]>();
  for (const gated of report.gated) {
    if (gated.checksFlaky === 0) continue;
    const results = await store.listGateResults(report.batchId, gated.ticketId);
    byTicket.set(
      gated.ticketId,
      results.filter((result) => result.commit === gated.commit && result.status === 'flaky').map((result) => ({ name: result.name, flakyTests: result.flakyTests ?? [] })),
    );
  }
  return byTicket;
}

/**
 * One line per gated MR (score, flags, failed and flaky checks), each flaky check
 * named under its MR, then the MRs the gates refused with why — a refusal fails the
 * ticket's run, so it must not pass unseen.
 */
export function formatGatesReport(report: GatesReport, flakyChecks: ReadonlyMap<string, readonly FlakyCheck[]> = new Map()): string {
  const lines: string[] = [];
  if (report.gated.length === 0 && report.refused.length === 0) lines.push(`No merge request of batch ${report.batchId} was waiting for the gates.`);
  for (const gated of report.gated) {
    lines.push(`${gated.ticketId}  score ${gated.qualityScore}  security flags ${gated.securityFlags}  failed checks ${gated.checksFailed}  flaky checks ${gated.checksFlaky}`);
    for (const check of flakyChecks.get(gated.ticketId) ?? []) {
      const flipped = check.flakyTests.length === 0 ? '' : `; tests that flipped: ${check.flakyTests.map((name) => flattenUntrustedText(name, 80)).join(', ')}`;
      lines.push(`  ⚠ ${flattenUntrustedText(check.name, 80)} is flaky: it failed, then passed when run again${flipped}`);
    }
  }
  if (report.refused.length > 0) {
    lines.push('', 'Refused by the gates (their runs are failed):');
    for (const refused of report.refused) lines.push(`  ✗ ${refused.ticketId}: ${flattenUntrustedText(refused.reason)}`);
  }
  return `${lines.join('\n')}\n`;
}
