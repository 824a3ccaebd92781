import type { ServerResponse } from 'node:http';
import {
  estimateTokens,
  FREEFORM_INPUT_KEY,
  type Conversation,
  type ConversationMessage,
  type ModelTurn,
  type OfferedTool,
  type OfferedToolParameter,
  type ProtocolRequest,
  type TurnUsage,
  type WireProtocol,
} from './wire-protocol.js';

/** OpenAI's error `type` and `code` per status (a code only where the status always means one thing). */
const ERRORS: Record<number, { type: string; code: string | null }> = {
  400: { type: 'invalid_request_error', code: null },
  401: { type: 'invalid_request_error', code: 'invalid_api_key' },
  429: { type: 'requests', code: 'rate_limit_exceeded' },
};

const TOOL_RESULT_TYPES = new Set(['function_call_output', 'custom_tool_call_output', 'local_shell_call_output', 'tool_search_output']);
const TOOL_CALL_TYPES = new Set(['function_call', 'custom_tool_call', 'local_shell_call', 'tool_search_call', 'web_search_call']);

/**
 * OpenAI Responses (`POST /v1/responses`, `…/input_tokens`), as Codex speaks it: tools as
 * `function` (JSON-schema `parameters`) or freeform `custom` tools (Codex's `apply_patch`),
 * the conversation as `input` items where tool results come back as `function_call_output` /
 * `custom_tool_call_output`, answers streamed as SSE (`response.created`, one
 * `response.output_item.done` per item, `response.completed` with usage) or one JSON response.
 */
export class OpenAiResponsesProtocol implements WireProtocol {
  readonly name = 'openai-responses';
  private responseCounter = 0;

  handlesPath(pathname: string): boolean {
    return pathname === '/v1/responses' || pathname === '/v1/responses/input_tokens';
  }

  readRequest(pathname: string, body: unknown): ProtocolRequest {
    if (!isRecord(body)) return { kind: 'invalid', message: 'the request body must be a JSON object' };
    if (pathname.endsWith('/input_tokens')) {
      return { kind: 'direct', status: 200, body: { object: 'response.input_tokens', input_tokens: estimateTokens(JSON.stringify(body).length) } };
    }
    if (typeof body.input !== 'string' && !Array.isArray(body.input)) return { kind: 'invalid', message: 'input: expected a string or an array of items' };
    const items = typeof body.input === 'string' ? [{ type: 'message', role: 'user', content: body.input }] : body.input.filter(isRecord);
    const instructions: ConversationMessage[] = typeof body.instructions === 'string' ? [{ role: 'system', texts: [body.instructions], toolResultCount: 0 }] : [];
    const conversation: Conversation = {
      model: typeof body.model === 'string' ? body.model : 'scripted-model',
      stream: body.stream === true,
      tools: readTools([...(Array.isArray(body.tools) ? body.tools : []), ...items.flatMap((item) => (item.type === 'additional_tools' && Array.isArray(item.tools) ? item.tools : []))]),
      messages: [...instructions, ...items.map(readItem)],
      requestCharacters: JSON.stringify(body).length,
    };
    return { kind: 'conversation', conversation };
  }

