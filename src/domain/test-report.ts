/**
 * Per-test results of a check, whatever report format they came from (JUnit XML,
 * TAP), so the gates can say which tests passed, failed, were skipped or proved
 * flaky, and the review summary can show the tests behind each acceptance criterion.
 */

export type TestCaseStatus = 'passed' | 'failed' | 'skipped';

/** One test as a report names it. */
export interface TestCaseResult {
  /** The test's own name (a JUnit `testcase` name, a TAP description). */
  name: string;
  /** The enclosing suites, outermost first, joined with ` › ` (JUnit `testsuite`s, TAP subtests). */
  suite?: string;
  /** JUnit's `classname`, when it says more than the suite (e.g. `tests.test_auth`). */
  classname?: string;
  status: TestCaseStatus;
  durationMilliseconds?: number;
  /** The first line of the failure message, for failed tests; cut to {@link MAXIMUM_MESSAGE_LENGTH}. */
  message?: string;
  /** Failed on the first run and passed on the re-run. */
  flaky?: true;
}

export interface TestCounts {
  passed: number;
  failed: number;
  skipped: number;
  total: number;
}

/** What a test report says, once parsed. */
export interface TestReport {
  format: 'junit' | 'tap';
  tests: TestCaseResult[];
  /** TAP's `Bail out!`: the run stopped early, so the tests listed are not all there were. */
  bailedOut?: boolean;
}

/** A report that could not be read is an expected failure: the check falls back to its exit code. */
export type ReportParse<T> = { ok: true; value: T } | { ok: false; problem: string };

/** Failure messages are kept short: they go into the store and the MR description. */
export const MAXIMUM_MESSAGE_LENGTH = 300;

/** The separator of suite names in {@link TestCaseResult.suite} and in display names. */
export const SUITE_SEPARATOR = ' › ';

export function countTests(tests: readonly Pick<TestCaseResult, 'status'>[]): TestCounts {
  const counts = { passed: 0, failed: 0, skipped: 0, total: tests.length };
  for (const test of tests) counts[test.status] += 1;
  return counts;
}

/** The name people read: the suites, then the test. */
export function testDisplayName(test: Pick<TestCaseResult, 'name' | 'suite'>): string {
  return test.suite === undefined || test.suite === '' ? test.name : `${test.suite}${SUITE_SEPARATOR}${test.name}`;
}

/** What identifies the same test in two runs of a check (first run and re-run). */
export function testIdentity(test: Pick<TestCaseResult, 'name' | 'suite' | 'classname'>): string {
  return JSON.stringify([test.classname ?? '', test.suite ?? '', test.name]);
}

/** One line, without control characters, at most {@link MAXIMUM_MESSAGE_LENGTH} characters. */
export function shortMessage(text: string): string | undefined {
  const line = text
    .split(/\r?\n/)
    .map((part) => part.replace(/[\u0000-\u001f\u007f]/g, ' ').trim())
    .find((part) => part !== '');
  if (line === undefined) return undefined;
  return line.length > MAXIMUM_MESSAGE_LENGTH ? `${line.slice(0, MAXIMUM_MESSAGE_LENGTH - 1)}…` : line;
}
