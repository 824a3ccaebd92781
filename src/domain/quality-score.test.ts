import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  computeQualityScore,
  countRetries,
  DIFF_SIZE_BUDGETS,
  FLAKY_CHECK_CREDIT,
  matchesEstimatedFiles,
  POINTS_WHEN_NO_CHECKS_CONFIGURED,
  POINTS_WHEN_NO_ESTIMATED_FILES,
  QUALITY_SCORE_PENALTIES,
  QUALITY_SCORE_WEIGHTS,
  SECURITY_FINDING_PENALTIES,
  type QualityScoreInput,
} from './quality-score.js';
import { POINTS_PER_LINT_WARNING, POINTS_PER_PLAN_RISK, POINTS_WHEN_LINT_UNKNOWN } from './score-signals.js';
import type { SecurityFinding } from './secret-scan.js';
import type { ChangedFileSummary, ParsedDiff } from './unified-diff.js';

function file(path: string, addedCount: number, deletedCount = 0): ChangedFileSummary {
  return { path, status: 'modified', binary: false, addedCount, deletedCount };
}

/** A diff with the given per-file line counts (the lines' text does not matter to the score). */
function diffOf(files: ChangedFileSummary[]): ParsedDiff {
  return {
    files: files.map((summary) => ({
      path: summary.path,
      status: summary.status,
      binary: summary.binary,
      deletedCount: summary.deletedCount,
      addedLines: Array.from({ length: summary.addedCount }, (_, index) => ({ lineNumber: index + 1, text: 'x' })),
    })),
  };
}

const lowAuthFinding = (path: string): SecurityFinding => ({ rule: 'risky-path', severity: 'low', file: path, message: 'modified authentication code' });

/** The worked example of docs/quality-score.md. */
const workedExample: QualityScoreInput = {
  gateResults: ['test', 'lint', 'types', 'build'].map((name) => ({ name, status: 'passed' as const, ...(name === 'lint' ? { lintWarnings: 0 } : {}) })),
  diff: diffOf([file('src/auth.py', 300, 40), { ...file('tests/test_auth.py', 80), status: 'added' }]),
  complexity: 'medium',
  estimatedFiles: ['src/auth.py', 'tests/test_auth.py'],
  securityFindings: [lowAuthFinding('src/auth.py'), lowAuthFinding('tests/test_auth.py')],
  partial: false,
  retries: 1,
  planRisks: 1,
};

const perfect: QualityScoreInput = {
  gateResults: [
    { name: 'test', status: 'passed' },
    { name: 'lint', status: 'passed', lintWarnings: 0 },
  ],
  diff: diffOf([file('src/utils.py', 20, 5), file('tests/test_utils.py', 30)]),
  complexity: 'small',
  estimatedFiles: ['src/utils.py'],
  securityFindings: [],
  partial: false,
  retries: 0,
};

function points(input: QualityScoreInput, criterion: string): number | undefined {
  return computeQualityScore(input).breakdown.find((item) => item.criterion === criterion)?.points;
}

