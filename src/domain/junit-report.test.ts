import { describe, expect, it } from 'vitest';
import { MIXED_NODE_TEST_FILE, runNodeTestReporter } from '../testing/node-test-report.js';
import { parseJunitReport } from './junit-report.js';
import { countTests, testDisplayName, type TestReport } from './test-report.js';

function parsed(text: string): TestReport {
  const result = parseJunitReport(text);
  if (!result.ok) throw new Error(result.problem);
  return result.value;
}

describe('parseJunitReport', () => {
  it('reads the real report of node --test --test-reporter=junit', () => {
    const { report, exitCode } = runNodeTestReporter('junit', { 'mixed.test.mjs': MIXED_NODE_TEST_FILE });
    expect(exitCode).toBe(1);
    const { tests } = parsed(report);
    expect(tests.map((test) => [testDisplayName(test), test.status])).toEqual([
      ['math <ops> & &quot;quotes&quot; › adds # numbers', 'passed'],
      ['math <ops> & &quot;quotes&quot; › subtracts wrongly', 'failed'],
      ['math <ops> & &quot;quotes&quot; › skipped one', 'skipped'],
      ['math <ops> & &quot;quotes&quot; › todo one', 'skipped'],
      ['math <ops> & &quot;quotes&quot; › nested › goes deep', 'passed'],
      ['top level passes', 'passed'],
      ['parent test › child a', 'passed'],
      ['parent test › child b', 'failed'],
    ]);
    expect(countTests(tests)).toEqual({ passed: 4, failed: 2, skipped: 2, total: 8 });
    expect(tests[1]?.message).toBe('Expected values to be strictly equal:2 !== 3');
    expect(tests[7]?.message).toBe('boom');
    expect(tests[0]?.durationMilliseconds).toBeGreaterThanOrEqual(0);
    expect(tests[0]?.classname).toBeUndefined();
  });

  it('reads pytest and Surefire shapes: classnames, errors, CDATA bodies, namespaces and entities', () => {
    const report = `<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE testsuites>
<testsuites>
  <testsuite name="pytest" errors="1" failures="1" skipped="1" tests="4" time="0.05">
    <testcase classname="tests.test_auth" name="test_login_returns_token" time="0.001"/>
    <testcase classname="tests.test_auth" name="test_logout&#x20;&#233;" time="0.002">
      <failure message="AssertionError: assert 401 == 200">def test_logout(): ...</failure>
      <system-out><![CDATA[printed <stuff> & more]]></system-out>
    </testcase>
    <testcase classname="tests.test_auth" name="test_refresh">
      <error><![CDATA[Traceback (most recent call last):
  File "x.py", line 1]]></error>
    </testcase>
    <testcase classname='tests.test_auth' name='test_skip'><skipped message="not on CI"/></testcase>
    <!-- <testcase name="commented out"/> -->
  </testsuite>
  <x:testsuite name="empty" xmlns:x="urn:x"/>
</testsuites>`;
    const { tests } = parsed(report);
    expect(tests).toEqual([
      { name: 'test_login_returns_token', suite: 'pytest', classname: 'tests.test_auth', status: 'passed', durationMilliseconds: 1 },
      { name: 'test_logout é', suite: 'pytest', classname: 'tests.test_auth', status: 'failed', durationMilliseconds: 2, message: 'AssertionError: assert 401 == 200' },
      { name: 'test_refresh', suite: 'pytest', classname: 'tests.test_auth', status: 'failed', message: 'Traceback (most recent call last):' },
      { name: 'test_skip', suite: 'pytest', classname: 'tests.test_auth', status: 'skipped' },
    ]);
  });

  it('reads a bare testsuite, and a testcase outside any suite', () => {
    expect(parsed('<testsuite name="s"><testcase name="a"/></testsuite>').tests).toEqual([{ name: 'a', suite: 's', status: 'passed' }]);
    expect(parsed('<testcase name="alone"></testcase>').tests).toEqual([{ name: 'alone', status: 'passed' }]);
    expect(parsed('<testsuites/>').tests).toEqual([]);
  });

  it('explains reports it cannot read instead of throwing', () => {
    const problem = (text: string) => {
      const result = parseJunitReport(text);
      return result.ok ? undefined : result.problem;
    };
    expect(problem('<testsuites><testsuite name="s"><testcase name="a">')).toMatch(/still open \(was it cut short\?\)/);
    expect(problem('<testsuites></testsuite>')).toMatch(/closes <testsuite> where <testsuites> is open/);
    expect(problem('<html><body>not a report</body></html>')).toMatch(/not a JUnit report/);
    expect(problem('<testsuites><!-- never closed')).toMatch(/unterminated comment/);
    expect(problem('<testsuites <')).toMatch(/malformed/);
    expect(problem('')).toMatch(/not a JUnit report/);
  });
});
