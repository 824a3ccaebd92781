import type { ReportParse } from './test-report.js';

/**
 * Reads istanbul's `json-summary` (`coverage/coverage-summary.json`, written by nyc,
 * c8, jest and vitest with the `json-summary` reporter) so the checks table can show
 * the coverage of the whole repository and of the files the MR changed.
 */

export const COVERAGE_METRICS = ['lines', 'statements', 'functions', 'branches'] as const;
export type CoverageMetric = (typeof COVERAGE_METRICS)[number];

/** Percentages from 0 to 100; a metric with nothing to measure (istanbul's "Unknown") is absent. */
export type CoveragePercentages = Partial<Record<CoverageMetric, number>>;

export interface CoverageSummary {
  total: CoveragePercentages;
  /** Per file, keyed as the report writes the path (often absolute). */
  files: { path: string; coverage: CoveragePercentages }[];
}

export function parseCoverageSummary(text: string): ReportParse<CoverageSummary> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `the coverage summary is not JSON: ${(error as Error).message}` };
  }
  if (!isRecord(parsed) || !isRecord(parsed.total)) {
    return { ok: false, problem: 'the coverage summary has no "total" object (expected istanbul json-summary: { "total": { "lines": { "pct": 87.5 } … } })' };
  }
  const totalEntry = parsed.total;
  if (!COVERAGE_METRICS.some((metric) => isRecord(totalEntry[metric]))) {
    return { ok: false, problem: 'the coverage summary\'s "total" has none of lines, statements, functions, branches' };
  }
  const total = percentagesOf(totalEntry);
  const files = Object.entries(parsed)
    .filter(([path, value]) => path !== 'total' && isRecord(value))
    .map(([path, value]) => ({ path, coverage: percentagesOf(value as Record<string, unknown>) }));
  return { ok: true, value: { total, files } };
}

/**
 * The coverage of the changed files, matched to the report's paths by equality or by
 * suffix (`/work/repo/src/a.js` ends with `/src/a.js`); files the report does not
 * know are left out.
 */
export function coverageOfChangedFiles(summary: CoverageSummary, changedPaths: readonly string[]): { path: string; coverage: CoveragePercentages }[] {
  const found: { path: string; coverage: CoveragePercentages }[] = [];
  for (const path of changedPaths) {
    const normalized = path.replace(/\\/g, '/');
    const match = summary.files.find((file) => {
      const candidate = file.path.replace(/\\/g, '/');
      return candidate === normalized || candidate.endsWith(`/${normalized}`);
    });
    if (match !== undefined) found.push({ path, coverage: match.coverage });
  }
  return found;
}

function percentagesOf(entry: Record<string, unknown>): CoveragePercentages {
  const percentages: CoveragePercentages = {};
  for (const metric of COVERAGE_METRICS) {
    const value = entry[metric];
    if (!isRecord(value)) continue;
    const percentage = typeof value.pct === 'number' ? value.pct : typeof value.pct === 'string' ? Number(value.pct) : Number.NaN;
    if (Number.isFinite(percentage) && percentage >= 0 && percentage <= 100) percentages[metric] = percentage;
  }
  return percentages;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
