import { describe, expect, it } from 'vitest';
import { MIXED_NODE_TEST_FILE, runNodeTestReporter } from '../testing/node-test-report.js';
import { parseTapReport } from './tap-report.js';
import { countTests, testDisplayName, type TestReport } from './test-report.js';

function parsed(text: string): TestReport {
  const result = parseTapReport(text);
  if (!result.ok) throw new Error(result.problem);
  return result.value;
}

describe('parseTapReport', () => {
  it('reads the real report of node --test --test-reporter=tap, the same tests as its JUnit report', () => {
    const { report, exitCode } = runNodeTestReporter('tap', { 'mixed.test.mjs': MIXED_NODE_TEST_FILE });
    expect(exitCode).toBe(1);
    const { tests, bailedOut } = parsed(report);
    expect(tests.map((test) => [testDisplayName(test), test.status])).toEqual([
      ['math <ops> & "quotes" › adds # numbers', 'passed'],
      ['math <ops> & "quotes" › subtracts wrongly', 'failed'],
      ['math <ops> & "quotes" › skipped one', 'skipped'],
      ['math <ops> & "quotes" › todo one', 'skipped'],
      ['math <ops> & "quotes" › nested › goes deep', 'passed'],
      ['top level passes', 'passed'],
      ['parent test › child a', 'passed'],
      ['parent test › child b', 'failed'],
    ]);
    expect(countTests(tests)).toEqual({ passed: 4, failed: 2, skipped: 2, total: 8 });
    expect(tests[1]?.message).toBe('Expected values to be strictly equal: 2 !== 3');
    expect(tests[7]?.message).toBe('boom');
    expect(tests[0]?.durationMilliseconds).toBeGreaterThan(0);
    expect(bailedOut).toBeUndefined();
  });

  it('reads flat TAP with directives, escapes, numbers left out and descriptions missing', () => {
    const { tests } = parsed(
      [
        'TAP version 14',
        '1..6',
        'ok 1 - parses dates',
        'not ok 2 parses times # TODO not yet',
        'ok 3 - a \\# b \\\\ c # skip no network',
        'not ok 4 - rejects bad input',
        '  ---',
        '  message: "expected an error"',
        '  severity: fail',
        '  ...',
        'ok',
        'ok 6 - # SKIP',
      ].join('\n'),
    );
    expect(tests).toEqual([
      { name: 'parses dates', status: 'passed' },
      { name: 'parses times', status: 'skipped' },
      { name: 'a # b \\ c', status: 'skipped' },
      { name: 'rejects bad input', status: 'failed', message: 'expected an error' },
      { name: 'test ?', status: 'passed' },
      { name: 'test 6', status: 'skipped' },
    ]);
  });

  it('counts a suite that failed without a failing test as a failure, and notes a bail-out', () => {
    const report = parsed(['# Subtest: setup fails', '    ok 1 - first', '    1..1', 'not ok 1 - setup fails', '  ---', "  error: 'before hook failed'", '  ...', 'Bail out! database down'].join('\r\n'));
    expect(report.tests).toEqual([
      { name: 'first', suite: 'setup fails', status: 'passed' },
      { name: 'setup fails', status: 'failed', message: 'before hook failed' },
    ]);
    expect(report.bailedOut).toBe(true);
  });

  it('reads a plan of no tests, and refuses text that is not TAP', () => {
    expect(parsed('1..0 # SKIP nothing to do').tests).toEqual([]);
    const refused = parseTapReport('PASS src/a.test.js\n  ✓ works (3 ms)\n');
    expect(refused).toEqual({ ok: false, problem: expect.stringMatching(/not a TAP report/) });
  });
});
