import { describe, expect, it } from 'vitest';
import { parseDuration, readLoggedResponses, readRateLimitHint, withoutLoggedResponses } from './codex-http-log.js';

/** Stderr of `codex exec` 0.169.0 with `RUST_LOG=error,codex_http_client::client=debug`, answered an HTTP 429. */
const STDERR = [
  'Reading additional input from stdin...',
  '2026-11-25T23:14:41.990000Z DEBUG codex_http_client::client: Request completed method=POST url=http://127.0.0.1:18557/v1/responses status=200 OK headers={"content-type": "text/event-stream"} version=HTTP/1.1',
  '2026-11-25T23:14:42.203825Z DEBUG codex_http_client::client: Request completed method=POST url=http://127.0.0.1:18557/v1/responses status=429 Too Many Requests headers={"content-type": "application/json", "retry-after": "3600", "x-ratelimit-reset-requests": "1h0m0s", "date": "Wed, 25 Nov 2026 23:14:42 GMT"} version=HTTP/1.1',
].join('\n');

const NOW = new Date('2026-11-25T23:14:42.000Z');

describe('readLoggedResponses', () => {
  it('reads the status and response headers of each model request Codex logged', () => {
    const responses = readLoggedResponses(STDERR);
    expect(responses).toHaveLength(2);
    expect(responses[1]).toEqual({
      url: 'http://127.0.0.1:18557/v1/responses',
      status: 429,
      statusText: 'Too Many Requests',
      headers: { 'content-type': 'application/json', 'retry-after': '3600', 'x-ratelimit-reset-requests': '1h0m0s', date: 'Wed, 25 Nov 2026 23:14:42 GMT' },
    });
    expect(withoutLoggedResponses(STDERR)).toBe('Reading additional input from stdin...');
  });

  it('reads headers pair by pair when the map is not JSON', () => {
    const line = 'Request completed method=POST url=http://h/v1/responses status=429 Too Many Requests headers={"retry-after": "5", "x-odd": b"\\xff"} version=HTTP/1.1';
    expect(readLoggedResponses(line)[0]?.headers).toEqual({ 'retry-after': '5' });
  });
});

describe('readRateLimitHint', () => {
  const response = (headers: Record<string, string>) => ({ url: 'u', status: 429, statusText: 'Too Many Requests', headers });

  it('prefers retry-after in seconds, then an HTTP date, then the longest OpenAI reset duration', () => {
    expect(readRateLimitHint(readLoggedResponses(STDERR)[1], '', NOW)).toEqual({ retryAfterSeconds: 3600, resetAt: '2026-11-26T00:14:42.000Z' });
    expect(readRateLimitHint(response({ 'retry-after': 'Wed, 25 Nov 2026 23:15:42 GMT', date: 'Wed, 25 Nov 2026 23:14:42 GMT' }), '', NOW)).toMatchObject({ retryAfterSeconds: 60 });
    expect(readRateLimitHint(response({ 'x-ratelimit-reset-requests': '20ms', 'x-ratelimit-reset-tokens': '6m0s' }), '', NOW)).toMatchObject({ retryAfterSeconds: 360 });
  });

  it("falls back to Codex's message: a stream's 'try again in', a usage limit's 'try again at'", () => {
    expect(readRateLimitHint(undefined, 'rate limit exceeded: Rate limit reached for requests. Please try again in 1.5s.', NOW)).toMatchObject({ retryAfterSeconds: 2 });
    const usage = readRateLimitHint(undefined, 'You’ve hit your usage limit. Upgrade to Pro or try again at Nov 26th, 2026 12:14 AM.', NOW);
    expect(usage.resetAt).toBe(new Date('Nov 26, 2026 12:14 AM').toISOString());
    expect(readRateLimitHint(undefined, 'exceeded retry limit, last status: 429 Too Many Requests', NOW)).toEqual({});
  });
});

describe('parseDuration', () => {
  it('reads the durations of OpenAI rate-limit headers', () => {
    expect(parseDuration('1h2m3s')).toBe(3723);
    expect(parseDuration('6m0s')).toBe(360);
    expect(parseDuration('20ms')).toBeCloseTo(0.02);
    expect(parseDuration('soon')).toBeUndefined();
  });
});
