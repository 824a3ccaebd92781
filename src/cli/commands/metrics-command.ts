import type { Command } from 'commander';
import {
  formatBatchLine,
  formatMinutes,
  formatPercent,
  formatWeekLine,
  METRIC_TARGET_TEXT,
  type MetricCheck,
  type MetricName,
} from '../../domain/batch-metrics.js';
import { displayWidth } from '../../domain/review-box.js';
import { collectMetrics, DEFAULT_METRICS_BATCH_COUNT, type MetricsReport } from '../../pipeline/metrics.js';
import { UserFacingError } from '../../runtime/user-facing-error.js';
import { printJson, withRuntime, type RepositoryOptions } from '../with-runtime.js';

/** `nightshift metrics`: the seed's metrics per batch against its targets, and the trend by week. */
export function registerMetricsCommand(program: Command): void {
  program
    .command('metrics')
    .description("Show each batch's tickets, completion rate, average score, escalation rate, review time and cost against the seed's targets, and the weekly trend")
    .option('--batches <count>', `how many of the latest batches to show (default: ${DEFAULT_METRICS_BATCH_COUNT})`)
    .option('--json', 'print the metrics as JSON')
    .addHelpText(
      'after',
      `
Targets (the seed's): tickets per batch 10-20, completion rate > 80%, average
quality score > 85, escalation rate < 20%, review time per MR < 15 min.
Definitions (docs/metrics.md): a partial ticket counts as half a completed one; the
review time per MR is the median, from the queue being ready to the first decision.

Examples:
  nightshift metrics
  nightshift metrics --batches 30 --json | jq '.weeks[].line'`,
    )
    .action(async (options: { batches?: string; json?: boolean }, command: Command) => {
      const batches = options.batches === undefined ? DEFAULT_METRICS_BATCH_COUNT : parseBatchCount(options.batches);
      await withRuntime(command.optsWithGlobals<RepositoryOptions>(), async (runtime) => {
        const report = await collectMetrics(runtime.dependencies, { batches });
        if (options.json === true) printJson(metricsJson(report));
        else process.stdout.write(formatMetrics(report));
      });
    });
}

function parseBatchCount(text: string): number {
  const count = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(count) || count < 1) {
    throw new UserFacingError(`--batches must be a whole number of at least 1, got ${JSON.stringify(text)}`, 'invalid-input');
  }
  return count;
}

/** The stable JSON: targets, every batch with its checks, and the weeks with their seed-form lines. */
export function metricsJson(report: MetricsReport): unknown {
  return {
    batchesStored: report.batchesStored,
    targets: METRIC_TARGET_TEXT,
    batches: report.batches.map((batch) => ({ ...batch, line: formatBatchLine(batch) })),
    weeks: report.weeks.map((week) => ({ ...week, line: formatWeekLine(week) })),
  };
}

const COLUMNS: { metric: MetricName; title: string }[] = [
  { metric: 'tickets', title: 'Tickets' },
  { metric: 'completion-rate', title: 'Completion' },
  { metric: 'average-quality-score', title: 'Avg score' },
  { metric: 'escalation-rate', title: 'Escalation' },
  { metric: 'review-time', title: 'Review time' },
  { metric: 'cost-per-completed-ticket', title: 'Cost/completed' },
];

/** A table of batches (one row each, a ✓ or ✗ per target), then the trend by batch and by week. */
export function formatMetrics(report: MetricsReport): string {
  if (report.batches.length === 0) return 'No batches yet: run `nightshift intake` first.\n';
  const header = ['Batch', 'State', ...COLUMNS.map((column) => column.title)];
  const targets = ['', 'target', ...COLUMNS.map((column) => METRIC_TARGET_TEXT[column.metric])];
  const rows = report.batches.map((batch) => [
    batch.batchId,
    batch.state,
    ...COLUMNS.map((column) => formatCheck(batch.checks.find((check) => check.metric === column.metric))),
  ]);
  const lines = [
    `Metrics of the latest ${report.batches.length} of ${report.batchesStored} batches, against the seed's targets:`,
    '',
    ...alignColumns([header, targets, ...rows]),
    '',
    'Trend by batch:',
    ...report.batches.map((batch) => `  ${formatBatchLine(batch)}`),
  ];
  const firstWeek = report.weeks[0];
  if (firstWeek !== undefined) {
    lines.push('', `Trend by week (Week 1 = ${firstWeek.isoWeek}, UTC):`, ...report.weeks.map((week) => `  ${formatWeekLine(week)}`));
  }
  const pendingReviews = report.batches.reduce((total, batch) => total + batch.reviewTimes.filter((entry) => entry.minutes === undefined).length, 0);
  if (pendingReviews > 0) lines.push('', `${pendingReviews} merge request(s) still wait for a decision and have no review time yet.`);
  return `${lines.join('\n')}\n`;
}

/** `75% ✗`, `12 min ✓`, `$0.42`; `-` when there is nothing to measure. */
export function formatCheck(check: MetricCheck | undefined): string {
  if (check === undefined || check.value === undefined) return '-';
  const mark = check.pass === undefined ? '' : check.pass ? ' ✓' : ' ✗';
  return `${formatValue(check.metric, check.value)}${mark}`;
}

function formatValue(metric: MetricName, value: number): string {
  switch (metric) {
    case 'completion-rate':
    case 'escalation-rate':
      return formatPercent(value);
    case 'average-quality-score':
      return String(Math.round(value));
    case 'review-time':
      return formatMinutes(value);
    case 'cost-per-completed-ticket':
      return `$${value.toFixed(value >= 0.1 ? 2 : 4)}`;
    default:
      return String(value);
  }
}

function alignColumns(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, index) => Math.max(...rows.map((row) => displayWidth(row[index] ?? ''))));
  return rows.map((row) => `  ${row.map((cell, index) => cell + ' '.repeat(widths[index]! - displayWidth(cell))).join('  ').trimEnd()}`);
}
