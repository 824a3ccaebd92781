/**
 * Durations as people write them in `nightshift.yaml` and in the seed's manifest
 * (`30m`, `1h`, `90s`, `1h30m`, or a bare number of minutes) and as Nightshift
 * stores them: a number of minutes. One parser so the config and the manifest agree.
 */

/** The result of reading a duration: minutes, or why the text is not a duration. */
export type DurationParse = { ok: true; minutes: number } | { ok: false; reason: string };

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600 };
const DURATION_PATTERN = /^(?:\d+(?:\.\d+)?[hms])+$/;
const PART_PATTERN = /(\d+(?:\.\d+)?)([hms])/g;

/** What a duration looks like, for error messages that say what was expected. */
export const DURATION_EXPECTATION = 'a duration like 30m, 1h, 90s or a number of minutes';

/**
 * Reads a duration into minutes. A number (or a string of digits) is taken as minutes,
 * as the seed's `timeout_per_ticket` is. Zero and negative durations are refused:
 * every duration Nightshift reads is a time limit.
 */
export function parseDuration(input: unknown): DurationParse {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input <= 0) return refuse(input);
    return { ok: true, minutes: input };
  }
  if (typeof input !== 'string') return refuse(input);
  const text = input.trim().toLowerCase().replace(/\s+/g, '');
  if (/^\d+(?:\.\d+)?$/.test(text)) return parseDuration(Number(text));
  if (!DURATION_PATTERN.test(text)) return refuse(input);
  let seconds = 0;
  for (const match of text.matchAll(PART_PATTERN)) {
    seconds += Number(match[1]) * (UNIT_SECONDS[match[2] ?? 'm'] ?? 60);
  }
  const minutes = seconds / 60;
  if (!Number.isFinite(minutes) || minutes <= 0) return refuse(input);
  return { ok: true, minutes };
}

/**
 * Writes minutes the way the seed does: whole hours as `1h`, whole minutes as `30m`,
 * anything finer as whole seconds (`90s`), so that `parseDuration(formatDuration(m))`
 * gives back `m` for every duration expressible in whole seconds.
 */
export function formatDuration(minutes: number): string {
  if (!Number.isFinite(minutes) || minutes <= 0) {
    throw new RangeError(`formatDuration: expected a positive number of minutes, got ${minutes}`);
  }
  if (Number.isInteger(minutes)) {
    return minutes % 60 === 0 ? `${minutes / 60}h` : `${minutes}m`;
  }
  return `${Math.round(minutes * 60)}s`;
}

function refuse(input: unknown): DurationParse {
  return { ok: false, reason: `expected ${DURATION_EXPECTATION}, got ${JSON.stringify(input) ?? String(input)}` };
}
