import { describe, expect, it } from 'vitest';
import { attemptStatus, judgeCheck, MAXIMUM_STORED_TEST_CASES, shouldRerunCheck, type CheckAttempt } from './check-outcome.js';
import type { CheckReport } from './check-report.js';
import type { TestCaseResult } from './test-report.js';

function tests(...cases: TestCaseResult[]): CheckReport {
  return { kind: 'tests', tests: { format: 'junit', tests: cases } };
}

function attempt(overrides: Partial<CheckAttempt> = {}): CheckAttempt {
  return { exitCode: 0, timedOut: false, durationMilliseconds: 100, outputTail: '', ...overrides };
}

describe('attemptStatus and shouldRerunCheck', () => {
  it('fails on a non-zero exit, on failed tests in the report even with exit 0, and on a bail-out', () => {
    expect(attemptStatus(attempt())).toBe('passed');
    expect(attemptStatus(attempt({ exitCode: 1 }))).toBe('failed');
    expect(attemptStatus(attempt({ exitCode: null }))).toBe('failed');
    expect(attemptStatus(attempt({ timedOut: true, exitCode: null }))).toBe('timed_out');
    expect(attemptStatus(attempt({ report: tests({ name: 'a', status: 'failed' }) }))).toBe('failed');
    expect(attemptStatus(attempt({ report: { kind: 'tests', tests: { format: 'tap', tests: [], bailedOut: true } } }))).toBe('failed');
    expect(attemptStatus(attempt({ report: tests({ name: 'a', status: 'skipped' }) }))).toBe('passed');
  });

  it('re-runs plain failures only, and only when configured to', () => {
    expect(shouldRerunCheck(attempt({ exitCode: 1 }), true)).toBe(true);
    expect(shouldRerunCheck(attempt({ exitCode: 1 }), false)).toBe(false);
    expect(shouldRerunCheck(attempt({ timedOut: true, exitCode: null }), true)).toBe(false);
    expect(shouldRerunCheck(attempt(), true)).toBe(false);
  });
});

describe('judgeCheck', () => {
  it('reports a pass on re-run as flaky, naming the tests that flipped and keeping the first failure', () => {
    const first = attempt({ exitCode: 1, outputTail: 'not ok 2 - divides', report: tests({ name: 'adds', status: 'passed' }, { name: 'divides', suite: 'math', status: 'failed', message: 'boom' }) });
    const rerun = attempt({ report: tests({ name: 'adds', status: 'passed' }, { name: 'divides', suite: 'math', status: 'passed' }) });
    const { status, details } = judgeCheck({ name: 'test', first, rerun, changedPaths: [] });
    expect(status).toBe('flaky');
    expect(details).toEqual({
      attempts: 2,
      exitCode: 0,
      tests: {
        counts: { passed: 2, failed: 0, skipped: 0, total: 2 },
        cases: [
          { name: 'adds', status: 'passed' },
          { name: 'divides', suite: 'math', status: 'passed', flaky: true },
        ],
      },
      flakyTests: ['math › divides'],
      firstAttempt: { exitCode: 1, durationMilliseconds: 100, outputTail: 'not ok 2 - divides', failedTests: ['math › divides'] },
    });
  });

  it('reports a check that failed twice as failed, and a flaky check without a report as flaky without names', () => {
    expect(judgeCheck({ name: 'test', first: attempt({ exitCode: 1 }), rerun: attempt({ exitCode: 1 }), changedPaths: [] }).status).toBe('failed');
    const withoutReport = judgeCheck({ name: 'test', first: attempt({ exitCode: 1 }), rerun: attempt(), changedPaths: [] });
    expect(withoutReport.status).toBe('flaky');
    expect(withoutReport.details.flakyTests).toBeUndefined();
    expect(judgeCheck({ name: 'test', first: attempt({ exitCode: 1 }), rerun: attempt({ timedOut: true, exitCode: null }), changedPaths: [] }).status).toBe('timed_out');
  });

  it('counts lint warnings from a lint report or a lint check’s output, never from another check', () => {
    expect(judgeCheck({ name: 'lint', first: attempt({ outputTail: '✖ 2 problems (0 errors, 2 warnings)' }), changedPaths: [] }).details.lintWarnings).toBe(2);
    expect(judgeCheck({ name: 'eslint', first: attempt({ report: { kind: 'lint', warnings: 5 } }), changedPaths: [] }).details.lintWarnings).toBe(5);
    expect(judgeCheck({ name: 'test', first: attempt({ outputTail: '3 warnings' }), changedPaths: [] }).details.lintWarnings).toBeUndefined();
    expect(judgeCheck({ name: 'lint', first: attempt({ timedOut: true, exitCode: null }), changedPaths: [] }).details.lintWarnings).toBeUndefined();
  });

  it('keeps coverage of the changed files, and a report problem with the exit code', () => {
    const coverage: CheckReport = { kind: 'coverage', coverage: { total: { lines: 80 }, files: [{ path: '/w/src/a.js', coverage: { lines: 50 } }] } };
    expect(judgeCheck({ name: 'coverage', first: attempt({ report: coverage }), changedPaths: ['src/a.js', 'src/b.js'] }).details).toEqual({
      attempts: 1,
      exitCode: 0,
      coverage: { total: { lines: 80 }, changedFiles: [{ path: 'src/a.js', coverage: { lines: 50 } }] },
    });
    expect(judgeCheck({ name: 'test', first: attempt({ exitCode: 3, reportProblem: 'reports/junit.xml was not written' }), changedPaths: [] })).toEqual({
      status: 'failed',
      details: { attempts: 1, exitCode: 3, reportProblem: 'reports/junit.xml was not written' },
    });
  });

  it('stores at most the limit of test cases, failed ones first, in report order', () => {
    const many = Array.from({ length: MAXIMUM_STORED_TEST_CASES + 50 }, (_, index): TestCaseResult => ({ name: `t${index}`, status: index === 520 ? 'failed' : 'passed' }));
    const { details } = judgeCheck({ name: 'test', first: attempt({ exitCode: 1, report: tests(...many) }), changedPaths: [] });
    expect(details.tests?.cases).toHaveLength(MAXIMUM_STORED_TEST_CASES);
    expect(details.tests?.truncated).toBe(true);
    expect(details.tests?.counts).toEqual({ passed: 549, failed: 1, skipped: 0, total: 550 });
    expect(details.tests?.cases.at(-1)).toEqual({ name: 't520', status: 'failed' });
    expect(details.tests?.cases[0]).toEqual({ name: 't0', status: 'passed' });
  });
});
