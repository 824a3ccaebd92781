import type { AgentEvent, AgentUsage } from '../../../ports/agent.js';

/** What the JSON lines of one `gemini --output-format stream-json` run told us. */
export interface GeminiRunState {
  sessionId?: string;
  model?: string;
  /** The model's text since its last tool call: the answer of the run. */
  lastAssistantText: string;
  /** The `error` events (warnings and errors the CLI reported without stopping), latest last. */
  errorMessages: string[];
  result?: GeminiResult;
  /** Lines that were not JSON (kept short, for the error message). */
  unparsedLines: string[];
}

export interface GeminiResult {
  isError: boolean;
  /** The CLI's error message when the run failed, e.g. `[API Error: …]`. */
  errorMessage?: string;
  errorType?: string;
  usage: AgentUsage;
}

/**
 * Turns the Gemini CLI's stream-json output (`init`, `message`, `tool_use`, `tool_result`,
 * `error`, `result`) into normalized {@link AgentEvent}s as it arrives, robust to chunks that
 * split lines and to lines that are not JSON, and keeps what the final {@link GeminiRunState}
 * needs. Usage comes only with `result`, in tokens; the CLI reports no cost.
 */
export class GeminiStreamReader {
  readonly state: GeminiRunState = { lastAssistantText: '', errorMessages: [], unparsedLines: [] };
  private partial = '';
  private toolCalledSinceText = false;

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
    switch (record.type) {
      case 'init': {
        this.state.sessionId = stringOrUndefined(record.session_id);
        this.state.model = stringOrUndefined(record.model);
        this.emit({ type: 'agent-start', at, agent: this.agentName, ...optional('sessionId', this.state.sessionId), ...optional('model', this.state.model) });
        return;
      }
      case 'message': {
        if (record.role !== 'assistant' || typeof record.content !== 'string') return;
        if (this.toolCalledSinceText || record.delta !== true) this.state.lastAssistantText = '';
        this.toolCalledSinceText = false;
        this.state.lastAssistantText += record.content;
        this.emit({ type: 'text-delta', at, text: record.content });
        return;
      }
      case 'tool_use': {
        this.toolCalledSinceText = true;
        this.emit({ type: 'tool-call', at, tool: String(record.tool_name), input: record.parameters });
        return;
      }
      case 'error': {
        if (typeof record.message === 'string' && this.state.errorMessages.length < 20) this.state.errorMessages.push(record.message);
        return;
      }
      case 'result': {
        this.readResult(record, at);
        return;
      }
      default:
        return;
    }
  }

  private readResult(record: Record<string, unknown>, at: string): void {
    const stats = isRecord(record.stats) ? record.stats : {};
    const usage: AgentUsage = { inputTokens: count(stats.input_tokens), outputTokens: count(stats.output_tokens) };
    const error = isRecord(record.error) ? record.error : undefined;
    this.state.result = {
      isError: record.status !== 'success',
      usage,
      ...optional('errorMessage', stringOrUndefined(error?.message)),
      ...optional('errorType', stringOrUndefined(error?.type)),
    };
    this.emit({ type: 'usage', at, usage });
  }
}

/**
 * Whether the CLI's error message is a rate limit, and the delay it names. The CLI passes on
 * neither the HTTP status nor `retry-after`; it formats a 429 as `[API Error: …]` followed by
 * its "Please wait and try again later" advice, and appends `Suggested retry after 3600s.`
 * when the API sent a `google.rpc.RetryInfo` (Google's message itself often says
 * `Please retry in 37.5s`).
 */
export function readGeminiRateLimit(message: string): { rateLimited: boolean; retryAfterSeconds?: number } {
  const rateLimited = /Please wait and try again later|RESOURCE_EXHAUSTED|exhausted your (?:daily )?quota/i.test(message);
  const delay = /Suggested retry after ([0-9.]+)s/i.exec(message)?.[1] ?? /Please retry in ([0-9.]+)s/i.exec(message)?.[1];
  return { rateLimited, ...optional('retryAfterSeconds', rateLimited && delay !== undefined ? Math.ceil(Number(delay)) : undefined) };
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
