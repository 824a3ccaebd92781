import type { ServerResponse } from 'node:http';
import {
  estimateTokens,
  type Conversation,
  type ConversationMessage,
  type ModelTurn,
  type OfferedTool,
  type OfferedToolParameter,
  type ProtocolRequest,
  type WireProtocol,
} from './wire-protocol.js';

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  529: 'overloaded_error',
};

/**
 * Anthropic Messages (`POST /v1/messages`, also `?beta=true`; `…/count_tokens`), as Claude
 * Code speaks it: tool schemas in `tools[].input_schema`, tool results as `tool_result`
 * blocks in user messages, answers streamed as SSE or returned as one JSON message.
 */
export class AnthropicMessagesProtocol implements WireProtocol {
  readonly name = 'anthropic-messages';
  private messageCounter = 0;

  handlesPath(pathname: string): boolean {
    return pathname === '/v1/messages' || pathname === '/v1/messages/count_tokens';
  }

  readRequest(pathname: string, body: unknown): ProtocolRequest {
    if (!isRecord(body)) return { kind: 'invalid', message: 'the request body must be a JSON object' };
    if (pathname.endsWith('/count_tokens')) {
      return { kind: 'direct', status: 200, body: { input_tokens: estimateTokens(JSON.stringify(body).length) } };
    }
    if (!Array.isArray(body.messages)) return { kind: 'invalid', message: 'messages: expected an array' };
    const conversation: Conversation = {
      model: typeof body.model === 'string' ? body.model : 'scripted-model',
      stream: body.stream === true,
      tools: Array.isArray(body.tools) ? body.tools.filter(isRecord).map(readTool) : [],
      messages: body.messages.filter(isRecord).map(readMessage),
      requestCharacters: JSON.stringify(body).length,
    };
    return { kind: 'conversation', conversation };
  }

  writeTurn(response: ServerResponse, turn: ModelTurn, conversation: Conversation, now: Date): void {
    if (turn.kind === 'error') {
      writeError(response, turn, now);
      return;
    }
    this.messageCounter += 1;
    const id = `msg_scripted_${String(this.messageCounter).padStart(6, '0')}`;
    const block =
      turn.kind === 'text' ? { type: 'text', text: turn.text } : { type: 'tool_use', id: turn.callId, name: turn.tool, input: turn.input };
    const stopReason = turn.kind === 'text' ? 'end_turn' : 'tool_use';
    const usage = { input_tokens: turn.usage.inputTokens, output_tokens: turn.usage.outputTokens };
    if (!conversation.stream) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({ id, type: 'message', role: 'assistant', model: conversation.model, content: [block], stop_reason: stopReason, stop_sequence: null, usage }),
      );
      return;
    }
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const send = (event: string, data: Record<string, unknown>): void => {
      response.write(`event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`);
    };
    send('message_start', {
      message: { id, type: 'message', role: 'assistant', model: conversation.model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: usage.input_tokens, output_tokens: 1 } },
    });
    if (turn.kind === 'text') {
      send('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
      send('content_block_delta', { index: 0, delta: { type: 'text_delta', text: turn.text } });
    } else {
      send('content_block_start', { index: 0, content_block: { type: 'tool_use', id: turn.callId, name: turn.tool, input: {} } });
      send('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: JSON.stringify(turn.input) } });
    }
    send('content_block_stop', { index: 0 });
    send('message_delta', { delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: usage.output_tokens } });
    send('message_stop', {});
    response.end();
  }
}

function writeError(response: ServerResponse, turn: Extract<ModelTurn, { kind: 'error' }>, now: Date): void {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  let message = turn.message;
  if (turn.retryAfterSeconds !== undefined) {
    const resetAt = new Date(now.getTime() + turn.retryAfterSeconds * 1000);
    headers['retry-after'] = String(turn.retryAfterSeconds);
    if (turn.status === 429) {
      for (const limit of ['requests', 'tokens', 'input-tokens', 'output-tokens']) headers[`anthropic-ratelimit-${limit}-reset`] = resetAt.toISOString();
      headers['anthropic-ratelimit-unified-reset'] = String(Math.ceil(resetAt.getTime() / 1000));
    }
    if (!/retry after/i.test(message)) message = `${message} (retry after ${turn.retryAfterSeconds} seconds, at ${resetAt.toISOString()})`;
  }
  response.writeHead(turn.status, headers);
  response.end(JSON.stringify({ type: 'error', error: { type: ERROR_TYPES[turn.status] ?? 'api_error', message } }));
}

function readTool(tool: Record<string, unknown>): OfferedTool {
  const schema = isRecord(tool.input_schema) ? tool.input_schema : {};
  const properties = isRecord(schema.properties) ? schema.properties : {};
  const parameters: OfferedToolParameter[] = Object.entries(properties).map(([name, property]) => {
    const description = isRecord(property) && typeof property.description === 'string' ? property.description : '';
    const type = isRecord(property) && typeof property.type === 'string' ? property.type : undefined;
    return { name, description, ...(type === undefined ? {} : { type }) };
  });
  return { name: typeof tool.name === 'string' ? tool.name : '', parameters };
}

function readMessage(message: Record<string, unknown>): ConversationMessage {
  const role = message.role === 'assistant' || message.role === 'system' ? message.role : 'user';
  if (typeof message.content === 'string') return { role, texts: [message.content], toolResultCount: 0 };
  const blocks = Array.isArray(message.content) ? message.content.filter(isRecord) : [];
  return {
    role,
    texts: blocks.flatMap((block) => (block.type === 'text' && typeof block.text === 'string' ? [block.text] : [])),
    toolResultCount: blocks.filter((block) => block.type === 'tool_result').length,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
