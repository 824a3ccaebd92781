import type { CheckReport } from './check-report.js';
import { coverageOfChangedFiles, type CoveragePercentages } from './coverage-summary.js';
import { countLintWarnings, isLintCheckName } from './lint-warnings.js';
import { countTests, testDisplayName, testIdentity, type TestCaseResult, type TestCounts } from './test-report.js';

/**
 * How one configured check of the gates ended, decided from what its run(s) left:
 * the exit code, the timeout, and the report it wrote. A check that failed and then
 * passed when run again is **flaky** — reported as such, never as a pass, because a
 * reviewer cannot trust a green result that was red a minute earlier.
 */

/** `flaky`: failed, then passed on the re-run. `skipped`: not run (e.g. the gates refused the worktree). */
export type CheckStatus = 'passed' | 'failed' | 'timed_out' | 'skipped' | 'flaky';

/** At most this many test cases are stored per check; failed and flaky ones are kept first. */
export const MAXIMUM_STORED_TEST_CASES = 500;

/** What one run of a check command left behind. */
export interface CheckAttempt {
  exitCode: number | null;
  timedOut: boolean;
  durationMilliseconds: number;
  outputTail: string;
  /** The parsed report, when one is configured and could be read. */
  report?: CheckReport;
  /** Why a configured report could not be used (missing, unreadable, not the format). */
  reportProblem?: string;
}

/** Per-test results as stored with the check. */
export interface CheckTestResults {
  counts: TestCounts;
  /** Up to {@link MAXIMUM_STORED_TEST_CASES} cases, failed and flaky ones first, in report order. */
  cases: TestCaseResult[];
  /** Some passed or skipped cases were left out to stay within the limit. */
  truncated?: true;
  /** The run stopped early (TAP `Bail out!`). */
  bailedOut?: true;
}

export interface CheckCoverage {
  total: CoveragePercentages;
  /** The MR's changed files the coverage report knows. */
  changedFiles: { path: string; coverage: CoveragePercentages }[];
}

/** Everything the gates learned about a check beyond its status; stored with the gate result. */
export interface CheckResultDetails {
  /** 1, or 2 when a failed check was run again. */
  attempts: number;
  /** The exit code of the last run; null when it was killed (timeout) or could not start. */
  exitCode: number | null;
  tests?: CheckTestResults;
  /** Display names of the tests that failed on the first run and passed on the re-run. */
  flakyTests?: string[];
  coverage?: CheckCoverage;
  /** Warnings a lint check reported (from its report, else its output). */
  lintWarnings?: number;
  reportProblem?: string;
  /** The failed first run of a re-run check, so the reviewer sees what went wrong once. */
  firstAttempt?: { exitCode: number | null; durationMilliseconds: number; outputTail: string; failedTests: string[] };
}

/** The status one run earns: the report's failures count even when the command exits 0. */
export function attemptStatus(attempt: Pick<CheckAttempt, 'exitCode' | 'timedOut' | 'report'>): 'passed' | 'failed' | 'timed_out' {
  if (attempt.timedOut) return 'timed_out';
  if (attempt.exitCode !== 0) return 'failed';
  const report = attempt.report;
  if (report?.kind === 'tests' && (report.tests.bailedOut === true || report.tests.tests.some((test) => test.status === 'failed'))) return 'failed';
  return 'passed';
}

/** Only a plain failure is re-run: a timeout would double the wait for the same answer. */
export function shouldRerunCheck(attempt: Pick<CheckAttempt, 'exitCode' | 'timedOut' | 'report'>, rerunFailed: boolean): boolean {
  return rerunFailed && attemptStatus(attempt) === 'failed';
}

/**
 * The check's status and details from its first run and, when there was one, its
 * re-run. `changedPaths` (the MR's files) select the coverage worth showing.
 */
export function judgeCheck(input: { name: string; first: CheckAttempt; rerun?: CheckAttempt; changedPaths: readonly string[] }): { status: CheckStatus; details: CheckResultDetails } {
  const { first, rerun } = input;
  const last = rerun ?? first;
  const lastStatus = attemptStatus(last);
  const status: CheckStatus = rerun !== undefined && attemptStatus(first) === 'failed' && lastStatus === 'passed' ? 'flaky' : lastStatus;
  const details: CheckResultDetails = { attempts: rerun === undefined ? 1 : 2, exitCode: last.exitCode };

  const firstFailed = failedTests(first);
  const flakyIdentities = new Set<string>();
  if (status === 'flaky' && last.report?.kind === 'tests') {
    const failedBefore = new Set(firstFailed.map(testIdentity));
    for (const test of last.report.tests.tests) if (test.status === 'passed' && failedBefore.has(testIdentity(test))) flakyIdentities.add(testIdentity(test));
  }
  if (last.report?.kind === 'tests') details.tests = storedTests(last.report.tests.tests, flakyIdentities, last.report.tests.bailedOut === true);
  if (flakyIdentities.size > 0 && details.tests !== undefined) {
    details.flakyTests = firstFailed.filter((test) => flakyIdentities.has(testIdentity(test))).map(testDisplayName);
  }
  if (last.report?.kind === 'coverage') {
    details.coverage = { total: last.report.coverage.total, changedFiles: coverageOfChangedFiles(last.report.coverage, input.changedPaths) };
  }
  if (last.report?.kind === 'lint') details.lintWarnings = last.report.warnings;
  else if (isLintCheckName(input.name) && lastStatus !== 'timed_out' && last.exitCode !== null) details.lintWarnings = countLintWarnings(last.outputTail);
  const problem = last.reportProblem ?? (rerun === undefined ? undefined : first.reportProblem);
  if (problem !== undefined) details.reportProblem = problem;
  if (rerun !== undefined) {
    details.firstAttempt = {
      exitCode: first.exitCode,
      durationMilliseconds: first.durationMilliseconds,
      outputTail: first.outputTail,
      failedTests: firstFailed.map(testDisplayName),
    };
  }
  return { status, details };
}

function failedTests(attempt: CheckAttempt): TestCaseResult[] {
  return attempt.report?.kind === 'tests' ? attempt.report.tests.tests.filter((test) => test.status === 'failed') : [];
}

function storedTests(tests: readonly TestCaseResult[], flaky: ReadonlySet<string>, bailedOut: boolean): CheckTestResults {
  const marked = tests.map((test): TestCaseResult => (flaky.has(testIdentity(test)) ? { ...test, flaky: true } : test));
  const rank = (test: TestCaseResult): number => (test.status === 'failed' || test.flaky === true ? 0 : test.status === 'skipped' ? 1 : 2);
  const kept = marked
    .map((test, index) => ({ test, index }))
    .sort((left, right) => rank(left.test) - rank(right.test) || left.index - right.index)
    .slice(0, MAXIMUM_STORED_TEST_CASES)
    .sort((left, right) => left.index - right.index)
    .map(({ test }) => test);
  return {
    counts: countTests(tests),
    cases: kept,
    ...(kept.length < tests.length ? { truncated: true as const } : {}),
    ...(bailedOut ? { bailedOut: true as const } : {}),
  };
}
