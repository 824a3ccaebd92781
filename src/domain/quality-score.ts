import picomatch from 'picomatch';
import type { CheckStatus } from './check-outcome.js';
import { scoreLintWarnings, scoreUncertainty } from './score-signals.js';
import type { SecurityFinding, SecuritySeverity } from './secret-scan.js';
import type { Complexity } from './ticket.js';
import { summarizeDiff, type ChangedFileSummary, type ParsedDiff } from './unified-diff.js';

/**
 * The seed's quality score: one number from 0 to 100 per MR, so reviewers can tell
 * "likely a quick approval" (> 90) from "may need rework", with a breakdown that says
 * in one sentence per criterion why points were won or lost. The formula is written
 * out in `docs/quality-score.md`; a test keeps the two in step.
 */

/** The most each criterion can earn; they sum to 100. */
export const QUALITY_SCORE_WEIGHTS = { checks: 35, tests: 15, diffSize: 10, scope: 15, security: 15, lint: 5, uncertainty: 5 } as const;

/** Points taken off the total (after the criteria are summed). */
export const QUALITY_SCORE_PENALTIES = { partialWork: 10, perRetry: 3 } as const;

/** Points the security criterion loses per finding, by severity (the criterion floors at 0). */
export const SECURITY_FINDING_PENALTIES: Record<SecuritySeverity, number> = { high: 15, medium: 5, low: 1 };

/** Points the checks criterion earns when the repository has no checks configured. */
export const POINTS_WHEN_NO_CHECKS_CONFIGURED = 18;
/** The share of its points a flaky check earns (it passed only when run again: not a pass). */
export const FLAKY_CHECK_CREDIT = 0.5;
/** Points the scope criterion earns when the ticket named no estimated files. */
export const POINTS_WHEN_NO_ESTIMATED_FILES = 8;

/** Changed lines (added + deleted) a ticket of each complexity may take before losing points. */
export const DIFF_SIZE_BUDGETS: Record<Complexity, number> = { small: 150, medium: 400, large: 1000 };

/** Files recognized as tests (tests are welcome anywhere: they never count against scope). */
export const DEFAULT_TEST_FILE_GLOBS: readonly string[] = [
  '**/test/**',
  '**/tests/**',
  '**/__tests__/**',
  '**/spec/**',
  '**/*.test.*',
  '**/*.spec.*',
  '**/test_*.*',
  '**/*_test.*',
  '**/*Test.*',
  '**/*Tests.*',
];

/** Documentation never needs tests and never counts against scope. */
export const DEFAULT_DOCUMENTATION_GLOBS: readonly string[] = ['**/*.{md,mdx,rst,adoc,txt}', 'docs/**', '**/LICENSE*', '**/CHANGELOG*'];

/** Generated files whose size says nothing about the work: not counted in the diff size. */
export const DEFAULT_GENERATED_FILE_GLOBS: readonly string[] = [
  '**/package-lock.json',
  '**/yarn.lock',
  '**/pnpm-lock.yaml',
  '**/bun.lock',
  '**/Cargo.lock',
  '**/poetry.lock',
  '**/Pipfile.lock',
  '**/uv.lock',
  '**/go.sum',
  '**/Gemfile.lock',
  '**/composer.lock',
];

export type { CheckStatus };

/**
 * One criterion of the score. Same shape as the store's `ScoreBreakdownItem`, defined
 * here because the domain never imports ports. Penalties have `maximum` 0 and negative points.
 */
export interface ScoreBreakdownItem {
  criterion: string;
  points: number;
  maximum: number;
  explanation: string;
}

export interface QualityScoreInput {
  /**
   * Every configured check with its outcome (e.g. the `GateResultRecord`s): a skipped,
   * failed or timed-out check earns nothing, a flaky one {@link FLAKY_CHECK_CREDIT} of a
   * pass; `lintWarnings` of the lint checks feed the lint criterion.
   */
  gateResults: ReadonlyArray<{ name: string; status: CheckStatus; lintWarnings?: number }>;
  /** The MR's diff against its target branch. */
  diff: ParsedDiff;
  /** The ticket's complexity (the agent's re-estimate if higher); medium when unknown. */
  complexity?: Complexity;
  /** The ticket's `estimated_files` globs; `dir/` and `dir` also match everything below `dir`. */
  estimatedFiles: readonly string[];
  securityFindings: readonly SecurityFinding[];
  /** The agent reported partial work (seed: "complexity exceeds estimate"). */
  partial: boolean;
  /** Extra attempts at C0/C1/C2 after invalid answers; see {@link countRetries}. */
  retries: number;
  /** How many risks the plan (C1) names; 0 when there was no plan. */
  planRisks?: number;
  /** The agent's self-reported confidence from 0 to 1 (C2's `confidence`), when it gave one. */
  confidence?: number;
  testFileGlobs?: readonly string[];
}

