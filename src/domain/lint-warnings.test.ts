import { describe, expect, it } from 'vitest';
import { countLintWarnings, isLintCheckName, parseEslintJsonReport } from './lint-warnings.js';

describe('countLintWarnings', () => {
  it('reads the summaries ESLint, stylelint and Biome print', () => {
    const eslint = ['/repo/src/a.js', '  1:7  warning  \'x\' is assigned a value but never used  no-unused-vars', '  2:1  error    Unexpected console statement  no-console', '', '✖ 4 problems (1 error, 3 warnings)', ''].join('\n');
    expect(countLintWarnings(eslint)).toBe(3);
    expect(countLintWarnings('✖ 1 problem (0 errors, 1 warning)\n  0 errors and 1 warning potentially fixable')).toBe(1);
    expect(countLintWarnings('Checked 12 files in 3ms. No fixes applied.\nFound 2 warnings.')).toBe(2);
  });

  it('counts warning lines of line-per-problem formats, and nothing in clean output', () => {
    expect(countLintWarnings('src/a.js:1:7: warning no-unused-vars\nsrc/b.js:3:1: Warning: prefer-const\nsrc/c.js:9:9: error eqeqeq')).toBe(2);
    expect(countLintWarnings('')).toBe(0);
    expect(countLintWarnings('All checks passed!\n(node:1) ExperimentalWarning: VM modules\nno warnings')).toBe(0);
  });

  it('reads ESLint JSON reports and names the lint checks', () => {
    expect(parseEslintJsonReport(JSON.stringify([{ filePath: '/a.js', warningCount: 2, errorCount: 0 }, { filePath: '/b.js', warningCount: 1, errorCount: 1 }]))).toEqual({ ok: true, value: 3 });
    expect(parseEslintJsonReport('[{"filePath": "/a.js"}]')).toEqual({ ok: false, problem: expect.stringMatching(/warningCount/) });
    expect(parseEslintJsonReport('nope')).toEqual({ ok: false, problem: expect.stringMatching(/not JSON/) });
    expect(['lint', 'eslint', 'lint-css', 'test', 'typecheck'].filter(isLintCheckName)).toEqual(['lint', 'eslint', 'lint-css']);
  });
});
