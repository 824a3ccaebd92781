import { describe, expect, it } from 'vitest';
import { isoWeekOf, weeksBetween } from './iso-week.js';

describe('isoWeekOf', () => {
  it('numbers weeks from the one holding the first Thursday, Monday to Sunday, in UTC', () => {
    expect(isoWeekOf('2024-01-15T18:00:00.000Z').label).toBe('2024-W03');
    expect(isoWeekOf('2024-01-21T23:59:59.999Z').label).toBe('2024-W03');
    expect(isoWeekOf('2024-01-22T00:00:00.000Z').label).toBe('2024-W04');
    expect(isoWeekOf('2024-01-01T00:00:00.000Z').label).toBe('2024-W01');
  });

  it('gives the week-numbering year around New Year', () => {
    expect(isoWeekOf('2021-01-03T12:00:00.000Z')).toMatchObject({ year: 2020, week: 53 });
    expect(isoWeekOf('2024-12-30T12:00:00.000Z')).toMatchObject({ year: 2025, week: 1, label: '2025-W01' });
  });

  it('counts whole weeks between two weeks, across a year', () => {
    expect(weeksBetween(isoWeekOf('2024-01-15T00:00:00Z'), isoWeekOf('2024-01-21T00:00:00Z'))).toBe(0);
    expect(weeksBetween(isoWeekOf('2024-01-15T00:00:00Z'), isoWeekOf('2024-02-05T00:00:00Z'))).toBe(3);
    expect(weeksBetween(isoWeekOf('2024-12-23T00:00:00Z'), isoWeekOf('2025-01-06T00:00:00Z'))).toBe(2);
  });

  it('refuses a text that is not a date', () => {
    expect(() => isoWeekOf('yesterday')).toThrow(/yesterday/);
  });
});
