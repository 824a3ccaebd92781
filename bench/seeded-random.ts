/**
 * A small seeded pseudo-random generator (mulberry32), so every benchmark run with
 * the same seed draws the same graphs and durations and its ratios can be compared.
 */
export interface SeededRandom {
  /** A number in [0, 1). */
  next(): number;
  /** A number in [low, high). */
  between(low: number, high: number): number;
  /** A whole number in [low, high], both included. */
  integer(low: number, high: number): number;
  /** One of the values, with the given weights (the same length, not necessarily summing to 1). */
  pick<T>(values: readonly T[], weights?: readonly number[]): T;
}

export function createSeededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    between: (low, high) => low + (high - low) * next(),
    integer: (low, high) => low + Math.floor((high - low + 1) * next()),
    pick: <T>(values: readonly T[], weights?: readonly number[]): T => {
      if (values.length === 0) throw new Error('seeded random: pick needs at least one value');
      const chosenWeights = weights ?? values.map(() => 1);
      const total = chosenWeights.reduce((sum, weight) => sum + weight, 0);
      let remaining = next() * total;
      for (let index = 0; index < values.length; index += 1) {
        remaining -= chosenWeights[index] ?? 0;
        if (remaining < 0) return values[index] as T;
      }
      return values[values.length - 1] as T;
    },
  };
}
