import { describe, expect, it } from 'vitest';
import { detectReportFormat, parseCheckReport } from './check-report.js';

describe('parseCheckReport', () => {
  it('guesses the format from the content with auto', () => {
    expect(detectReportFormat('\uFEFF<?xml version="1.0"?><testsuites/>')).toBe('junit');
    expect(detectReportFormat('TAP version 13\nok 1 - a\n')).toBe('tap');
    expect(detectReportFormat('# comment\n1..2\nok 1\nok 2\n')).toBe('tap');
    expect(detectReportFormat('{"total": {}}')).toBe('coverage-json');
    expect(detectReportFormat('[{"warningCount": 0}]')).toBe('eslint-json');
    expect(detectReportFormat('PASS all good')).toBeUndefined();
  });

  it('reads each kind of report into tests, coverage or lint warnings', () => {
    expect(parseCheckReport('<testsuite name="s"><testcase name="a"/></testsuite>', 'auto')).toEqual({ ok: true, value: { kind: 'tests', tests: { format: 'junit', tests: [{ name: 'a', suite: 's', status: 'passed' }] } } });
    expect(parseCheckReport('ok 1 - a', 'tap')).toEqual({ ok: true, value: { kind: 'tests', tests: { format: 'tap', tests: [{ name: 'a', status: 'passed' }] } } });
    expect(parseCheckReport('{"total": {"lines": {"pct": 50}}}', 'coverage-json')).toEqual({ ok: true, value: { kind: 'coverage', coverage: { total: { lines: 50 }, files: [] } } });
    expect(parseCheckReport('[{"warningCount": 4}]', 'auto')).toEqual({ ok: true, value: { kind: 'lint', warnings: 4 } });
  });

  it('says when the content is not the format named, or no format at all', () => {
    expect(parseCheckReport('ok 1 - a', 'junit')).toEqual({ ok: false, problem: expect.stringMatching(/not a JUnit report/) });
    expect(parseCheckReport('PASS all good', 'auto')).toEqual({ ok: false, problem: expect.stringMatching(/name its format/) });
  });
});
