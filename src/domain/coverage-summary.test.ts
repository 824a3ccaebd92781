import { describe, expect, it } from 'vitest';
import { coverageOfChangedFiles, parseCoverageSummary } from './coverage-summary.js';

/** What istanbul's json-summary reporter writes (nyc, c8, jest, vitest). */
const SUMMARY = JSON.stringify({
  total: {
    lines: { total: 40, covered: 35, skipped: 0, pct: 87.5 },
    statements: { total: 42, covered: 36, skipped: 0, pct: 85.71 },
    functions: { total: 8, covered: 8, skipped: 0, pct: 100 },
    branches: { total: 0, covered: 0, skipped: 0, pct: 'Unknown' },
    branchesTrue: { total: 0, covered: 0, skipped: 0, pct: 'Unknown' },
  },
  '/work/repo/.nightshift/worktrees/MATH-1/src/subtract.js': { lines: { total: 3, covered: 3, skipped: 0, pct: 100 }, functions: { total: 1, covered: 1, skipped: 0, pct: 100 } },
  '/work/repo/.nightshift/worktrees/MATH-1/src/add.js': { lines: { total: 3, covered: 2, skipped: 0, pct: 66.66 } },
});

describe('parseCoverageSummary', () => {
  it('reads the totals and the files, leaving out metrics with nothing to measure', () => {
    const parsed = parseCoverageSummary(SUMMARY);
    expect(parsed.ok && parsed.value.total).toEqual({ lines: 87.5, statements: 85.71, functions: 100 });
    expect(parsed.ok && parsed.value.files.map((file) => file.path.split('/').pop())).toEqual(['subtract.js', 'add.js']);
  });

  it('matches changed files to absolute report paths by suffix', () => {
    const parsed = parseCoverageSummary(SUMMARY);
    if (!parsed.ok) throw new Error(parsed.problem);
    expect(coverageOfChangedFiles(parsed.value, ['src/subtract.js', 'test/subtract.test.js', 'add.js'])).toEqual([
      { path: 'src/subtract.js', coverage: { lines: 100, functions: 100 } },
      { path: 'add.js', coverage: { lines: 66.66 } },
    ]);
  });

  it('explains what is not a coverage summary', () => {
    expect(parseCoverageSummary('{ nope')).toEqual({ ok: false, problem: expect.stringMatching(/not JSON/) });
    expect(parseCoverageSummary('{"result": []}')).toEqual({ ok: false, problem: expect.stringMatching(/no "total" object/) });
    expect(parseCoverageSummary('{"total": {"lines": 3}}')).toEqual({ ok: false, problem: expect.stringMatching(/none of lines/) });
  });
});
