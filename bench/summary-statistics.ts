/** Mean, 90th percentile (nearest rank) and worst of a sample of ratios. */
export interface Summary {
  mean: number;
  p90: number;
  worst: number;
  count: number;
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) return { mean: Number.NaN, p90: Number.NaN, worst: Number.NaN, count: 0 };
  const sorted = [...values].sort((left, right) => left - right);
  const rank = Math.max(0, Math.ceil(0.9 * sorted.length) - 1);
  return {
    mean: sorted.reduce((sum, value) => sum + value, 0) / sorted.length,
    p90: sorted[rank] ?? Number.NaN,
    worst: sorted[sorted.length - 1] ?? Number.NaN,
    count: sorted.length,
  };
}