export interface QualityScore {
  /** Integer 0–100: the sum of the breakdown's points, floored at 0. */
  score: number;
  breakdown: ScoreBreakdownItem[];
}

/** Retries from checkpoint attempts: for each stage, its highest attempt minus one. */
export function countRetries(checkpoints: ReadonlyArray<{ stage: string; attempt: number }>): number {
  const highest = new Map<string, number>();
  for (const checkpoint of checkpoints) highest.set(checkpoint.stage, Math.max(highest.get(checkpoint.stage) ?? 1, checkpoint.attempt));
  return [...highest.values()].reduce((sum, attempt) => sum + attempt - 1, 0);
}

/** Scores one MR from its gate results, diff, ticket estimate, findings and agent history. */
export function computeQualityScore(input: QualityScoreInput): QualityScore {
  const isTest = picomatch([...(input.testFileGlobs ?? DEFAULT_TEST_FILE_GLOBS)], { dot: true });
  const isDocumentation = picomatch([...DEFAULT_DOCUMENTATION_GLOBS], { dot: true });
  const changedFiles = summarizeDiff(input.diff);
  const breakdown: ScoreBreakdownItem[] = [
    scoreChecks(input.gateResults),
    scoreTests(changedFiles, isTest, isDocumentation),
    scoreDiffSize(changedFiles, input.complexity ?? 'medium'),
    scoreScope(changedFiles, input.estimatedFiles, isTest, isDocumentation),
    scoreSecurity(input.securityFindings),
    { criterion: 'lint', maximum: QUALITY_SCORE_WEIGHTS.lint, ...scoreLintWarnings(input.gateResults, QUALITY_SCORE_WEIGHTS.lint) },
    {
      criterion: 'uncertainty',
      maximum: QUALITY_SCORE_WEIGHTS.uncertainty,
      ...scoreUncertainty({ planRisks: input.planRisks ?? 0, ...(input.confidence === undefined ? {} : { confidence: input.confidence }) }, QUALITY_SCORE_WEIGHTS.uncertainty),
    },
  ];
  if (input.partial) {
    breakdown.push({
      criterion: 'partial work',
      points: -QUALITY_SCORE_PENALTIES.partialWork,
      maximum: 0,
      explanation: `The agent finished only part of the work, which costs ${QUALITY_SCORE_PENALTIES.partialWork} points.`,
    });
  }
  if (input.retries > 0) {
    const retries = Math.floor(input.retries);
    breakdown.push({
      criterion: 'retries',
      points: -QUALITY_SCORE_PENALTIES.perRetry * retries,
      maximum: 0,
      explanation: `${plural(retries, 'retry', 'retries')} after invalid agent answers cost ${QUALITY_SCORE_PENALTIES.perRetry} points each.`,
    });
  }
  const total = breakdown.reduce((sum, item) => sum + item.points, 0);
  return { score: Math.max(0, Math.min(100, total)), breakdown };
}

function scoreChecks(checks: QualityScoreInput['gateResults']): ScoreBreakdownItem {
  const maximum = QUALITY_SCORE_WEIGHTS.checks;
  if (checks.length === 0) {
    return {
      criterion: 'checks',
      points: POINTS_WHEN_NO_CHECKS_CONFIGURED,
      maximum,
      explanation: `No checks are configured, so only ${POINTS_WHEN_NO_CHECKS_CONFIGURED} of ${maximum} points are given: add gate commands to earn the rest.`,
    };
  }
  const passed = checks.filter((check) => check.status === 'passed').length;
  const flaky = checks.filter((check) => check.status === 'flaky').length;
  const points = Math.round((maximum * (passed + FLAKY_CHECK_CREDIT * flaky)) / checks.length);
  if (passed === checks.length) return { criterion: 'checks', points, maximum, explanation: `All ${plural(checks.length, 'check')} passed.` };
  const others = checks
    .filter((check) => check.status !== 'passed')
    .map((check) => (check.status === 'flaky' ? `${check.name} flaky: it passed only when run again, for half credit` : `${check.name} ${check.status.replace('_', ' ')}`))
    .join(', ');
  return { criterion: 'checks', points, maximum, explanation: `${passed} of ${plural(checks.length, 'check')} passed (${others}).` };
}

function scoreTests(files: readonly ChangedFileSummary[], isTest: (path: string) => boolean, isDocumentation: (path: string) => boolean): ScoreBreakdownItem {
  const maximum = QUALITY_SCORE_WEIGHTS.tests;
  const item = (points: number, explanation: string): ScoreBreakdownItem => ({ criterion: 'tests', points, maximum, explanation });
  if (files.length === 0) return item(0, 'No files changed.');
  const testFiles = files.filter((file) => isTest(file.path));
  const sourceFiles = files.filter((file) => !isTest(file.path) && !isDocumentation(file.path));
  if (sourceFiles.length === 0) return item(maximum, 'No source files changed, so no tests were needed.');
  const testsWritten = testFiles.filter((file) => file.addedCount > 0 || file.binary);
  if (testsWritten.length > 0) {
    return item(maximum, `Source changes come with ${plural(testsWritten.length, 'added or changed test file')}.`);
  }
  if (testFiles.length > 0) return item(0, 'Source files changed while test files were only deleted.');
  return item(0, 'Source files changed but no test file was added or changed.');
}

