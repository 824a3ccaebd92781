/**
 * ISO 8601 weeks (Monday to Sunday; week 1 holds the year's first Thursday), in UTC,
 * for the metrics' week-over-week trend. Pure date arithmetic, no clock.
 */
export interface IsoWeek {
  /** The ISO week-numbering year, which differs from the calendar year around New Year. */
  year: number;
  week: number;
  /** `2024-W03`. */
  label: string;
  /** The week's Monday at 00:00 UTC, as epoch milliseconds, to count weeks between two dates. */
  mondayMilliseconds: number;
}

const DAY_MILLISECONDS = 86_400_000;
const WEEK_MILLISECONDS = 7 * DAY_MILLISECONDS;

/** The ISO week of an instant (an ISO 8601 text or epoch milliseconds), in UTC. */
export function isoWeekOf(instant: string | number): IsoWeek {
  const milliseconds = typeof instant === 'number' ? instant : Date.parse(instant);
  if (Number.isNaN(milliseconds)) throw new Error(`isoWeekOf: ${JSON.stringify(instant)} is not an ISO 8601 date`);
  const day = Math.floor(milliseconds / DAY_MILLISECONDS) * DAY_MILLISECONDS;
  const weekday = (new Date(day).getUTCDay() + 6) % 7;
  const monday = day - weekday * DAY_MILLISECONDS;
  const thursday = monday + 3 * DAY_MILLISECONDS;
  const year = new Date(thursday).getUTCFullYear();
  const week = Math.floor((thursday - Date.UTC(year, 0, 1)) / WEEK_MILLISECONDS) + 1;
  return { year, week, label: `${year}-W${String(week).padStart(2, '0')}`, mondayMilliseconds: monday };
}

/** Whole weeks from `earlier`'s week to `later`'s (0 for the same week). */
export function weeksBetween(earlier: IsoWeek, later: IsoWeek): number {
  return Math.round((later.mondayMilliseconds - earlier.mondayMilliseconds) / WEEK_MILLISECONDS);
}
