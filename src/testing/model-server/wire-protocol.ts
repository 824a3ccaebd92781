import type { IncomingHttpHeaders, ServerResponse } from 'node:http';

/**
 * A tool the agent offers the model in a request, reduced to what the scripted model
 * needs to call it: its name and its parameters (name, JSON type, description).
 */
export interface OfferedTool {
  name: string;
  parameters: OfferedToolParameter[];
  /**
   * Set for a freeform tool, which takes raw text instead of JSON arguments (OpenAI
   * `custom` tools, such as Codex's `apply_patch`): a call to it carries that text as
   * `input[FREEFORM_INPUT_KEY]`. `grammar` is the definition of its input format, when given.
   */
  freeform?: { grammar?: string };
}

/** The key under which a call to a freeform tool carries its raw text input. */
export const FREEFORM_INPUT_KEY = 'input';

export interface OfferedToolParameter {
  name: string;
  /** The JSON-schema type (`string`, `array`, …) when the schema names one. */
  type?: string;
  description: string;
}

/**
 * A request's conversation in a protocol-independent shape: each protocol module reads
 * its own wire format into this, and the scenario logic only ever looks at this.
 */
export interface Conversation {
  model: string;
  stream: boolean;
  tools: OfferedTool[];
  messages: ConversationMessage[];
  /** Rough size of the request, to report plausible input-token usage. */
  requestCharacters: number;
}

export interface ConversationMessage {
  role: 'user' | 'assistant' | 'system' | 'tool';
  /** All text the message carries (for user messages: the prompt, reminders, …). */
  texts: string[];
  /** How many tool results this message returns to the model. */
  toolResultCount: number;
}

/** What the scripted model answers to one request, before a protocol writes it on the wire. */
export type ModelTurn =
  | { kind: 'text'; text: string; usage: TurnUsage }
  | { kind: 'tool-call'; callId: string; tool: string; input: Record<string, unknown>; usage: TurnUsage }
  | { kind: 'error'; status: number; message: string; retryAfterSeconds?: number };

export interface TurnUsage {
  inputTokens: number;
  outputTokens: number;
}

/** What a protocol makes of an incoming HTTP request. */
export type ProtocolRequest =
  /** A model call: the server decides a turn, then the protocol writes it. */
  | { kind: 'conversation'; conversation: Conversation }
  /** An auxiliary endpoint the protocol answers by itself (token counting …). */
  | { kind: 'direct'; status: number; body: unknown }
  /** The body does not fit the protocol. */
  | { kind: 'invalid'; message: string };

/**
 * One vendor wire protocol (Anthropic Messages now; OpenAI Responses, Chat Completions
 * and Gemini later), so that adding one is adding a module, not editing the server.
 */
export interface WireProtocol {
  readonly name: string;
  /** Whether this protocol serves a POST to this path (query string removed). */
  handlesPath(pathname: string): boolean;
  readRequest(pathname: string, body: unknown, headers: IncomingHttpHeaders): ProtocolRequest;
  writeTurn(response: ServerResponse, turn: ModelTurn, conversation: Conversation, now: Date): void;
}

/** Token counts the scripted model reports: deterministic and roughly proportional to size. */
export function estimateTokens(characters: number): number {
  return Math.max(1, Math.ceil(characters / 4));
}