describe('computeQualityScore', () => {
  it('gives 100 to a small, tested, in-scope, clean change with passing checks', () => {
    const result = computeQualityScore(perfect);
    expect(result.score).toBe(100);
    expect(result.breakdown.map((item) => [item.criterion, item.points, item.maximum])).toEqual([
      ['checks', 35, 35],
      ['tests', 15, 15],
      ['diff size', 10, 10],
      ['scope', 15, 15],
      ['security', 15, 15],
      ['lint', 5, 5],
      ['uncertainty', 5, 5],
    ]);
  });

  it('computes the worked example of the documentation: 94', () => {
    const result = computeQualityScore(workedExample);
    expect(result.breakdown.map((item) => [item.criterion, item.points])).toEqual([
      ['checks', 35],
      ['tests', 15],
      ['diff size', 10],
      ['scope', 15],
      ['security', 13],
      ['lint', 5],
      ['uncertainty', 4],
      ['retries', -3],
    ]);
    expect(result.score).toBe(94);
  });

  it('scores checks in proportion to those that passed, naming the others', () => {
    const input: QualityScoreInput = {
      ...perfect,
      gateResults: [
        { name: 'test', status: 'passed' },
        { name: 'lint', status: 'failed' },
        { name: 'e2e', status: 'timed_out' },
      ],
    };
    const item = computeQualityScore(input).breakdown[0];
    expect(item).toMatchObject({ criterion: 'checks', points: 12 });
    expect(item?.explanation).toBe('1 of 3 checks passed (lint failed, e2e timed out).');
    expect(points({ ...perfect, gateResults: [{ name: 'build', status: 'skipped' }] }, 'checks')).toBe(0);
  });

  it('gives a flaky check half the credit of a pass, and says it passed only when run again', () => {
    const flaky = computeQualityScore({ ...perfect, gateResults: [{ name: 'test', status: 'flaky' }, { name: 'lint', status: 'passed', lintWarnings: 0 }] });
    const item = flaky.breakdown[0];
    expect(item?.points).toBe(Math.round((35 * (1 + FLAKY_CHECK_CREDIT)) / 2));
    expect(item?.explanation).toBe('1 of 2 checks passed (test flaky: it passed only when run again, for half credit).');
    const failed = points({ ...perfect, gateResults: [{ name: 'test', status: 'failed' }, { name: 'lint', status: 'passed', lintWarnings: 0 }] }, 'checks');
    expect(failed).toBeLessThan(item?.points ?? 0);
    expect(item?.points).toBeLessThan(35);
  });

  it('takes a point per lint warning, and gives 3 when no lint check counted any', () => {
    const withLint = (lint: QualityScoreInput['gateResults']) => computeQualityScore({ ...perfect, gateResults: [{ name: 'test', status: 'passed' }, ...lint] }).breakdown[5];
    expect(withLint([{ name: 'lint', status: 'passed', lintWarnings: 2 }])).toMatchObject({ criterion: 'lint', points: 3, explanation: 'The lint check reported 2 warnings, which cost 2 points.' });
    expect(withLint([{ name: 'eslint', status: 'failed', lintWarnings: 9 }])?.points).toBe(0);
    expect(withLint([])).toMatchObject({ points: POINTS_WHEN_LINT_UNKNOWN, explanation: expect.stringMatching(/No lint check is configured/) });
    expect(withLint([{ name: 'lint', status: 'timed_out' }])).toMatchObject({ points: POINTS_WHEN_LINT_UNKNOWN, explanation: expect.stringMatching(/could not be counted/) });
  });

  it('takes a point per risk the plan names, and caps the criterion at the confidence the agent reports', () => {
    expect(computeQualityScore({ ...perfect, planRisks: 2 }).breakdown[6]).toMatchObject({ criterion: 'uncertainty', points: 3, explanation: 'The plan names 2 risks (−2).' });
    expect(points({ ...perfect, planRisks: 9 }, 'uncertainty')).toBe(0);
    const unsure = computeQualityScore({ ...perfect, confidence: 0.5 }).breakdown[6];
    expect(unsure).toMatchObject({ points: 3, explanation: 'The plan names no risks and the agent reports a confidence of 50 %, which allows at most 3 points.' });
    expect(points({ ...perfect, planRisks: 1, confidence: 0.95 }, 'uncertainty')).toBe(4);
  });

  it('gives 20 and says why when no checks are configured', () => {
    const item = computeQualityScore({ ...perfect, gateResults: [] }).breakdown[0];
    expect(item?.points).toBe(POINTS_WHEN_NO_CHECKS_CONFIGURED);
    expect(item?.explanation).toMatch(/No checks are configured/);
  });

  it('takes the test points when source changes come without tests', () => {
    expect(points({ ...perfect, diff: diffOf([file('src/utils.py', 20)]) }, 'tests')).toBe(0);
    expect(points({ ...perfect, diff: diffOf([file('src/utils.py', 20), file('tests/test_utils.py', 0, 30)]) }, 'tests')).toBe(0);
    expect(points({ ...perfect, diff: diffOf([file('README.md', 20)]) }, 'tests')).toBe(15);
    expect(points({ ...perfect, diff: diffOf([file('src/utils.ts', 20), file('src/utils.test.ts', 5)]) }, 'tests')).toBe(15);
  });

  it('lowers the diff size points linearly beyond the budget', () => {
    const withLines = (lines: number, complexity: QualityScoreInput['complexity']) =>
      points({ ...perfect, complexity, diff: diffOf([file('src/utils.py', lines), file('tests/test_utils.py', 0)]) }, 'diff size');
    expect(withLines(150, 'small')).toBe(10);
    expect(withLines(225, 'small')).toBe(5);
    expect(withLines(300, 'small')).toBe(0);
    expect(withLines(400, undefined)).toBe(10);
    expect(withLines(1500, 'large')).toBe(5);
    expect(points({ ...perfect, diff: diffOf([file('src/utils.py', 10), file('package-lock.json', 5000)]) }, 'diff size')).toBe(10);
  });

  it('judges scope on source files only, with directory and glob entries', () => {
    const scoped = (estimatedFiles: string[], ...paths: string[]) =>
      computeQualityScore({ ...perfect, estimatedFiles, diff: diffOf(paths.map((path) => file(path, 1))) }).breakdown[3];
    expect(scoped(['src/api/*', 'src/models/*'], 'src/api/routes.py', 'src/models/user.py', 'tests/test_api.py', 'docs/api.md')?.points).toBe(15);
    const outside = scoped(['src/api/*'], 'src/api/routes.py', 'src/db.py', 'src/cache.py');
    expect(outside?.points).toBe(5);
    expect(outside?.explanation).toBe('2 of 3 changed source files are outside the estimated files (src/db.py, src/cache.py).');
    expect(scoped([], 'src/x.py')?.points).toBe(POINTS_WHEN_NO_ESTIMATED_FILES);
    expect(scoped(['tests/', './src'], 'src/deep/x.py')?.points).toBe(15);
  });

  it('takes security points per finding by severity, floored at 0', () => {
    const finding = (severity: SecurityFinding['severity']): SecurityFinding => ({ rule: 'x', severity, file: 'a', message: 'm' });
    expect(points({ ...perfect, securityFindings: [finding('medium')] }, 'security')).toBe(10);
    expect(points({ ...perfect, securityFindings: [finding('high'), finding('low')] }, 'security')).toBe(0);
  });

  it('subtracts partial work and retries, and never goes below 0', () => {
    const result = computeQualityScore({ ...perfect, partial: true, retries: 2 });
    expect(result.score).toBe(100 - 10 - 6);
    expect(result.breakdown.slice(-2).map((item) => [item.criterion, item.points, item.maximum])).toEqual([
      ['partial work', -10, 0],
      ['retries', -6, 0],
    ]);
    expect(computeQualityScore({ ...perfect, diff: diffOf([]), gateResults: [{ name: 't', status: 'failed' }], retries: 20 }).score).toBe(0);
  });

  it('always returns an integer 0–100 and one-sentence explanations', () => {
    const status = fc.constantFrom('passed', 'failed', 'timed_out', 'skipped', 'flaky') as fc.Arbitrary<'passed' | 'failed' | 'timed_out' | 'skipped' | 'flaky'>;
    const input = fc.record({
      gateResults: fc.array(fc.record({ name: fc.constantFrom('test', 'lint', 'eslint', 'build'), status, lintWarnings: fc.option(fc.nat(20), { nil: undefined }) })),
      diff: fc.array(fc.record({ path: fc.constantFrom('src/a.ts', 'src/a.test.ts', 'docs/x.md', 'lib/b.py'), status: fc.constant('modified' as const), binary: fc.boolean(), addedCount: fc.nat(3000), deletedCount: fc.nat(3000) })).map(diffOf),
      complexity: fc.constantFrom('small', 'medium', 'large') as fc.Arbitrary<'small' | 'medium' | 'large'>,
      estimatedFiles: fc.array(fc.constantFrom('src/*', 'lib/', 'x.py')),
      securityFindings: fc.array(fc.record({ rule: fc.constant('r'), severity: fc.constantFrom('low', 'medium', 'high') as fc.Arbitrary<'low' | 'medium' | 'high'>, file: fc.constant('f'), message: fc.constant('m') })),
      partial: fc.boolean(),
      retries: fc.nat(10),
      planRisks: fc.nat(10),
      confidence: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
    });
    fc.assert(
      fc.property(input, (candidate) => {
        const result = computeQualityScore(candidate);
        expect(Number.isInteger(result.score)).toBe(true);
        expect(result.score).toBeGreaterThanOrEqual(0);
        expect(result.score).toBeLessThanOrEqual(100);
        const sum = result.breakdown.reduce((total, item) => total + item.points, 0);
        expect(result.score).toBe(Math.max(0, sum));
        for (const item of result.breakdown) {
          expect(item.explanation).toMatch(/^[A-Z0-9].*\.$/);
          expect(item.points).toBeLessThanOrEqual(item.maximum);
        }
      }),
    );
  });
});

