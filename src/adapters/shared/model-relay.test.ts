import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ModelCallFailure } from './model-failure-policy.js';
import { readErrorMessage, startModelRelay, type ModelRelay } from './model-relay.js';

describe('startModelRelay', () => {
  let upstream: Server;
  let upstreamUrl: string;
  let seen: { method: string; url: string; headers: IncomingHttpHeaders; body: string }[];
  let relay: ModelRelay | undefined;

  beforeEach(async () => {
    seen = [];
    upstream = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        seen.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
        if (request.url?.endsWith('/limited')) {
          response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '3600', 'x-ratelimit-reset-requests': '1h0m0s' });
          response.end(JSON.stringify({ error: { message: 'Rate limit reached for requests', type: 'requests' } }));
        } else if (request.url?.endsWith('/broken')) {
          response.writeHead(500, { 'content-type': 'text/plain' });
          response.end('upstream exploded');
        } else {
          response.writeHead(200, { 'content-type': 'text/event-stream' });
          response.write('data: {"a":1}\n\n');
          setTimeout(() => response.end('data: [DONE]\n\n'), 20);
        }
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', () => resolve()));
    upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`;
  });

  afterEach(async () => {
    await relay?.close();
    relay = undefined;
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
  });

  it('passes requests and streamed answers through unchanged, on the upstream path, with the key it holds', async () => {
    const failures: ModelCallFailure[] = [];
    relay = await startModelRelay({ upstreamBaseUrl: upstreamUrl, apiKey: 'sk-real', onFailure: (failure) => failures.push(failure) });
    expect(relay.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const response = await fetch(`${relay.baseUrl}/chat/completions?x=1`, { method: 'POST', headers: { authorization: 'Bearer placeholder' }, body: '{"model":"m"}' });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('data: {"a":1}\n\ndata: [DONE]\n\n');
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/v1/chat/completions?x=1', body: '{"model":"m"}' });
    expect(seen[0]?.headers.authorization).toBe('Bearer sk-real');
    expect(failures).toEqual([]);
  });

  it('reports a rejected call with its status, the provider’s message and the announced reset, and still passes it on', async () => {
    const failures: ModelCallFailure[] = [];
    const now = new Date('2024-01-15T18:00:00.000Z');
    relay = await startModelRelay({ upstreamBaseUrl: upstreamUrl, now: () => now, onFailure: (failure) => failures.push(failure) });
    const response = await fetch(`${relay.baseUrl}/limited`, { method: 'POST', headers: { authorization: 'Bearer own-key' }, body: '{}' });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('3600');
    expect(await response.json()).toEqual({ error: { message: 'Rate limit reached for requests', type: 'requests' } });
    expect(seen[0]?.headers.authorization).toBe('Bearer own-key');
    await fetch(`${relay.baseUrl}/broken`, { method: 'POST', body: '{}' });
    await expect.poll(() => failures.length).toBe(2);
    expect(failures).toEqual([
      { at: now.toISOString(), status: 429, message: 'Rate limit reached for requests', retryAfterSeconds: 3600, resetAt: '2024-01-15T19:00:00.000Z' },
      { at: now.toISOString(), status: 500, message: 'upstream exploded' },
    ]);
    expect(relay.failures).toEqual(failures);
  });

  it('answers 502 and reports a failure when the provider cannot be reached', async () => {
    const failures: ModelCallFailure[] = [];
    relay = await startModelRelay({ upstreamBaseUrl: 'http://127.0.0.1:9/v1', onFailure: (failure) => failures.push(failure) });
    const response = await fetch(`${relay.baseUrl}/chat/completions`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(502);
    expect(failures).toEqual([{ at: expect.any(String), message: expect.stringMatching(/^the model relay cannot reach http:\/\/127\.0\.0\.1:9: /) }]);
  });

  it('refuses a base URL that is not http or https', async () => {
    await expect(startModelRelay({ upstreamBaseUrl: 'ftp://example.com/v1', onFailure: () => {} })).rejects.toThrow('model relay: the base URL ftp://example.com/v1 must use http or https');
  });
});

describe('readErrorMessage', () => {
  it.each([
    ['{"error":{"message":"bad key"}}', 'bad key'],
    ['{"error":"plain"}', 'plain'],
    ['{"message":"top"}', 'top'],
    ['[{"error":{"message":"gemini style"}}]', 'gemini style'],
    ['<html>oops</html>', '<html>oops</html>'],
    ['', 'Too Many Requests'],
  ])('reads %j', (body, message) => {
    expect(readErrorMessage(body, 'Too Many Requests')).toBe(message);
  });
});
