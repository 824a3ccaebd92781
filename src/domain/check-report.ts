import { parseCoverageSummary, type CoverageSummary } from './coverage-summary.js';
import { parseJunitReport } from './junit-report.js';
import { parseEslintJsonReport } from './lint-warnings.js';
import { parseTapReport } from './tap-report.js';
import type { ReportParse, TestReport } from './test-report.js';

/**
 * The report file a check writes (`gates.commands.<name>.report`), read in the format
 * the configuration names or, with `auto`, the one its content shows.
 */

export const CHECK_REPORT_FORMATS = ['junit', 'tap', 'coverage-json', 'auto'] as const;
export type CheckReportFormat = (typeof CHECK_REPORT_FORMATS)[number];

/** What a report told us: per-test results, coverage, or a lint warning count. */
export type CheckReport =
  | { kind: 'tests'; tests: TestReport }
  | { kind: 'coverage'; coverage: CoverageSummary }
  | { kind: 'lint'; warnings: number };

/** Reports larger than this are not read: a check that writes one is misconfigured, and the store must stay small. */
export const MAXIMUM_REPORT_BYTES = 20 * 1024 * 1024;

export function parseCheckReport(text: string, format: CheckReportFormat): ReportParse<CheckReport> {
  const resolved = format === 'auto' ? detectReportFormat(text) : format;
  switch (resolved) {
    case 'junit':
      return asTests(parseJunitReport(text));
    case 'tap':
      return asTests(parseTapReport(text));
    case 'coverage-json': {
      const coverage = parseCoverageSummary(text);
      return coverage.ok ? { ok: true, value: { kind: 'coverage', coverage: coverage.value } } : coverage;
    }
    case 'eslint-json': {
      const warnings = parseEslintJsonReport(text);
      return warnings.ok ? { ok: true, value: { kind: 'lint', warnings: warnings.value } } : warnings;
    }
    case undefined:
      return { ok: false, problem: 'the report is neither JUnit XML, TAP, istanbul json-summary nor ESLint JSON: name its format (junit, tap, coverage-json)' };
  }
}

/** The format a report's content shows, or undefined when it shows none we read. */
export function detectReportFormat(text: string): 'junit' | 'tap' | 'coverage-json' | 'eslint-json' | undefined {
  const start = text.replace(/^\uFEFF/, '').trimStart();
  if (start.startsWith('<')) return 'junit';
  if (start.startsWith('{')) return 'coverage-json';
  if (start.startsWith('[')) return 'eslint-json';
  if (/^(TAP version \d+|1\.\.\d+|(not )?ok\b)/m.test(start)) return 'tap';
  return undefined;
}

function asTests(parse: ReportParse<TestReport>): ReportParse<CheckReport> {
  return parse.ok ? { ok: true, value: { kind: 'tests', tests: parse.value } } : parse;
}