function scoreDiffSize(files: readonly ChangedFileSummary[], complexity: Complexity): ScoreBreakdownItem {
  const maximum = QUALITY_SCORE_WEIGHTS.diffSize;
  const budget = DIFF_SIZE_BUDGETS[complexity];
  if (files.length === 0) return { criterion: 'diff size', points: 0, maximum, explanation: 'No files changed.' };
  const isGenerated = picomatch([...DEFAULT_GENERATED_FILE_GLOBS], { dot: true });
  const lines = files.filter((file) => !isGenerated(file.path)).reduce((sum, file) => sum + file.addedCount + file.deletedCount, 0);
  const points = lines <= budget ? maximum : lines >= 2 * budget ? 0 : Math.round((maximum * (2 * budget - lines)) / budget);
  const explanation =
    lines <= budget
      ? `${plural(lines, 'changed line')} ${lines === 1 ? 'fits' : 'fit'} the ${complexity} budget of ${budget}.`
      : `${plural(lines, 'changed line')} exceed the ${complexity} budget of ${budget}; points fall to 0 at ${2 * budget}.`;
  return { criterion: 'diff size', points, maximum, explanation };
}

/** Whether a path falls under one of the ticket's `estimated_files` entries. */
export function matchesEstimatedFiles(path: string, estimatedFiles: readonly string[]): boolean {
  const patterns = estimatedFiles.flatMap((entry) => {
    const pattern = entry.trim().replace(/^\.\//, '').replace(/\/+$/, '');
    return pattern === '' ? [] : [pattern, `${pattern}/**`];
  });
  return patterns.length > 0 && picomatch(patterns, { dot: true })(path);
}

function scoreScope(
  files: readonly ChangedFileSummary[],
  estimatedFiles: readonly string[],
  isTest: (path: string) => boolean,
  isDocumentation: (path: string) => boolean,
): ScoreBreakdownItem {
  const maximum = QUALITY_SCORE_WEIGHTS.scope;
  const item = (points: number, explanation: string): ScoreBreakdownItem => ({ criterion: 'scope', points, maximum, explanation });
  if (files.length === 0) return item(0, 'No files changed.');
  if (estimatedFiles.length === 0) {
    return item(POINTS_WHEN_NO_ESTIMATED_FILES, `The ticket named no estimated files, so scope earns ${POINTS_WHEN_NO_ESTIMATED_FILES} of ${maximum} points.`);
  }
  const judged = files.filter((file) => !isTest(file.path) && !isDocumentation(file.path));
  if (judged.length === 0) return item(maximum, 'Only tests and documentation changed, which are welcome anywhere.');
  const outside = judged.filter((file) => !matchesEstimatedFiles(file.path, estimatedFiles));
  const points = Math.round((maximum * (judged.length - outside.length)) / judged.length);
  const subject = judged.length === 1 ? 'The changed source file' : `All ${judged.length} changed source files`;
  if (outside.length === 0) return item(points, `${subject} ${judged.length === 1 ? 'is' : 'are'} within the estimated files.`);
  const named = outside.slice(0, 3).map((file) => file.path).join(', ') + (outside.length > 3 ? ', …' : '');
  const share = `${outside.length} of ${plural(judged.length, 'changed source file')} ${outside.length === 1 ? 'is' : 'are'}`;
  return item(points, `${share} outside the estimated files (${named}).`);
}

function scoreSecurity(findings: readonly SecurityFinding[]): ScoreBreakdownItem {
  const maximum = QUALITY_SCORE_WEIGHTS.security;
  if (findings.length === 0) return { criterion: 'security', points: maximum, maximum, explanation: 'No security findings.' };
  const lost = findings.reduce((sum, finding) => sum + SECURITY_FINDING_PENALTIES[finding.severity], 0);
  const counts = (['high', 'medium', 'low'] as const)
    .map((severity) => [severity, findings.filter((finding) => finding.severity === severity).length] as const)
    .filter(([, count]) => count > 0)
    .map(([severity, count]) => `${count} ${severity}`)
    .join(', ');
  return {
    criterion: 'security',
    points: Math.max(0, maximum - lost),
    maximum,
    explanation: `${plural(findings.length, 'finding')} (${counts}) cost ${Math.min(lost, maximum)} points.`,
  };
}

function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}