  writeTurn(response: ServerResponse, turn: ModelTurn, conversation: Conversation, now: Date): void {
    if (turn.kind === 'error') {
      writeError(response, turn, now);
      return;
    }
    this.responseCounter += 1;
    const serial = String(this.responseCounter).padStart(6, '0');
    const id = `resp_scripted_${serial}`;
    const item = turn.kind === 'text' ? messageItem(`msg_scripted_${serial}`, turn.text) : toolCallItem(serial, turn, conversation.tools);
    const usage = toUsage(turn.usage);
    const createdAt = Math.floor(now.getTime() / 1000);
    const base = { id, object: 'response', created_at: createdAt, model: conversation.model };
    if (!conversation.stream) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ ...base, status: 'completed', output: [item], usage }));
      return;
    }
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    let sequence = 0;
    const send = (type: string, data: Record<string, unknown>): void => {
      response.write(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence, ...data })}\n\n`);
      sequence += 1;
    };
    send('response.created', { response: { ...base, status: 'in_progress', output: [] } });
    send('response.output_item.added', { output_index: 0, item: turn.kind === 'text' ? { ...item, status: 'in_progress', content: [] } : item });
    if (turn.kind === 'text') {
      send('response.output_text.delta', { item_id: item.id, output_index: 0, content_index: 0, delta: turn.text });
      send('response.output_text.done', { item_id: item.id, output_index: 0, content_index: 0, text: turn.text });
    }
    send('response.output_item.done', { output_index: 0, item });
    send('response.completed', { response: { ...base, status: 'completed', output: [item], usage } });
    response.end();
  }
}

function messageItem(id: string, text: string): Record<string, unknown> {
  return { type: 'message', id, status: 'completed', role: 'assistant', content: [{ type: 'output_text', text, annotations: [] }] };
}

function toolCallItem(serial: string, turn: Extract<ModelTurn, { kind: 'tool-call' }>, tools: readonly OfferedTool[]): Record<string, unknown> {
  const freeform = tools.find((tool) => tool.name === turn.tool)?.freeform !== undefined;
  if (freeform) {
    const text = turn.input[FREEFORM_INPUT_KEY];
    return { type: 'custom_tool_call', id: `ctc_scripted_${serial}`, status: 'completed', call_id: turn.callId, name: turn.tool, input: typeof text === 'string' ? text : JSON.stringify(turn.input) };
  }
  return { type: 'function_call', id: `fc_scripted_${serial}`, status: 'completed', call_id: turn.callId, name: turn.tool, arguments: JSON.stringify(turn.input) };
}

function toUsage(usage: TurnUsage): Record<string, unknown> {
  return {
    input_tokens: usage.inputTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: usage.inputTokens + usage.outputTokens,
  };
}

/**
 * OpenAI announces when a limit resets as a duration (`6m0s`, `1h0m0s`, `20s`) in its
 * `x-ratelimit-reset-*` headers, next to the standard `retry-after` in seconds.
 */
export function formatResetDuration(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const rest = whole % 60;
  if (hours > 0) return `${hours}h${minutes}m${rest}s`;
  if (minutes > 0) return `${minutes}m${rest}s`;
  return `${rest}s`;
}

function writeError(response: ServerResponse, turn: Extract<ModelTurn, { kind: 'error' }>, now: Date): void {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  let message = turn.message;
  if (turn.retryAfterSeconds !== undefined) {
    const resetAt = new Date(now.getTime() + turn.retryAfterSeconds * 1000);
    headers['retry-after'] = String(turn.retryAfterSeconds);
    if (turn.status === 429) {
      const reset = formatResetDuration(turn.retryAfterSeconds);
      Object.assign(headers, {
        'x-ratelimit-limit-requests': '500',
        'x-ratelimit-remaining-requests': '0',
        'x-ratelimit-reset-requests': reset,
        'x-ratelimit-limit-tokens': '30000',
        'x-ratelimit-remaining-tokens': '0',
        'x-ratelimit-reset-tokens': reset,
      });
    }
    if (!/retry after/i.test(message)) message = `${message} (retry after ${turn.retryAfterSeconds} seconds, at ${resetAt.toISOString()})`;
  }
  const { type, code } = ERRORS[turn.status] ?? { type: turn.status >= 500 ? 'server_error' : 'invalid_request_error', code: null };
  response.writeHead(turn.status, headers);
  response.end(JSON.stringify({ error: { message, type, param: null, code } }));
}

/**
 * Tools come in `tools`, and (Codex's code-mode models) in `additional_tools` input items;
 * a `namespace` groups tools, which are listed by their own names.
 */
function readTools(tools: unknown[]): OfferedTool[] {
  return tools.filter(isRecord).flatMap((tool) => (tool.type === 'namespace' && Array.isArray(tool.tools) ? readTools(tool.tools) : [readTool(tool)]));
}

function readTool(tool: Record<string, unknown>): OfferedTool {
  const name = typeof tool.name === 'string' ? tool.name : typeof tool.type === 'string' ? tool.type : '';
  if (tool.type === 'custom') {
    const format = isRecord(tool.format) ? tool.format : {};
    return { name, parameters: [], freeform: typeof format.definition === 'string' ? { grammar: format.definition } : {} };
  }
  const schema = isRecord(tool.parameters) ? tool.parameters : {};
  const properties = isRecord(schema.properties) ? schema.properties : {};
  const parameters: OfferedToolParameter[] = Object.entries(properties).map(([parameterName, property]) => {
    const description = isRecord(property) && typeof property.description === 'string' ? property.description : '';
    const type = isRecord(property) && typeof property.type === 'string' ? property.type : undefined;
    return { name: parameterName, description, ...(type === undefined ? {} : { type }) };
  });
  return { name, parameters };
}

function readItem(item: Record<string, unknown>): ConversationMessage {
  const type = typeof item.type === 'string' ? item.type : 'message';
  if (TOOL_RESULT_TYPES.has(type)) return { role: 'tool', texts: [], toolResultCount: 1 };
  if (type !== 'message') return { role: TOOL_CALL_TYPES.has(type) || type === 'reasoning' ? 'assistant' : 'system', texts: [], toolResultCount: 0 };
  const role = item.role === 'assistant' ? 'assistant' : item.role === 'developer' || item.role === 'system' ? 'system' : 'user';
  if (typeof item.content === 'string') return { role, texts: [item.content], toolResultCount: 0 };
  const parts = Array.isArray(item.content) ? item.content.filter(isRecord) : [];
  return { role, texts: parts.flatMap((part) => (typeof part.text === 'string' ? [part.text] : [])), toolResultCount: 0 };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
