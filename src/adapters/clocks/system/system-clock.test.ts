import { describe, expect, it } from 'vitest';
import { SystemClock } from './system-clock.js';

describe('SystemClock', () => {
  it('tells the current time as a fresh Date each call', () => {
    const clock = new SystemClock();
    const before = Date.now();
    const first = clock.now();
    const after = Date.now();
    expect(first.getTime()).toBeGreaterThanOrEqual(before);
    expect(first.getTime()).toBeLessThanOrEqual(after);
    expect(clock.now()).not.toBe(first);
  });
});
