import { describe, expect, it } from 'vitest';
import { isRelated, matchAcceptanceEvidence, significantWords } from './acceptance-evidence.js';

describe('matchAcceptanceEvidence', () => {
  it('ties each criterion to the plan steps, changes and tests that share its words', () => {
    const evidence = matchAcceptanceEvidence({
      criteria: ['subtract returns the difference of two numbers', 'Division by zero throws a RangeError', 'Docs mention it'],
      planSteps: ['Write subtract in src/subtract.js', 'Guard division against zero'],
      changes: ['Add subtract helper returning a - b', 'Throw RangeError when dividing by zero'],
      tests: [{ name: 'subtract returns the difference' }, { name: 'divide throws RangeError on zero' }, { name: 'adds' }],
      testName: (test) => test.name,
    });
    expect(evidence.map((entry) => [entry.criterion, entry.planSteps, entry.changes, entry.tests.map((test) => test.name)])).toEqual([
      ['subtract returns the difference of two numbers', [], ['Add subtract helper returning a - b'], ['subtract returns the difference']],
      ['Division by zero throws a RangeError', ['Guard division against zero'], ['Throw RangeError when dividing by zero'], ['divide throws RangeError on zero']],
      ['Docs mention it', [], [], []],
    ]);
  });

  it('reduces words to stems, splits identifiers and drops stop words', () => {
    expect([...significantWords('testUserLogin_returnsToken when the users log-in')]).toEqual(['user', 'login', 'return', 'token', 'log']);
    expect([...significantWords('processes passes classes studies')]).toEqual(['process', 'pass', 'class', 'study']);
    expect(isRelated(significantWords('Logout'), significantWords('logs out'))).toBe(false);
    expect(isRelated(significantWords('Logout'), significantWords('test logout'))).toBe(true);
    expect(isRelated(new Set(), significantWords('anything'))).toBe(false);
  });
});
