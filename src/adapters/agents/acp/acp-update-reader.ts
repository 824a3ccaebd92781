import type { AgentEvent } from '../../../ports/agent.js';

/** What the `session/update` notifications of one prompt turn told us. */
export interface AcpTurnState {
  /** The text of the agent's last message (chunks since its last tool call, or of its last message id). */
  lastMessage: string;
  /** The session's cost in US dollars, from the last `usage_update` that carried one. */
  costUsd?: number;
  /**
   * Tokens in the session's context after the last `usage_update` (`used`): the only count some
   * agents give (codex-acp 0.16.0 sends no `PromptResponse.usage`). A lower bound of the tokens
   * billed — every model call of a turn re-sends the context — used only when no better count comes.
   */
  contextTokens?: number;
  toolCallCount: number;
  /** Titles of `notice` updates with severity `error`, for the error message of a failed turn. */
  errorNotices: string[];
}

interface ToolCallRecord {
  announced: boolean;
  kind?: string;
  title?: string;
  name?: string;
  rawInput?: unknown;
  locations?: unknown;
}

/**
 * Reads the agent's `session/update` notifications as raw JSON — not through the SDK's schema,
 * which refuses values agents really send (claude-agent-acp 0.23.1's `usage_update` with
 * `used: null`) — into normalized {@link AgentEvent}s and the turn's final text. Updates that
 * arrive before {@link AcpUpdateReader.beginTurn} (a loaded session replaying its history) are
 * ignored.
 */
export class AcpUpdateReader {
  readonly state: AcpTurnState = { lastMessage: '', toolCallCount: 0, errorNotices: [] };
  private inTurn = false;
  private readonly toolCalls = new Map<string, ToolCallRecord>();
  private messageId: string | undefined;
  private toolCallSinceText = false;

  constructor(
    private readonly emit: (event: AgentEvent) => void,
    private readonly now: () => Date,
  ) {}

  beginTurn(): void {
    this.inTurn = true;
  }

  /** Reads the params of one `session/update` notification. */
  push(params: unknown): void {
    if (!this.inTurn || !isRecord(params) || !isRecord(params.update)) return;
    const update = params.update;
    switch (update.sessionUpdate) {
      case 'agent_message_chunk':
        this.readMessageChunk(update);
        break;
      case 'tool_call':
      case 'tool_call_update':
        this.noteToolCall(update);
        break;
      case 'usage_update':
        if (isRecord(update.cost) && typeof update.cost.amount === 'number' && String(update.cost.currency).toUpperCase() === 'USD') this.state.costUsd = update.cost.amount;
        if (typeof update.used === 'number' && update.used > 0) this.state.contextTokens = update.used;
        break;
      case 'notice':
        if (update.severity === 'error' && typeof update.title === 'string') this.state.errorNotices.push(update.title);
        break;
    }
  }

  /**
   * Records a tool call (from an update or a permission request) and logs it once, as soon as
   * its input is known (agents announce a call first and fill in its input in a later update),
   * or at once when `announceNow` (a permission request is about to be answered).
   */
  noteToolCall(update: Record<string, unknown>, announceNow = false): void {
    const id = typeof update.toolCallId === 'string' ? update.toolCallId : undefined;
    if (id === undefined) return;
    const record = this.toolCalls.get(id) ?? { announced: false };
    this.toolCalls.set(id, record);
    if (typeof update.kind === 'string') record.kind = update.kind;
    if (typeof update.title === 'string') record.title = update.title;
    const name = typeof update.name === 'string' ? update.name : metaToolName(update._meta);
    if (name !== undefined) record.name = name;
    if (hasContent(update.rawInput)) record.rawInput = update.rawInput;
    if (Array.isArray(update.locations) && update.locations.length > 0) record.locations = update.locations;
    const running = update.status === 'in_progress' || update.status === 'completed' || update.status === 'failed';
    if (record.announced || !(record.rawInput !== undefined || running || announceNow)) return;
    record.announced = true;
    this.state.toolCallCount += 1;
    this.toolCallSinceText = true;
    this.emit({
      type: 'tool-call',
      at: this.now().toISOString(),
      tool: record.name ?? record.kind ?? record.title ?? 'tool',
      input: record.rawInput ?? { title: record.title, kind: record.kind, ...(record.locations === undefined ? {} : { locations: record.locations }) },
    });
  }

  private readMessageChunk(update: Record<string, unknown>): void {
    const content = update.content;
    if (!isRecord(content) || content.type !== 'text' || typeof content.text !== 'string' || content.text === '') return;
    const messageId = typeof update.messageId === 'string' ? update.messageId : undefined;
    if (this.toolCallSinceText || (messageId !== undefined && messageId !== this.messageId)) this.state.lastMessage = '';
    this.toolCallSinceText = false;
    this.messageId = messageId;
    this.state.lastMessage += content.text;
    this.emit({ type: 'text-delta', at: this.now().toISOString(), text: content.text });
  }
}

/** A programmatic tool name an agent keeps in `_meta` (claude-agent-acp: `_meta.claudeCode.toolName`). */
function metaToolName(meta: unknown): string | undefined {
  if (!isRecord(meta)) return undefined;
  for (const value of Object.values(meta)) {
    if (isRecord(value) && typeof value.toolName === 'string') return value.toolName;
  }
  return undefined;
}

function hasContent(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (isRecord(value)) return Object.keys(value).length > 0;
  return true;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
