import { judgeCheck, shouldRerunCheck, type CheckAttempt } from '../domain/check-outcome.js';
import { MAXIMUM_REPORT_BYTES, parseCheckReport } from '../domain/check-report.js';
import { countTests } from '../domain/test-report.js';
import type { GateResultRecord } from '../ports/store.js';
import type { GateCommandSettings, PipelineDependencies } from './pipeline-dependencies.js';
import type { TicketLog } from './ticket-log.js';

/**
 * Runs the repository's configured checks, one after the other, in an MR's worktree
 * (already verified to hold exactly the MR's commit): each with the gate timeout,
 * its report read when it writes one, a failed check run once more when configured,
 * and a pass on that re-run recorded as flaky. Returns one result per check, stamped
 * with the commit they ran on.
 */
export async function runGateChecks(
  dependencies: Pick<PipelineDependencies, 'workspace' | 'commandRunner' | 'clock' | 'settings'>,
  request: { worktreePath: string; commit: string; changedPaths: readonly string[]; log: TicketLog },
): Promise<GateResultRecord[]> {
  const { clock, settings } = dependencies;
  const { log } = request;
  const results: GateResultRecord[] = [];
  for (const gate of settings.gateCommands) {
    log.write({ type: 'gate-start', gate: gate.name, command: gate.command, commit: request.commit, at: clock.now().toISOString() });
    const first = await runAttempt(dependencies, gate, request.worktreePath);
    let rerun: CheckAttempt | undefined;
    if (shouldRerunCheck(first, settings.rerunFailedGates)) {
      log.write({ type: 'gate-rerun', gate: gate.name, exitCode: first.exitCode, ...testCountsOf(first), at: clock.now().toISOString() });
      rerun = await runAttempt(dependencies, gate, request.worktreePath);
    }
    const { status, details } = judgeCheck({ name: gate.name, first, ...(rerun === undefined ? {} : { rerun }), changedPaths: request.changedPaths });
    const durationMilliseconds = first.durationMilliseconds + (rerun?.durationMilliseconds ?? 0);
    results.push({
      name: gate.name,
      command: gate.command,
      status,
      durationMilliseconds,
      outputTail: (rerun ?? first).outputTail,
      commit: request.commit,
      createdAt: clock.now().toISOString(),
      ...details,
    });
    log.write({
      type: 'gate-end',
      gate: gate.name,
      status,
      durationMilliseconds,
      ...(details.tests === undefined ? {} : { tests: details.tests.counts }),
      ...(details.flakyTests === undefined ? {} : { flakyTests: details.flakyTests }),
      ...(details.reportProblem === undefined ? {} : { reportProblem: details.reportProblem }),
      at: clock.now().toISOString(),
    });
  }
  return results;
}

/**
 * One run of a check. A configured report is deleted first, so a report left by an
 * earlier run (or committed by the agent) is never mistaken for this run's.
 */
async function runAttempt(
  dependencies: Pick<PipelineDependencies, 'workspace' | 'commandRunner' | 'settings'>,
  gate: GateCommandSettings,
  worktreePath: string,
): Promise<CheckAttempt> {
  const { workspace, commandRunner, settings } = dependencies;
  let staleReportProblem: string | undefined;
  if (gate.reportPath !== undefined) {
    const removal = await workspace.removeFile(worktreePath, gate.reportPath);
    if (removal.status === 'refused') staleReportProblem = `the report path ${gate.reportPath} is refused: ${removal.reason}`;
  }
  const outcome = await commandRunner.run({ command: gate.command, cwd: worktreePath, timeoutMilliseconds: settings.gateTimeoutMinutes * 60_000 });
  const attempt: CheckAttempt = {
    exitCode: outcome.exitCode,
    timedOut: outcome.timedOut,
    durationMilliseconds: outcome.durationMilliseconds,
    outputTail: outcome.outputTail,
  };
  if (gate.reportPath === undefined || outcome.timedOut) return attempt;
  if (staleReportProblem !== undefined) return { ...attempt, reportProblem: staleReportProblem };
  const read = await workspace.readFile(worktreePath, gate.reportPath, { maximumBytes: MAXIMUM_REPORT_BYTES });
  if (read.status === 'missing') return { ...attempt, reportProblem: `${gate.reportPath} was not written` };
  if (read.status === 'refused') return { ...attempt, reportProblem: read.reason };
  const parsed = parseCheckReport(read.text, gate.reportFormat ?? 'auto');
  return parsed.ok ? { ...attempt, report: parsed.value } : { ...attempt, reportProblem: `${gate.reportPath}: ${parsed.problem}` };
}

function testCountsOf(attempt: CheckAttempt): { tests?: ReturnType<typeof countTests> } {
  return attempt.report?.kind === 'tests' ? { tests: countTests(attempt.report.tests.tests) } : {};
}
