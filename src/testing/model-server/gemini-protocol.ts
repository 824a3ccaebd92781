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

const GEMINI_PATH = /^\/v1(?:alpha|beta)?\/models\/([^/:]+):(streamGenerateContent|generateContent|countTokens)$/;

/** The `google.rpc.Code` name Google APIs put in `error.status` for an HTTP status. */
const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'NOT_IMPLEMENTED',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

const RETRY_INFO_TYPE = 'type.googleapis.com/google.rpc.RetryInfo';

/**
 * The Gemini API (`POST /v1beta/models/<model>:streamGenerateContent?alt=sse`,
 * `:generateContent` and `:countTokens`), as the Gemini CLI speaks it through
 * `@google/genai`: tool schemas in `tools[].functionDeclarations[]` (`parametersJsonSchema`
 * or `parameters`), the model's turns as `role: "model"` contents, tool results as
 * `functionResponse` parts of user contents, and every answer one
 * `GenerateContentResponse` (`candidates[0].content.parts`, `finishReason`, `usageMetadata`),
 * streamed as a single SSE event or returned as JSON. Errors carry Google's error body, a 429
 * with `google.rpc.RetryInfo` so the CLI reads the delay as Google's own API would give it.
 */
export class GeminiProtocol implements WireProtocol {
  readonly name = 'gemini';
  private responseCounter = 0;
  /**
   * Required string parameters per tool of a request, which the abstract scenario action
   * may have no value for (the Gemini CLI's `replace` requires an `instruction`).
   */
  private readonly requiredParameters = new WeakMap<Conversation, Map<string, string[]>>();

  handlesPath(pathname: string): boolean {
    return GEMINI_PATH.test(pathname);
  }

  readRequest(pathname: string, body: unknown): ProtocolRequest {
    if (!isRecord(body)) return { kind: 'invalid', message: 'the request body must be a JSON object' };
    const [, model = 'scripted-model', method] = GEMINI_PATH.exec(pathname) ?? [];
    if (method === 'countTokens') {
      return { kind: 'direct', status: 200, body: { totalTokens: estimateTokens(JSON.stringify(body).length) } };
    }
    if (!Array.isArray(body.contents)) return { kind: 'invalid', message: 'contents: expected an array' };
    const declarations = (Array.isArray(body.tools) ? body.tools.filter(isRecord) : []).flatMap((tool) =>
      Array.isArray(tool.functionDeclarations) ? tool.functionDeclarations.filter(isRecord) : [],
    );
    const system = isRecord(body.systemInstruction) ? [readContent(body.systemInstruction, 'system')] : [];
    const conversation: Conversation = {
      model,
      stream: method === 'streamGenerateContent',
      tools: declarations.map(readTool),
      messages: [...system, ...body.contents.filter(isRecord).map((content) => readContent(content))],
      requestCharacters: JSON.stringify(body).length,
    };
    this.requiredParameters.set(conversation, new Map(declarations.map((declaration) => [String(declaration.name), requiredStringParameters(declaration)])));
    return { kind: 'conversation', conversation };
  }

  writeTurn(response: ServerResponse, turn: ModelTurn, conversation: Conversation, now: Date): void {
    if (turn.kind === 'error') {
      writeError(response, turn, now);
      return;
    }
    this.responseCounter += 1;
    const part =
      turn.kind === 'text'
        ? { text: turn.text }
        : { functionCall: { name: turn.tool, args: this.completeArguments(conversation, turn.tool, turn.input) } };
    const answer = {
      candidates: [{ content: { role: 'model', parts: [part] }, finishReason: 'STOP', index: 0 }],
      usageMetadata: {
        promptTokenCount: turn.usage.inputTokens,
        candidatesTokenCount: turn.usage.outputTokens,
        totalTokenCount: turn.usage.inputTokens + turn.usage.outputTokens,
      },
      modelVersion: conversation.model,
      responseId: `scripted-${String(this.responseCounter).padStart(6, '0')}`,
    };
    if (!conversation.stream) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(answer));
      return;
    }
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    response.end(`data: ${JSON.stringify(answer)}\r\n\r\n`);
  }

  /**
   * Fills the required string parameters the scripted call leaves out with a plain sentence,
   * as a model would: the CLI rejects a call missing one before running the tool.
   */
  private completeArguments(conversation: Conversation, tool: string, input: Record<string, unknown>): Record<string, unknown> {
    const missing = (this.requiredParameters.get(conversation)?.get(tool) ?? []).filter((name) => !(name in input));
    if (missing.length === 0) return input;
    return { ...input, ...Object.fromEntries(missing.map((name) => [name, `Scripted ${tool} call, as the scenario says.`])) };
  }
}

function writeError(response: ServerResponse, turn: Extract<ModelTurn, { kind: 'error' }>, now: Date): void {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const details: Record<string, unknown>[] = [];
  let message = turn.message;
  if (turn.retryAfterSeconds !== undefined) {
    const resetAt = new Date(now.getTime() + turn.retryAfterSeconds * 1000);
    headers['retry-after'] = String(turn.retryAfterSeconds);
    details.push({ '@type': RETRY_INFO_TYPE, retryDelay: `${turn.retryAfterSeconds}s` });
    if (!/retry in/i.test(message)) message = `${message} Please retry in ${turn.retryAfterSeconds}s (at ${resetAt.toISOString()}).`;
  }
  response.writeHead(turn.status, headers);
  response.end(JSON.stringify({ error: { code: turn.status, message, status: STATUS_NAMES[turn.status] ?? 'UNKNOWN', ...(details.length > 0 ? { details } : {}) } }));
}

function readTool(declaration: Record<string, unknown>): OfferedTool {
  const schema = isRecord(declaration.parametersJsonSchema) ? declaration.parametersJsonSchema : isRecord(declaration.parameters) ? declaration.parameters : {};
  const properties = isRecord(schema.properties) ? schema.properties : {};
  const parameters: OfferedToolParameter[] = Object.entries(properties).map(([name, property]) => {
    const description = isRecord(property) && typeof property.description === 'string' ? property.description : '';
    const type = isRecord(property) && typeof property.type === 'string' ? property.type.toLowerCase() : undefined;
    return { name, description, ...(type === undefined ? {} : { type }) };
  });
  return { name: typeof declaration.name === 'string' ? declaration.name : '', parameters };
}

function requiredStringParameters(declaration: Record<string, unknown>): string[] {
  const schema = isRecord(declaration.parametersJsonSchema) ? declaration.parametersJsonSchema : isRecord(declaration.parameters) ? declaration.parameters : {};
  const properties = isRecord(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? schema.required.filter((name): name is string => typeof name === 'string') : [];
  return required.filter((name) => {
    const property = properties[name];
    return isRecord(property) && typeof property.type === 'string' && property.type.toLowerCase() === 'string';
  });
}

function readContent(content: Record<string, unknown>, forcedRole?: 'system'): ConversationMessage {
  const parts = Array.isArray(content.parts) ? content.parts.filter(isRecord) : [];
  const texts = parts.flatMap((part) => (typeof part.text === 'string' && part.thought !== true ? [part.text] : []));
  const toolResultCount = parts.filter((part) => isRecord(part.functionResponse)).length;
  const role = forcedRole ?? (content.role === 'model' ? 'assistant' : toolResultCount > 0 && texts.length === 0 ? 'tool' : 'user');
  return { role, texts, toolResultCount };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
