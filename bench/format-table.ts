/**
 * Lays out rows as a plain-text table with aligned columns: benchmark output is read
 * by people in a terminal and pasted into reports, so it stays monospace and ASCII.
 * Columns whose cells all look numeric are right-aligned.
 */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
  const numeric = headers.map((_, column) => rows.length > 0 && rows.every((row) => /^[-+]?[\d.,]+(?:\s?[%x]|ms)?$/.test(row[column] ?? '')));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => (numeric[column] === true ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

/** The final line every benchmark prints, which `run-all` and CI logs look for. */
export function formatRatioLine(name: string, value: number, target: number): string {
  return `RATIO ${name} ${value.toFixed(3)} (target ≤ ${target}) ${value <= target ? 'PASS' : 'FAIL'}`;
}
