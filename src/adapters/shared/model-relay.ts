import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { ModelCallFailure } from './model-failure-policy.js';
import { readRateLimitHeaders } from './rate-limit-headers.js';

export interface ModelRelayOptions {
  /** The provider's base URL as the agent would use it, e.g. `https://api.openai.com/v1`. */
  upstreamBaseUrl: string;
  /**
   * The provider's API key. When given, the relay sends it (`Authorization: Bearer …`) in place
   * of whatever the agent sent, so the agent itself can be given a placeholder and never holds
   * the key (nor can a command it runs print it).
   */
  apiKey?: string;
  /** Told of every model call that failed, once its error body has arrived. */
  onFailure(failure: ModelCallFailure): void;
  now?: () => Date;
}

export interface ModelRelay {
  /** The base URL to give the agent instead of the provider's: same path, on a local port. */
  baseUrl: string;
  /** Every failed call so far, oldest first. */
  failures: ModelCallFailure[];
  close(): Promise<void>;
}

const HOP_BY_HOP_HEADERS = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host', 'te', 'trailer']);
const ERROR_BODY_CHARACTERS = 16_000;

/** The API key the agent is given when the relay holds the real one. */
export const RELAY_PLACEHOLDER_API_KEY = 'nightshift-relay-holds-the-key';

/**
 * A local pass-through between one agent run and its model provider, so the adapter sees
 * what the CLI keeps to itself: each failed call's HTTP status, the provider's message and
 * the reset it announced in headers (`retry-after`, `x-ratelimit-reset-*`). Some CLIs retry
 * every 429 and 5xx several times, sleeping as long as `retry-after` says, with no setting to
 * stop them; with the relay the adapter ends such a run itself, on its own retry budget.
 * Requests and streamed answers pass through unchanged (compression is turned off, so an
 * error body can be read); the relay listens on 127.0.0.1 only and lives for one run.
 */
export async function startModelRelay(options: ModelRelayOptions): Promise<ModelRelay> {
  const upstream = new URL(options.upstreamBaseUrl);
  if (upstream.protocol !== 'http:' && upstream.protocol !== 'https:') {
    throw new Error(`model relay: the base URL ${options.upstreamBaseUrl} must use http or https`);
  }
  const now = options.now ?? (() => new Date());
  const failures: ModelCallFailure[] = [];
  const fail = (failure: ModelCallFailure): void => {
    failures.push(failure);
    options.onFailure(failure);
  };

  const server = createServer((incoming, outgoing) => relay(incoming, outgoing));
  const relay = (incoming: IncomingMessage, outgoing: ServerResponse): void => {
    const target = new URL(incoming.url ?? '/', upstream.origin);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const forwarded = send(
      target,
      {
        method: incoming.method ?? 'GET',
        headers: {
          ...forwardableHeaders(incoming.headers),
          host: target.host,
          'accept-encoding': 'identity',
          ...(options.apiKey === undefined ? {} : { authorization: `Bearer ${options.apiKey}` }),
        },
      },
      (answer) => {
        const status = answer.statusCode ?? 502;
        outgoing.writeHead(status, answer.statusMessage ?? '', forwardableHeaders(answer.headers));
        if (status < 400) {
          answer.pipe(outgoing);
          return;
        }
        let body = '';
        answer.setEncoding('utf8');
        answer.on('data', (chunk: string) => {
          if (body.length < ERROR_BODY_CHARACTERS) body += chunk;
          outgoing.write(chunk);
        });
        answer.on('end', () => {
          outgoing.end();
          const reset = status === 429 || answer.headers['retry-after'] !== undefined ? readRateLimitHeaders(answer.headers, now()) : {};
          fail({ at: now().toISOString(), status, message: readErrorMessage(body, answer.statusMessage ?? `HTTP ${status}`), ...reset });
        });
      },
    );
    forwarded.on('error', (error) => {
      const message = `the model relay cannot reach ${upstream.origin}: ${error.message}`;
      if (!outgoing.headersSent) {
        outgoing.writeHead(502, { 'content-type': 'application/json' });
        outgoing.end(JSON.stringify({ error: { message, type: 'relay_error' } }));
      } else {
        outgoing.destroy();
      }
      fail({ at: now().toISOString(), message });
    });
    outgoing.on('close', () => {
      if (!outgoing.writableFinished) forwarded.destroy();
    });
    incoming.pipe(forwarded);
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const path = upstream.pathname.replace(/\/+$/, '');
  return {
    baseUrl: `http://127.0.0.1:${port}${path}`,
    failures,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The provider's message from an error body: OpenAI's and Anthropic's `error.message`, a bare `message`, or the text. */
export function readErrorMessage(body: string, fallback: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    const record = Array.isArray(parsed) ? parsed[0] : parsed;
    if (isRecord(record)) {
      if (isRecord(record.error) && typeof record.error.message === 'string') return record.error.message;
      if (typeof record.error === 'string') return record.error;
      if (typeof record.message === 'string') return record.message;
    }
  } catch {
    // not JSON: the text itself is the message
  }
  return body.trim().slice(0, 1000) || fallback;
}

function forwardableHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const kept: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP_HEADERS.has(name.toLowerCase())) kept[name] = value;
  }
  return kept;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
