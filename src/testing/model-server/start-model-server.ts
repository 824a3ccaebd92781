import { appendFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readScenarioMarkers } from '../../domain/scenario-markers.js';
import { AnthropicMessagesProtocol } from './anthropic-messages-protocol.js';
import { GeminiProtocol } from './gemini-protocol.js';
import { OpenAiChatCompletionsProtocol } from './openai-chat-completions-protocol.js';
import { OpenAiResponsesProtocol } from './openai-responses-protocol.js';
import { toScenario, type Scenario, type ScenarioDocument } from './scenario.js';
import { ScriptPlayer } from './script-player.js';
import type { Conversation, WireProtocol } from './wire-protocol.js';

/** One request the server answered, as kept in memory and written to the NDJSON log. */
export interface LoggedRequest {
  at: string;
  method: string;
  path: string;
  protocol?: string;
  ticketId?: string;
  stage?: string;
  attempt?: number;
  /** What was answered: `side-request`, `tool-call: write a.txt (Write)`, `report`, `fail: HTTP 429`, `missing-script` … */
  answered: string;
  actionIndex?: number;
  status: number;
  toolsOffered: string[];
  /** The error message, when the answer was an HTTP error. */
  errorMessage?: string;
  /**
   * The first {@link PROMPT_EXCERPT_CHARACTERS} characters of the stage prompt the request
   * answers (the latest user text carrying scenario markers), so tests can check what the
   * pipeline told the agent (a human's decision, a retry reason).
   */
  promptExcerpt?: string;
}

/** How much of a stage prompt the request log keeps. */
export const PROMPT_EXCERPT_CHARACTERS = 4000;

export interface ModelServerOptions {
  /** A validated scenario (from `loadScenario`/`parseScenario`), or a document validated here. */
  scenario: Scenario | ScenarioDocument;
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** When given, every request is appended here as one JSON line. */
  requestLogPath?: string;
  /** Defaults to the protocols implemented so far (Anthropic Messages). */
  protocols?: WireProtocol[];
  now?: () => Date;
}

export interface RunningModelServer {
  /** e.g. `http://127.0.0.1:43123`: the base URL to give an agent. */
  url: string;
  requests: LoggedRequest[];
  close(): Promise<void>;
}

/**
 * Starts the scripted model server: a local HTTP server that plays the model for real agent
 * CLIs from a scenario, so tests, `nightshift demo` and `nightshift model-server` run real
 * agents end to end without any model being reachable.
 */
export async function startModelServer(options: ModelServerOptions): Promise<RunningModelServer> {
  const protocols = options.protocols ?? [new AnthropicMessagesProtocol(), new OpenAiResponsesProtocol(), new OpenAiChatCompletionsProtocol(), new GeminiProtocol()];
  const scenario = toScenario(options.scenario, '(scenario given in code)');
  const player = new ScriptPlayer(scenario);
  const now = options.now ?? (() => new Date());
  const requests: LoggedRequest[] = [];
  const record = (entry: LoggedRequest): void => {
    requests.push(entry);
    if (options.requestLogPath) appendFileSync(options.requestLogPath, `${JSON.stringify(entry)}\n`);
  };

  const server = createServer((request, response) => {
    readBody(request)
      .then((body) => answer(request, body, response))
      .catch((error: unknown) => {
        const message = `scripted model server failed: ${(error as Error).message}`;
        record({ at: now().toISOString(), method: request.method ?? '', path: request.url ?? '', answered: 'server-error', status: 500, toolsOffered: [], errorMessage: message });
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ type: 'error', error: { type: 'api_error', message } }));
      });
  });

  const answer = (request: IncomingMessage, rawBody: string, response: ServerResponse): void => {
    const method = request.method ?? 'GET';
    const url = new URL(request.url ?? '/', 'http://localhost');
    const base = { at: now().toISOString(), method, path: url.pathname + url.search };
    const reply = (status: number, body: unknown, answered: string, extra: Partial<LoggedRequest> = {}): void => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(method === 'HEAD' ? undefined : JSON.stringify(body));
      record({ ...base, answered, status, toolsOffered: [], ...extra });
    };
    if (method === 'HEAD' || method === 'GET') {
      if (url.pathname === '/') reply(200, { name: 'nightshift scripted model server', scenario: scenario.sourceName }, 'health');
      else reply(404, { type: 'error', error: { type: 'not_found_error', message: `no ${method} ${url.pathname} here` } }, 'not-found');
      return;
    }
    const protocol = method === 'POST' ? protocols.find((candidate) => candidate.handlesPath(url.pathname)) : undefined;
    if (protocol === undefined) {
      reply(404, { type: 'error', error: { type: 'not_found_error', message: `no ${method} ${url.pathname} here` } }, 'not-found');
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(rawBody);
    } catch (error) {
      reply(400, { type: 'error', error: { type: 'invalid_request_error', message: `the body is not JSON: ${(error as Error).message}` } }, 'invalid', { protocol: protocol.name });
      return;
    }
    const parsed = protocol.readRequest(url.pathname, body, request.headers);
    if (parsed.kind === 'invalid') {
      reply(400, { type: 'error', error: { type: 'invalid_request_error', message: parsed.message } }, 'invalid', { protocol: protocol.name, errorMessage: parsed.message });
      return;
    }
    if (parsed.kind === 'direct') {
      reply(parsed.status, parsed.body, 'direct', { protocol: protocol.name });
      return;
    }
    const decision = player.decide(parsed.conversation);
    const promptExcerpt = stagePromptExcerpt(parsed.conversation);
    protocol.writeTurn(response, decision.turn, parsed.conversation, now());
    record({
      ...base,
      protocol: protocol.name,
      ...(decision.markers ? { ticketId: decision.markers.ticketId, stage: decision.markers.stage, attempt: decision.markers.attempt } : {}),
      answered: decision.answered,
      ...(decision.actionIndex === undefined ? {} : { actionIndex: decision.actionIndex }),
      status: decision.turn.kind === 'error' ? decision.turn.status : 200,
      toolsOffered: parsed.conversation.tools.map((tool) => tool.name),
      ...(decision.turn.kind === 'error' ? { errorMessage: decision.turn.message } : {}),
      ...(promptExcerpt === undefined ? {} : { promptExcerpt }),
    });
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function stagePromptExcerpt(conversation: Conversation): string | undefined {
  for (const message of [...conversation.messages].reverse()) {
    if (message.role !== 'user') continue;
    const prompt = message.texts.find((text) => readScenarioMarkers(text) !== undefined);
    if (prompt !== undefined) return prompt.slice(0, PROMPT_EXCERPT_CHARACTERS);
  }
  return undefined;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
