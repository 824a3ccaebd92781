/**
 * The `RUST_LOG` filter the adapter runs Codex with: its usual error output, plus one debug
 * line per model response (`Request completed … status=429 … headers={…}`). Codex's own
 * messages drop what a rate-limited answer says (an HTTP 429 becomes "exceeded retry limit,
 * last status: 429 Too Many Requests", an HTTP 500 a generic "high demand" text); that line
 * keeps the status and the response headers (`retry-after`, `x-ratelimit-reset-*`), never
 * the request's (so never the API key).
 */
export const CODEX_LOG_FILTER = 'error,codex_http_client::client=debug';

/** One model response as Codex logged it. */
export interface LoggedHttpResponse {
  status: number;
  statusText: string;
  url: string;
  headers: Record<string, string>;
}

const RESPONSE_LINE = /Request completed method=\S+ url=(\S+) status=(\d{3})([^\n]*?) headers=(\{[^\n]*\}) version=/g;

/** Reads the responses Codex logged in (the tail of) its stderr, oldest first. */
export function readLoggedResponses(stderr: string): LoggedHttpResponse[] {
  return [...stderr.matchAll(RESPONSE_LINE)].map((match) => {
    const [, url, status, statusText, headersText] = match as unknown as [string, string, string, string, string];
    return { url, status: Number(status), statusText: statusText.trim(), headers: parseHeaders(headersText) };
  });
}

/** Removes the response lines, so the rest of stderr can be shown as an error detail. */
export function withoutLoggedResponses(stderr: string): string {
  return stderr
    .split('\n')
    .filter((line) => !/codex_http_client::client: Request completed/.test(line))
    .join('\n');
}

/** Codex logs the header map in Rust's debug format, which is JSON for plain header values. */
function parseHeaders(text: string): Record<string, string> {
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      return Object.fromEntries(Object.entries(parsed).map(([name, value]) => [name.toLowerCase(), String(value)]));
    }
  } catch {
    // Fall through to reading the pairs one by one.
  }
  return Object.fromEntries([...text.matchAll(/"([^"]+)": "([^"]*)"/g)].map((match) => [String(match[1]).toLowerCase(), String(match[2])]));
}

/** When a rate limit resets, as far as the response headers or Codex's message say. */
export interface RateLimitHint {
  retryAfterSeconds?: number;
  resetAt?: string;
}

/**
 * Reads when a rate limit resets: `retry-after` (seconds or an HTTP date), else the longest
 * of OpenAI's `x-ratelimit-reset-requests` / `-tokens` durations (`6m0s`, `1h2m3s`, `20ms`),
 * else Codex's message ("Please try again in 20s", or a usage limit's "try again at Nov
 * 26th, 2026 12:14 AM", in the local time zone).
 */
export function readRateLimitHint(response: LoggedHttpResponse | undefined, message: string, now: Date): RateLimitHint {
  const seconds = (response === undefined ? undefined : secondsFromHeaders(response.headers)) ?? secondsFromMessage(message);
  if (seconds !== undefined) return { retryAfterSeconds: seconds, resetAt: new Date(now.getTime() + seconds * 1000).toISOString() };
  const at = /try again at ([A-Z][a-z]{2} \d{1,2})(?:st|nd|rd|th)?(, \d{4} \d{1,2}:\d{2} ?[AP]M)/.exec(message);
  const resetAt = at === null ? undefined : new Date(`${at[1]}${at[2]}`);
  if (resetAt !== undefined && !Number.isNaN(resetAt.getTime())) {
    return { retryAfterSeconds: Math.max(0, Math.ceil((resetAt.getTime() - now.getTime()) / 1000)), resetAt: resetAt.toISOString() };
  }
  return {};
}

function secondsFromHeaders(headers: Record<string, string>): number | undefined {
  const retryAfter = headers['retry-after'];
  if (retryAfter !== undefined && /^\d+(\.\d+)?$/.test(retryAfter.trim())) return Math.ceil(Number(retryAfter));
  if (retryAfter !== undefined && !Number.isNaN(Date.parse(retryAfter)) && headers.date !== undefined && !Number.isNaN(Date.parse(headers.date))) {
    return Math.max(0, Math.ceil((Date.parse(retryAfter) - Date.parse(headers.date)) / 1000));
  }
  const resets = ['x-ratelimit-reset-requests', 'x-ratelimit-reset-tokens'].flatMap((name) => {
    const value = headers[name];
    const parsed = value === undefined ? undefined : parseDuration(value);
    return parsed === undefined ? [] : [parsed];
  });
  return resets.length === 0 ? undefined : Math.ceil(Math.max(...resets));
}

function secondsFromMessage(message: string): number | undefined {
  const match = /try again in\s*(\d+(?:\.\d+)?)\s*(ms|s|sec|seconds?)\b/i.exec(message);
  if (match === null) return undefined;
  const value = Number(match[1]);
  return Math.ceil(match[2]?.toLowerCase() === 'ms' ? value / 1000 : value);
}

/** A duration as OpenAI writes it in its rate-limit headers, in seconds. */
export function parseDuration(text: string): number | undefined {
  const parts = [...text.trim().matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join('') !== text.trim()) return undefined;
  const unitSeconds: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001 };
  return parts.reduce((sum, part) => sum + Number(part[1]) * (unitSeconds[String(part[2])] ?? 0), 0);
}
