import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/**
 * A local stand-in for the npm registry's advisory service, so tests can run the real
 * `npm audit --json --registry <url>` (no advisory service is reachable from these
 * machines). It answers the bulk advisory endpoint npm 7+ calls,
 * `POST /-/npm/v1/security/advisories/bulk` with a (gzipped) body
 * `{ "<name>": ["<version>", …] }`, in the registry's payload shape:
 * `{ "<name>": [{ id, url, title, severity, vulnerable_versions, cwe, cvss }] }`.
 * Like the real service it answers only for the names asked about; npm itself matches
 * the installed versions against `vulnerable_versions`. Everything else (packuments,
 * the legacy quick-audit endpoint) is a 404, which npm tolerates.
 */

/** One advisory as the registry sends it. */
export interface FakeAdvisory {
  id: number;
  url: string;
  title: string;
  severity: 'info' | 'low' | 'moderate' | 'high' | 'critical';
  vulnerable_versions: string;
  cwe: string[];
  cvss: { score: number; vectorString: string | null };
}

/** A request the fake received, for tests to assert what npm asked. */
export interface FakeNpmRegistryRequest {
  method: string;
  path: string;
  /** The parsed JSON body of an advisory request; undefined for other requests. */
  body?: unknown;
}

/** A running fake registry. */
export interface FakeNpmRegistry {
  /** The registry URL to pass as `--registry`, ending with `/`. */
  url: string;
  /** Every request received, in order. */
  requests: FakeNpmRegistryRequest[];
  close(): Promise<void>;
}

/** Starts the fake on a free local port with the advisories to answer, by package name. */
export async function startFakeNpmRegistry(options: { advisories: Record<string, FakeAdvisory[]> }): Promise<FakeNpmRegistry> {
  const requests: FakeNpmRegistryRequest[] = [];
  const server = createServer((request, response) => {
    void handle(request, response, options.advisories, requests).catch((error: unknown) => send(response, 500, { error: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
}

async function handle(request: IncomingMessage, response: ServerResponse, advisories: Record<string, FakeAdvisory[]>, requests: FakeNpmRegistryRequest[]): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  const path = (request.url ?? '/').split('?')[0] as string;
  if (request.method !== 'POST' || path !== '/-/npm/v1/security/advisories/bulk') {
    requests.push({ method: request.method ?? 'GET', path });
    send(response, 404, { error: 'Not found' });
    return;
  }
  const text = (request.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
  const body = JSON.parse(text) as Record<string, string[]>;
  requests.push({ method: 'POST', path, body });
  const answer: Record<string, FakeAdvisory[]> = {};
  for (const name of Object.keys(body)) {
    const known = advisories[name];
    if (known !== undefined && known.length > 0) answer[name] = known;
  }
  send(response, 200, answer);
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}
