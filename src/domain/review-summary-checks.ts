import type { CheckResultDetails, CheckStatus } from './check-outcome.js';
import { COVERAGE_METRICS, type CoveragePercentages } from './coverage-summary.js';
import { escapeMarkdownText, formatDuration, formatPercentage, markdownCodeSpan } from './markdown-text.js';
import { testDisplayName, type TestCaseResult } from './test-report.js';

/**
 * The checks part of the review summary: one table row per configured check with its
 * status (flaky marked as such), per-test counts, lint warnings or coverage, and
 * below it what a reviewer must look at — the failed tests with their messages, the
 * tests that flipped between the two runs of a flaky check, and reports that could
 * not be read.
 */

/** A check as the summary shows it: the gate result, with whatever details the gates found. */
export interface ReviewCheck extends Partial<CheckResultDetails> {
  name: string;
  status: CheckStatus;
  durationMilliseconds: number;
}

export const CHECK_STATUS_LABELS: Record<CheckStatus, string> = {
  passed: '✅ passed',
  failed: '❌ failed',
  timed_out: '⏱️ timed out',
  skipped: '⏭️ skipped',
  flaky: '⚠️ flaky',
};

/** Failed tests named per check before the rest are only counted. */
const FAILED_TESTS_SHOWN = 10;

/** `2/3 checks passed, 1 flaky`, or `no checks configured`. */
export function checksHeadline(checks: readonly Pick<ReviewCheck, 'status'>[]): string {
  if (checks.length === 0) return 'no checks configured';
  const passed = checks.filter((check) => check.status === 'passed').length;
  const flaky = checks.filter((check) => check.status === 'flaky').length;
  return `${passed}/${checks.length} checks passed${flaky === 0 ? '' : `, ${flaky} flaky`}`;
}

export function renderChecksSection(checks: readonly ReviewCheck[]): string {
  if (checks.length === 0) return '### Checks\n\nNo checks are configured for this repository.';
  const rows = checks.map(
    (check) => `| ${escapeMarkdownText(check.name)} | ${statusLabel(check)} | ${resultsCell(check)} | ${formatDuration(check.durationMilliseconds)} |`,
  );
  const notes = checks.flatMap(checkNotes);
  const table = ['### Checks', '', '| Check | Status | Results | Duration |', '|---|---|---|---|', ...rows].join('\n');
  return notes.length === 0 ? table : `${table}\n\n${notes.join('\n')}`;
}

/**
 * Every test the checks reported, for matching tests to acceptance criteria; a test
 * two checks ran (e.g. a JUnit and a TAP run of the same suite) is listed once, failed
 * or flaky if it was either in any of them.
 */
export function reportedTests(checks: readonly ReviewCheck[]): TestCaseResult[] {
  const byName = new Map<string, TestCaseResult>();
  for (const test of checks.flatMap((check) => check.tests?.cases ?? [])) {
    const name = testDisplayName(test);
    const seen = byName.get(name);
    if (seen === undefined || severity(test) > severity(seen)) byName.set(name, test);
  }
  return [...byName.values()];
}

function severity(test: TestCaseResult): number {
  return test.status === 'failed' ? 3 : test.flaky === true ? 2 : test.status === 'passed' ? 1 : 0;
}

function statusLabel(check: ReviewCheck): string {
  if (check.status === 'flaky') return `${CHECK_STATUS_LABELS.flaky} (passed only on re-run)`;
  if (check.status === 'failed' && check.attempts === 2) return `${CHECK_STATUS_LABELS.failed} (twice)`;
  return CHECK_STATUS_LABELS[check.status];
}

function resultsCell(check: ReviewCheck): string {
  const parts: string[] = [];
  if (check.tests !== undefined) {
    const { passed, failed, skipped } = check.tests.counts;
    parts.push(`${passed} passed · ${failed} failed · ${skipped} skipped`);
    if (check.flakyTests !== undefined && check.flakyTests.length > 0) parts.push(`${check.flakyTests.length} flaky`);
  }
  if (check.lintWarnings !== undefined) parts.push(`${check.lintWarnings} warning${check.lintWarnings === 1 ? '' : 's'}`);
  if (check.coverage !== undefined) parts.push(coverageText(check.coverage.total));
  if (parts.length === 0 && check.exitCode !== undefined && check.exitCode !== null && check.exitCode !== 0) parts.push(`exit code ${check.exitCode}`);
  return parts.length === 0 ? '—' : parts.join(' · ');
}

function checkNotes(check: ReviewCheck): string[] {
  const name = `**${escapeMarkdownText(check.name)}**`;
  const notes: string[] = [];
  if (check.status === 'flaky') {
    const flipped = check.flakyTests ?? [];
    notes.push(
      flipped.length === 0
        ? `- ⚠️ ${name} is flaky: it failed, then passed when run again (no per-test report says which tests flipped).`
        : `- ⚠️ ${name} is flaky: it failed, then passed when run again. Tests that flipped: ${flipped.map(markdownCodeSpan).join(', ')}.`,
    );
  }
  const failed = (check.tests?.cases ?? []).filter((test) => test.status === 'failed');
  if (failed.length > 0) {
    const shown = failed.slice(0, FAILED_TESTS_SHOWN).map((test) => `  - ${markdownCodeSpan(testDisplayName(test))}${test.message === undefined ? '' : ` — ${escapeMarkdownText(test.message)}`}`);
    const more = check.tests === undefined ? 0 : check.tests.counts.failed - shown.length;
    notes.push(`- ❌ ${name}: failed tests`, ...shown, ...(more > 0 ? [`  - and ${more} more`] : []));
  }
  if (check.tests?.bailedOut === true) notes.push(`- ${name}: the test run bailed out early, so not every test ran.`);
  if (check.reportProblem !== undefined) notes.push(`- ${name}: its report could not be used (${escapeMarkdownText(check.reportProblem)}), so its result comes from the exit code.`);
  const changed = check.coverage?.changedFiles ?? [];
  if (changed.length > 0) notes.push(`- ${name}: coverage of the changed files: ${changed.map((file) => `${markdownCodeSpan(file.path)} ${coverageText(file.coverage)}`).join(', ')}.`);
  return notes;
}

function coverageText(coverage: CoveragePercentages): string {
  const parts = COVERAGE_METRICS.flatMap((metric) => (coverage[metric] === undefined ? [] : [`${metric} ${formatPercentage(coverage[metric])}`]));
  return parts.length === 0 ? 'coverage unknown' : parts.join(', ');
}