describe('countRetries and matchesEstimatedFiles', () => {
  it('counts extra attempts per stage', () => {
    expect(countRetries([{ stage: 'C0', attempt: 1 }, { stage: 'C1', attempt: 1 }, { stage: 'C1', attempt: 2 }, { stage: 'C2', attempt: 1 }])).toBe(1);
    expect(countRetries([{ stage: 'C0', attempt: 3 }, { stage: 'C1', attempt: 2 }])).toBe(3);
    expect(countRetries([])).toBe(0);
  });
  it('matches the seed globs', () => {
    expect(matchesEstimatedFiles('src/api/users.py', ['src/api/*', 'src/models/*'])).toBe(true);
    expect(matchesEstimatedFiles('src/api/v2/users.py', ['src/api/*'])).toBe(true);
    expect(matchesEstimatedFiles('src/models/user.py', ['src/api/*'])).toBe(false);
    expect(matchesEstimatedFiles('src/apis.py', ['src/api'])).toBe(false);
    expect(matchesEstimatedFiles('tests/test_auth.py', ['src/feature.py', 'tests/'])).toBe(true);
    expect(matchesEstimatedFiles('x', [])).toBe(false);
  });
});

describe('docs/quality-score.md', () => {
  const documentation = readFileSync(fileURLToPath(new URL('../../docs/quality-score.md', import.meta.url)), 'utf8');

  /** Rows of the first Markdown table whose header row starts with `| firstHeader |`. */
  function table(firstHeader: string): string[][] {
    const lines = documentation.split('\n');
    const start = lines.findIndex((line) => line.startsWith(`| ${firstHeader} |`));
    if (start < 0) throw new Error(`docs/quality-score.md: no table with header "${firstHeader}"`);
    const rows: string[][] = [];
    for (const line of lines.slice(start + 2)) {
      if (!line.startsWith('|')) break;
      rows.push(line.split('|').slice(1, -1).map((cell) => cell.trim()));
    }
    return rows;
  }

  it('documents the criteria weights exactly as coded', () => {
    const documented = Object.fromEntries(table('Criterion | Key').map((row) => [row[1], Number(row[2])]));
    expect(documented).toEqual({ ...QUALITY_SCORE_WEIGHTS });
    expect(Object.values(QUALITY_SCORE_WEIGHTS).reduce((sum, weight) => sum + weight, 0)).toBe(100);
  });

  it('documents the penalties, budgets and severity costs exactly as coded', () => {
    expect(Object.fromEntries(table('Penalty').map((row) => [row[1], Number(row[2])]))).toEqual({ ...QUALITY_SCORE_PENALTIES });
    expect(Object.fromEntries(table('Complexity').map((row) => [row[0], Number(row[1])]))).toEqual(DIFF_SIZE_BUDGETS);
    expect(Object.fromEntries(table('Severity').map((row) => [row[0], Number(row[1])]))).toEqual(SECURITY_FINDING_PENALTIES);
    expect(documentation).toContain(`gives **${POINTS_WHEN_NO_CHECKS_CONFIGURED}**`);
    expect(documentation).toContain(`gives **${POINTS_WHEN_NO_ESTIMATED_FILES}** points`);
    expect(documentation).toContain(`earns **${FLAKY_CHECK_CREDIT * 100} %** of`);
    expect(documentation).toContain(`**${POINTS_PER_LINT_WARNING}** point per warning`);
    expect(documentation).toContain(`gives **${POINTS_WHEN_LINT_UNKNOWN}** points`);
    expect(documentation).toContain(`**${POINTS_PER_PLAN_RISK}** point per risk`);
  });

  it('states the worked example total the code computes', () => {
    const documentedTotal = Number(/\*\*Total: (\d+)\*\*/.exec(documentation)?.[1]);
    expect(documentedTotal).toBe(computeQualityScore(workedExample).score);
    const rows = table('Criterion | Points');
    expect(rows.map((row) => [row[0], Number((row[1] ?? '').replace('−', '-'))])).toEqual(
      computeQualityScore(workedExample).breakdown.map((item) => [item.criterion, item.points]),
    );
  });
});
