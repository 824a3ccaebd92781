import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['30m', 30],
    ['1h', 60],
    ['90s', 1.5],
    ['1h30m', 90],
    ['1.5h', 90],
    [' 45 ', 45],
    ['2H', 120],
    [45, 45],
    [0.5, 0.5],
  ])('reads %j as %d minutes', (input, minutes) => {
    expect(parseDuration(input)).toEqual({ ok: true, minutes });
  });

  it.each<unknown>(['', 'abc', '-5m', '0m', '5 minutes', 'm', '1d', '30mm', '1h-30m', null, undefined, -1, 0, Number.NaN, Number.POSITIVE_INFINITY, true, {}, [['30m']]])(
    'refuses %j with the expectation',
    (input) => {
      const result = parseDuration(input);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason).toMatch(/^expected a duration like 30m, 1h, 90s or a number of minutes, got /);
    },
  );
});

describe('formatDuration', () => {
  it.each([
    [30, '30m'],
    [60, '1h'],
    [90, '90m'],
    [120, '2h'],
    [1.5, '90s'],
  ])('writes %d minutes as %s', (minutes, text) => {
    expect(formatDuration(minutes)).toBe(text);
  });

  it('throws on a duration that is not a time limit (a defect)', () => {
    expect(() => formatDuration(0)).toThrow(RangeError);
  });

  it('round-trips every whole number of seconds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000_000 }), (seconds) => {
        const minutes = seconds / 60;
        expect(parseDuration(formatDuration(minutes))).toEqual({ ok: true, minutes });
      }),
    );
  });
});
