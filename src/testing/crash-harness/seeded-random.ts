/**
 * A small seeded pseudo-random generator (mulberry32): a crash trial draws its kill
 * moments from it, so a failing trial can be replayed with the same `--seed`. (bench/
 * has its own copy for the makespan benchmark; src/ cannot import from bench/.)
 */
export interface SeededRandom {
  /** A number in [0, 1). */
  next(): number;
  /** A whole number in [low, high], both included. */
  integer(low: number, high: number): number;
  /** One of the values, each equally likely. */
  pick<T>(values: readonly T[]): T;
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
  const integer = (low: number, high: number): number => low + Math.floor((high - low + 1) * next());
  return {
    next,
    integer,
    pick: <T>(values: readonly T[]): T => {
      if (values.length === 0) throw new Error('seeded random: pick needs at least one value');
      return values[integer(0, values.length - 1)] as T;
    },
  };
}
