import type { Command } from 'commander';
import { explainTicketScore, type ScoreExplanation } from '../../pipeline/explain-score.js';
import { flattenUntrustedText } from '../../domain/untrusted-text.js';
import { UserFacingError } from '../../runtime/user-facing-error.js';
import { printJson, withRuntime, type RepositoryOptions } from '../with-runtime.js';

/** `nightshift score <ticket>`: the quality score of a ticket's MR, every point won and lost. */
export function registerScoreCommand(program: Command): void {
  program
    .command('score')
    .description("Explain the quality score of a ticket's MR: every point won and lost, criterion by criterion")
    .argument('<ticket>', 'the ticket id, e.g. PROJ-142')
    .option('--batch <id>', 'the batch to look in (default: the latest batch that has the ticket)')
    .option('--json', 'print the score, its breakdown and the checks as JSON')
    .addHelpText(
      'after',
      `
The formula, with a worked example, is in docs/quality-score.md. The score is
also attached to the MR's head commit as a git note:
  git notes --ref=refs/notes/nightshift show agent/PROJ-142

Exit codes: 0 printed; 2 unknown ticket or batch, or a ticket not scored yet.

Examples:
  nightshift score PROJ-142
  nightshift score PROJ-142 --batch 2024-01-15-overnight --json | jq '.breakdown[] | select(.lost > 0)'`,
    )
    .action(async (ticketId: string, options: { batch?: string; json?: boolean }, command: Command) => {
      await withRuntime(command.optsWithGlobals<RepositoryOptions>(), async (runtime) => {
        const lookup = await explainTicketScore(runtime.dependencies, { ticketId, ...(options.batch === undefined ? {} : { batchId: options.batch }) });
        if (!lookup.ok) throw new UserFacingError(lookup.reason, 'invalid-input');
        const { lines: _lines, ...json } = lookup.explanation;
        if (options.json === true) printJson(json);
        else process.stdout.write(formatScoreExplanation(lookup.explanation));
      });
    });
}

/** The explanation for people: the headline, every criterion, the total, then the checks behind it. */
export function formatScoreExplanation(explanation: ScoreExplanation): string {
  const lines = [
    `${explanation.ticketId}: ${flattenUntrustedText(explanation.title, 80)} — quality score ${explanation.qualityScore}/100`,
    `Batch ${explanation.batchId} · commit ${explanation.commit.slice(0, 12)} · ${explanation.state}`,
    '',
    ...explanation.lines,
  ];
  if (explanation.checks.length > 0) {
    lines.push('', 'Checks:');
    for (const check of explanation.checks) {
      const details = [
        check.tests === undefined ? undefined : `${check.tests.passed} passed, ${check.tests.failed} failed, ${check.tests.skipped} skipped`,
        check.lintWarnings === undefined ? undefined : `${check.lintWarnings} lint warning${check.lintWarnings === 1 ? '' : 's'}`,
        check.flakyTests === undefined || check.flakyTests.length === 0 ? undefined : `flipped: ${check.flakyTests.map((name) => flattenUntrustedText(name, 80)).join(', ')}`,
        check.attempts > 1 ? 'run twice' : undefined,
      ].filter((detail) => detail !== undefined);
      lines.push(`  ${check.name}: ${check.status.replace('_', ' ')}${details.length === 0 ? '' : ` (${details.join('; ')})`}`);
    }
  }
  if (explanation.securityFlags.length > 0) {
    lines.push('', 'Security findings:');
    for (const finding of explanation.securityFlags) {
      lines.push(`  ${finding.severity} ${finding.rule} in ${flattenUntrustedText(finding.file, 120)}${finding.line === undefined ? '' : `:${finding.line}`}: ${flattenUntrustedText(finding.message, 160)}`);
    }
  }
  lines.push('', 'How the score is computed: docs/quality-score.md');
  return `${lines.join('\n')}\n`;
}
