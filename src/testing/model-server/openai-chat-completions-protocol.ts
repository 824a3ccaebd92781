import type { ServerResponse } from 'node:http';
import type {
  Conversation,
  ConversationMessage,
  ModelTurn,
  OfferedTool,
  OfferedToolParameter,
  ProtocolRequest,
  WireProtocol,
} from './wire-protocol.js';

const ERROR_TYPES: Record<number, { type: string; code: string | null }> = {
  400: { type: 'invalid_request_error', code: null },
  401: { type: 'invalid_request_error', code: 'invalid_api_key' },
  403: { type: 'invalid_request_error', code: 'forbidden' },
  404: { type: 'invalid_request_error', code: 'model_not_found' },
  429: { type: 'requests', code: 'rate_limit_exceeded' },
};

/**
 * OpenAI Chat Completions (`POST /v1/chat/completions`, also without `/v1`), as OpenCode,
 * Qwen Code and pi speak it to any OpenAI-compatible endpoint: tool schemas in
 * `tools[].function.parameters`, tool calls answered with `role: "tool"` messages, answers
 * streamed as `chat.completion.chunk` SSE events ending with `data: [DONE]` (usage in a last
 * chunk when `stream_options.include_usage` asks for it) or returned as one JSON completion.
 * None of the three asks `GET /v1/models` when configured as the adapters configure them.
 */
export class OpenAiChatCompletionsProtocol implements WireProtocol {
  readonly name = 'openai-chat-completions';
  private completionCounter = 0;
  /** Whether a request asked for a usage chunk, kept per conversation object. */
  private readonly includeUsage = new WeakMap<Conversation, boolean>();

  handlesPath(pathname: string): boolean {
    return pathname === '/v1/chat/completions' || pathname === '/chat/completions';
  }

  readRequest(_pathname: string, body: unknown): ProtocolRequest {
    if (!isRecord(body)) return { kind: 'invalid', message: 'the request body must be a JSON object' };
    if (!Array.isArray(body.messages)) return { kind: 'invalid', message: 'messages: expected an array' };
    const conversation: Conversation = {
      model: typeof body.model === 'string' ? body.model : 'scripted-model',
      stream: body.stream === true,
      tools: Array.isArray(body.tools) ? body.tools.filter(isRecord).flatMap(readTool) : [],
      messages: body.messages.filter(isRecord).map(readMessage),
      requestCharacters: JSON.stringify(body).length,
    };
    const streamOptions = isRecord(body.stream_options) ? body.stream_options : {};
    this.includeUsage.set(conversation, streamOptions.include_usage === true);
    return { kind: 'conversation', conversation };
  }

  writeTurn(response: ServerResponse, turn: ModelTurn, conversation: Conversation, now: Date): void {
    if (turn.kind === 'error') {
      writeError(response, turn, now);
      return;
    }
    this.completionCounter += 1;
    const id = `chatcmpl-scripted-${String(this.completionCounter).padStart(6, '0')}`;
    const created = Math.floor(now.getTime() / 1000);
    const usage = { prompt_tokens: turn.usage.inputTokens, completion_tokens: turn.usage.outputTokens, total_tokens: turn.usage.inputTokens + turn.usage.outputTokens };
    const toolCall = turn.kind === 'tool-call' ? { id: turn.callId, type: 'function', function: { name: turn.tool, arguments: JSON.stringify(turn.input) } } : undefined;
    const finishReason = turn.kind === 'text' ? 'stop' : 'tool_calls';
    if (!conversation.stream) {
      response.writeHead(200, { 'content-type': 'application/json' });
      const message = turn.kind === 'text' ? { role: 'assistant', content: turn.text } : { role: 'assistant', content: null, tool_calls: [toolCall] };
      response.end(JSON.stringify({ id, object: 'chat.completion', created, model: conversation.model, choices: [{ index: 0, message, finish_reason: finishReason }], usage }));
      return;
    }
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const send = (choices: unknown[], extra: Record<string, unknown> = {}): void => {
      response.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: conversation.model, choices, ...extra })}\n\n`);
    };
    send([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]);
    if (turn.kind === 'text') send([{ index: 0, delta: { content: turn.text }, finish_reason: null }]);
    else send([{ index: 0, delta: { tool_calls: [{ index: 0, ...toolCall }] }, finish_reason: null }]);
    send([{ index: 0, delta: {}, finish_reason: finishReason }]);
    if (this.includeUsage.get(conversation) === true) send([], { usage });
    response.write('data: [DONE]\n\n');
    response.end();
  }
}

/**
 * OpenAI announces a limit's reset in `retry-after` and as durations such as `1h0m0s` in
 * `x-ratelimit-reset-requests`/`-tokens`; the message names it too, for clients that keep
 * only the error text.
 */
function writeError(response: ServerResponse, turn: Extract<ModelTurn, { kind: 'error' }>, now: Date): void {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  let message = turn.message;
  if (turn.retryAfterSeconds !== undefined) {
    const resetAt = new Date(now.getTime() + turn.retryAfterSeconds * 1000);
    headers['retry-after'] = String(turn.retryAfterSeconds);
    headers['retry-after-ms'] = String(turn.retryAfterSeconds * 1000);
    if (turn.status === 429) {
      headers['x-ratelimit-reset-requests'] = formatDuration(turn.retryAfterSeconds);
      headers['x-ratelimit-reset-tokens'] = formatDuration(turn.retryAfterSeconds);
      headers['x-ratelimit-remaining-requests'] = '0';
    }
    if (!/retry after/i.test(message)) message = `${message} (retry after ${turn.retryAfterSeconds} seconds, at ${resetAt.toISOString()})`;
  }
  const kind = ERROR_TYPES[turn.status] ?? { type: turn.status >= 500 ? 'server_error' : 'invalid_request_error', code: null };
  response.writeHead(turn.status, headers);
  response.end(JSON.stringify({ error: { message, type: kind.type, param: null, code: kind.code } }));
}

/** `3725` → `1h2m5s`, the way OpenAI writes its reset headers. */
export function formatDuration(totalSeconds: number): string {
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}

function readTool(tool: Record<string, unknown>): OfferedTool[] {
  const definition = isRecord(tool.function) ? tool.function : undefined;
  if (definition === undefined || typeof definition.name !== 'string') return [];
  const schema = isRecord(definition.parameters) ? definition.parameters : {};
  const properties = isRecord(schema.properties) ? schema.properties : {};
  const parameters: OfferedToolParameter[] = Object.entries(properties).map(([name, property]) => {
    const description = isRecord(property) && typeof property.description === 'string' ? property.description : '';
    const type = isRecord(property) && typeof property.type === 'string' ? property.type : undefined;
    return { name, description, ...(type === undefined ? {} : { type }) };
  });
  return [{ name: definition.name, parameters }];
}

function readMessage(message: Record<string, unknown>): ConversationMessage {
  const role = message.role === 'assistant' || message.role === 'tool' ? message.role : message.role === 'system' || message.role === 'developer' ? 'system' : 'user';
  const texts =
    typeof message.content === 'string'
      ? [message.content]
      : Array.isArray(message.content)
        ? message.content.filter(isRecord).flatMap((part) => (part.type === 'text' && typeof part.text === 'string' ? [part.text] : []))
        : [];
  return { role, texts, toolResultCount: role === 'tool' ? 1 : 0 };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
