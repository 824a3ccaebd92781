/**
 * Batch ids name a night's work (`2024-01-15-overnight`): they appear in the manifest,
 * in commit trailers (`Agent: batch-2024-01-15`), in file names under `.nightshift/`
 * and in URLs, so they are built here from a date and a checked suffix, never from
 * free text.
 */

/** A safe batch id: an ISO date, a dash and a lowercase suffix (room for a `-2` when a day has several batches). */
export const BATCH_ID_PATTERN = /^\d{4}-\d{2}-\d{2}-[a-z0-9][a-z0-9-]{0,59}$/;

/** What a batch name suffix (`batch.name_suffix`) may contain. */
export const BATCH_NAME_SUFFIX_PATTERN = /^[a-z0-9][a-z0-9-]{0,39}$/;

/** A checked batch id, or why the candidate is not one. */
export type BatchIdCheck = { ok: true; batchId: string } | { ok: false; reason: string };

/**
 * The id of the batch that starts at `date`: the calendar date in `timeZone`
 * (default UTC, so that an evening batch in New York is named after its local
 * evening when the schedule passes its zone) followed by the suffix.
 * Throws on an unsafe suffix or an unknown time zone: both are checked when the
 * configuration is loaded, so reaching here with one is a defect.
 */
export function batchIdFor(date: Date, suffix: string, timeZone = 'UTC'): string {
  if (!BATCH_NAME_SUFFIX_PATTERN.test(suffix)) {
    throw new RangeError(
      `batchIdFor: suffix ${JSON.stringify(suffix)} is not safe: expected lowercase letters, digits and dashes (at most 40)`,
    );
  }
  if (Number.isNaN(date.getTime())) throw new RangeError('batchIdFor: the date is invalid');
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(date);
  const part = (type: string): string => parts.find((candidate) => candidate.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}-${suffix}`;
}

/** Checks a batch id read from outside (a manifest, a URL, a CLI argument). */
export function checkBatchId(candidate: unknown): BatchIdCheck {
  if (typeof candidate === 'string' && BATCH_ID_PATTERN.test(candidate)) return { ok: true, batchId: candidate };
  return {
    ok: false,
    reason: `expected a batch id like "2024-01-15-overnight" (a date, a dash, lowercase letters, digits and dashes), got ${JSON.stringify(candidate) ?? String(candidate)}`,
  };
}
