import { describe, expect, it } from 'vitest';
import { FixedClock } from './fixed-clock.js';

describe('FixedClock', () => {
  it('starts at the seed’s batch time unless told', () => {
    expect(new FixedClock().nowIso()).toBe('2024-01-15T18:00:00.000Z');
    expect(new FixedClock('2024-02-01T08:00:00Z').nowIso()).toBe('2024-02-01T08:00:00.000Z');
  });

  it('moves only when set or advanced', () => {
    const clock = new FixedClock();
    clock.advance(1_500);
    expect(clock.nowIso()).toBe('2024-01-15T18:00:01.500Z');
    clock.advanceMinutes(60);
    expect(clock.nowIso()).toBe('2024-01-15T19:00:01.500Z');
    clock.set(new Date('2024-01-16T06:00:00Z'));
    expect(clock.now().toISOString()).toBe('2024-01-16T06:00:00.000Z');
  });

  it('hands out copies, so callers cannot move it', () => {
    const clock = new FixedClock();
    clock.now().setFullYear(1999);
    expect(clock.nowIso()).toBe('2024-01-15T18:00:00.000Z');
  });

  it('refuses invalid times', () => {
    expect(() => new FixedClock('yesterday')).toThrow(/not a valid date/);
    expect(() => new FixedClock().advance(Number.NaN)).toThrow(/finite/);
  });
});
