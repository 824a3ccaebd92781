import type { AgentEvent, AgentUsage } from '../../../ports/agent.js';

/** What the NDJSON stream of one `claude -p --output-format stream-json` run told us. */
export interface ClaudeRunState {
  sessionId?: string;
  model?: string;
  /** The last answer text of the model (API error notices excluded). */
  lastAssistantText: string;
  result?: ClaudeResult;
  /** The latest retry Claude announced after an HTTP 429 (`system/api_retry`). */
  retryAfter429Seconds?: number;
  /** From `rate_limit_event` when Claude reports a rejected limit with its reset. */
  rateLimitResetAt?: string;
  /** Lines that were not JSON (kept short, for the error message). */
  unparsedLines: string[];
}

export interface ClaudeResult {
  isError: boolean;
  text: string;
  usage: AgentUsage;
  sessionId?: string;
  apiErrorStatus?: number;
  apiErrorType?: string;
}

/**
 * Turns Claude Code's stream-json output into normalized {@link AgentEvent}s as it arrives,
 * robust to chunks that split lines and to lines that are not JSON, and keeps what the
 * final {@link ClaudeRunState} needs.
 */
export class ClaudeStreamReader {
  readonly state: ClaudeRunState = { lastAssistantText: '', unparsedLines: [] };
  private partial = '';

  constructor(
    private readonly agentName: string,
    private readonly emit: (event: AgentEvent) => void,
    private readonly now: () => Date,
  ) {}

  push(text: string): void {
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.readLine(line);
  }

  end(): void {
    if (this.partial.trim() !== '') this.readLine(this.partial);
    this.partial = '';
  }

  private readLine(line: string): void {
    const trimmed = line.trim();
    if (trimmed === '') return;
    let record: unknown;
    try {
      record = JSON.parse(trimmed);
    } catch {
      if (this.state.unparsedLines.length < 20) this.state.unparsedLines.push(trimmed.slice(0, 500));
      return;
    }
    if (isRecord(record)) this.readRecord(record);
  }

  private readRecord(record: Record<string, unknown>): void {
    const at = this.now().toISOString();
    if (record.type === 'system' && record.subtype === 'init') {
      this.state.sessionId = stringOrUndefined(record.session_id);
      this.state.model = stringOrUndefined(record.model);
      this.emit({ type: 'agent-start', at, agent: this.agentName, ...optional('sessionId', this.state.sessionId), ...optional('model', this.state.model) });
    } else if (record.type === 'system' && record.subtype === 'api_retry' && record.error_status === 429) {
      const delay = typeof record.retry_delay_ms === 'number' ? Math.round(record.retry_delay_ms / 1000) : undefined;
      if (delay !== undefined) this.state.retryAfter429Seconds = delay;
      this.emit({ type: 'rate-limit', at, ...optional('retryAfterSeconds', delay), message: `HTTP 429; Claude Code retries (attempt ${String(record.attempt)} of ${String(record.max_retries)})` });
    } else if (record.type === 'rate_limit_event' && isRecord(record.rate_limit_info) && record.rate_limit_info.status === 'rejected') {
      const resetsAt = record.rate_limit_info.resetsAt;
      const resetAt = typeof resetsAt === 'number' ? new Date(resetsAt * 1000).toISOString() : undefined;
      if (resetAt !== undefined) this.state.rateLimitResetAt = resetAt;
      this.emit({ type: 'rate-limit', at, ...optional('resetAt', resetAt), message: `rate limit reached (${String(record.rate_limit_info.rateLimitType ?? 'unknown')})` });
    } else if (record.type === 'assistant' && isRecord(record.message) && record.is_api_error_message !== true) {
      this.readAssistantMessage(record.message, at);
    } else if (record.type === 'result') {
      this.readResult(record, at);
    }
  }

  private readAssistantMessage(message: Record<string, unknown>, at: string): void {
    const blocks = Array.isArray(message.content) ? message.content.filter(isRecord) : [];
    for (const block of blocks) {
      if (block.type === 'text' && typeof block.text === 'string') {
        this.state.lastAssistantText = block.text;
        this.emit({ type: 'text-delta', at, text: block.text });
      } else if (block.type === 'tool_use') {
        this.emit({ type: 'tool-call', at, tool: String(block.name), input: block.input });
      }
    }
  }

  private readResult(record: Record<string, unknown>, at: string): void {
    const usage = isRecord(record.usage) ? record.usage : {};
    const agentUsage: AgentUsage = {
      inputTokens: count(usage.input_tokens) + count(usage.cache_creation_input_tokens) + count(usage.cache_read_input_tokens),
      outputTokens: count(usage.output_tokens),
      ...optional('costUsd', typeof record.total_cost_usd === 'number' ? record.total_cost_usd : undefined),
    };
    const sessionId = stringOrUndefined(record.session_id) ?? this.state.sessionId;
    this.state.result = {
      isError: record.is_error === true,
      text: typeof record.result === 'string' ? record.result : '',
      usage: agentUsage,
      ...optional('sessionId', sessionId),
      ...optional('apiErrorStatus', typeof record.api_error_status === 'number' ? record.api_error_status : undefined),
      ...optional('apiErrorType', stringOrUndefined(record.api_error_type)),
    };
    if (sessionId !== undefined) this.state.sessionId = sessionId;
    this.emit({ type: 'usage', at, usage: agentUsage });
  }
}

/**
 * Reads a reset time out of a rate-limit message, when the provider wrote one there:
 * "retry after 30 seconds", an ISO time, or Claude's older "usage limit reached|<epoch>".
 * Real providers mostly announce it in headers, which Claude Code does not pass on.
 */
export function parseRateLimitText(text: string): { retryAfterSeconds?: number; resetAt?: string } {
  const seconds = /retry[- ]after:?\s+(\d+)\s*(?:s\b|sec|second)/i.exec(text)?.[1];
  const iso = /\b(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2}))/.exec(text)?.[1];
  const epoch = /usage limit reached\|(\d{9,11})/i.exec(text)?.[1];
  const resetAt = iso !== undefined ? new Date(iso).toISOString() : epoch !== undefined ? new Date(Number(epoch) * 1000).toISOString() : undefined;
  return { ...optional('retryAfterSeconds', seconds === undefined ? undefined : Number(seconds)), ...optional('resetAt', resetAt) };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
