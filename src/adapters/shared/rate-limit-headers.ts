/** When a provider says its limit resets: a wait in seconds, an instant, or both. */
export interface RateLimitReset {
  retryAfterSeconds?: number;
  resetAt?: string;
}

type Headers = Record<string, string | string[] | undefined>;

/**
 * Reads the reset a provider announced in the headers of a rejected model call, the way
 * each vendor writes it: `retry-after` (seconds or an HTTP date), `retry-after-ms`, OpenAI's
 * `x-ratelimit-reset-requests`/`-tokens` durations (`1h2m3s`, `20ms`), Anthropic's
 * `anthropic-ratelimit-*-reset` instants. The latest announced reset wins, since the call can
 * only succeed once every exhausted limit has reset. Pure: `now` comes in.
 */
export function readRateLimitHeaders(headers: Headers, now: Date): RateLimitReset {
  const waits: number[] = [];
  const instants: number[] = [];
  const retryAfterMilliseconds = Number(header(headers, 'retry-after-ms'));
  if (Number.isFinite(retryAfterMilliseconds) && retryAfterMilliseconds > 0) waits.push(retryAfterMilliseconds / 1000);
  const retryAfter = header(headers, 'retry-after');
  if (retryAfter !== undefined) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) waits.push(seconds);
    else if (!Number.isNaN(Date.parse(retryAfter))) instants.push(Date.parse(retryAfter));
  }
  for (const name of ['x-ratelimit-reset-requests', 'x-ratelimit-reset-tokens']) {
    const seconds = parseOpenAiDuration(header(headers, name));
    if (seconds !== undefined) waits.push(seconds);
  }
  for (const [name, value] of Object.entries(headers)) {
    if (!/^anthropic-ratelimit-.*reset$/i.test(name)) continue;
    const text = Array.isArray(value) ? value[0] : value;
    if (text === undefined) continue;
    const epochSeconds = /^\d{9,11}$/.test(text) ? Number(text) * 1000 : Date.parse(text);
    if (!Number.isNaN(epochSeconds)) instants.push(epochSeconds);
  }
  const latest = Math.max(...waits.map((seconds) => now.getTime() + seconds * 1000), ...instants);
  if (!Number.isFinite(latest)) return {};
  const retryAfterSeconds = Math.max(0, Math.ceil((latest - now.getTime()) / 1000));
  return { retryAfterSeconds, resetAt: new Date(now.getTime() + retryAfterSeconds * 1000).toISOString() };
}

/** `1h2m3s`, `6m0s`, `1.5s`, `20ms` → seconds; undefined for anything else. */
export function parseOpenAiDuration(text: string | undefined): number | undefined {
  if (text === undefined || !/^(\d+(\.\d+)?(h|ms|m|s))+$/.test(text.trim())) return undefined;
  let seconds = 0;
  for (const [, amount, unit] of text.trim().matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s)/g)) {
    const value = Number(amount);
    seconds += unit === 'h' ? value * 3600 : unit === 'm' ? value * 60 : unit === 'ms' ? value / 1000 : value;
  }
  return seconds;
}

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
