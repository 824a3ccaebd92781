import type { ReportParse } from './test-report.js';

/**
 * Counts the warnings a lint check reported, for the quality score's lint criterion.
 * Linters disagree on formats, so this reads what the common ones print: ESLint and
 * stylelint's summary (`✖ 3 problems (1 error, 2 warnings)`), Biome's
 * (`Found 2 warnings.`), any `N warnings` total, and otherwise one warning per line
 * that says `warning` (the unix/compact formats: `file:1:2: warning …`).
 */

/** Gate names treated as lint checks: `lint`, `eslint`, `lint-css`, `stylelint` … */
export function isLintCheckName(name: string): boolean {
  return /lint/i.test(name);
}

/** The warnings in a lint check's output; 0 when it names none. */
export function countLintWarnings(output: string): number {
  const summary = [...output.matchAll(/\((\d+) errors?, (\d+) warnings?\)/gi)].at(-1);
  if (summary !== undefined) return Number(summary[2]);
  const total = [...output.matchAll(/\b(\d+) warnings?\b/gi)].at(-1);
  if (total !== undefined) return Number(total[1]);
  return output.split('\n').filter((line) => /\bwarning\b/i.test(line) && !/\bno warnings?\b/i.test(line)).length;
}

/**
 * The warnings in ESLint's JSON report (`eslint -f json -o report.json`): an array of
 * files, each with a `warningCount`.
 */
export function parseEslintJsonReport(text: string): ReportParse<number> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `the lint report is not JSON: ${(error as Error).message}` };
  }
  if (!Array.isArray(parsed) || !parsed.every((entry) => typeof entry === 'object' && entry !== null && typeof (entry as { warningCount?: unknown }).warningCount === 'number')) {
    return { ok: false, problem: 'the lint report is not ESLint JSON (expected an array of files, each with a "warningCount")' };
  }
  return { ok: true, value: (parsed as { warningCount: number }[]).reduce((sum, entry) => sum + entry.warningCount, 0) };
}
