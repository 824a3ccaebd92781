import { describe, expect, it } from 'vitest';
import { parseOpenAiDuration, readRateLimitHeaders } from './rate-limit-headers.js';

const NOW = new Date('2024-01-15T18:00:00.000Z');

describe('readRateLimitHeaders', () => {
  it.each([
    [{ 'retry-after': '30' }, { retryAfterSeconds: 30, resetAt: '2024-01-15T18:00:30.000Z' }],
    [{ 'retry-after': 'Mon, 15 Jan 2024 19:00:00 GMT' }, { retryAfterSeconds: 3600, resetAt: '2024-01-15T19:00:00.000Z' }],
    [{ 'retry-after-ms': '1500' }, { retryAfterSeconds: 2, resetAt: '2024-01-15T18:00:02.000Z' }],
    [{ 'x-ratelimit-reset-requests': '1h0m0s', 'x-ratelimit-reset-tokens': '6m0s' }, { retryAfterSeconds: 3600, resetAt: '2024-01-15T19:00:00.000Z' }],
    [{ 'anthropic-ratelimit-requests-reset': '2024-01-15T18:10:00Z' }, { retryAfterSeconds: 600, resetAt: '2024-01-15T18:10:00.000Z' }],
    [{ 'anthropic-ratelimit-unified-reset': '1705342200' }, { retryAfterSeconds: 600, resetAt: '2024-01-15T18:10:00.000Z' }],
    [{ 'retry-after': '30', 'x-ratelimit-reset-tokens': '2m' }, { retryAfterSeconds: 120, resetAt: '2024-01-15T18:02:00.000Z' }],
    [{ 'content-type': 'application/json' }, {}],
  ])('reads %j', (headers, expected) => {
    expect(readRateLimitHeaders(headers, NOW)).toEqual(expected);
  });
});

describe('parseOpenAiDuration', () => {
  it.each([
    ['1h2m3s', 3723],
    ['20ms', 0.02],
    ['1.5s', 1.5],
    ['soon', undefined],
    [undefined, undefined],
  ])('reads %j', (text, seconds) => {
    expect(parseOpenAiDuration(text)).toBe(seconds);
  });
});
