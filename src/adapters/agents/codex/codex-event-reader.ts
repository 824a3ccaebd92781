import type { AgentEvent, AgentUsage } from '../../../ports/agent.js';

/** What the JSON lines of one `codex exec --json` run told us. */
export interface CodexRunState {
  /** The thread id of `thread.started`: what `codex exec resume` takes. */
  sessionId?: string;
  /** The text of the last `agent_message` item. */
  lastAgentMessage: string;
  /** Summed over the run's `turn.completed` events. */
  usage: AgentUsage;
  /** A `turn.completed` arrived. */
  turnCompleted: boolean;
  /** The message of `turn.failed`. */
  failure?: string;
  /** Messages of top-level `error` events (a failed request, a retried stream …). */
  errors: string[];
  /** Messages of `error` items: problems Codex reported and went on after (an unknown model …). */
  warnings: string[];
  /** Lines that were not JSON (kept short, for the error message). */
  unparsedLines: string[];
}

/** Item types that are the agent acting (a tool call), and the input worth logging for each. */
const TOOL_ITEMS: Record<string, (item: Record<string, unknown>) => unknown> = {
  command_execution: (item) => ({ command: item.command }),
  file_change: (item) => ({ changes: item.changes }),
  mcp_tool_call: (item) => ({ server: item.server, tool: item.tool, arguments: item.arguments }),
  web_search: (item) => ({ query: item.query }),
};

/**
 * Turns Codex's `exec --json` output (`thread.started`, `turn.*`, `item.*`, `error`) into
 * normalized {@link AgentEvent}s as it arrives, robust to chunks that split lines and to
 * lines that are not JSON, and keeps what the final {@link CodexRunState} needs.
 */
export class CodexEventReader {
  readonly state: CodexRunState = { lastAgentMessage: '', usage: { inputTokens: 0, outputTokens: 0 }, turnCompleted: false, errors: [], warnings: [], unparsedLines: [] };
  private partial = '';
  private readonly announcedItems = new Set<string>();

  constructor(
    private readonly agentName: string,
    private readonly model: string | undefined,
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
      case 'thread.started':
        this.state.sessionId = stringOrUndefined(record.thread_id);
        this.emit({ type: 'agent-start', at, agent: this.agentName, ...optional('sessionId', this.state.sessionId), ...optional('model', this.model) });
        break;
      case 'turn.completed':
        this.readUsage(record.usage, at);
        this.state.turnCompleted = true;
        break;
      case 'turn.failed':
        this.state.failure = isRecord(record.error) ? (stringOrUndefined(record.error.message) ?? 'the turn failed') : 'the turn failed';
        break;
      case 'error':
        if (typeof record.message === 'string') this.state.errors.push(record.message);
        break;
      case 'item.started':
      case 'item.updated':
      case 'item.completed':
        if (isRecord(record.item)) this.readItem(record.item, record.type === 'item.completed', at);
        break;
    }
  }

  private readItem(item: Record<string, unknown>, completed: boolean, at: string): void {
    const type = String(item.type);
    const describeInput = TOOL_ITEMS[type];
    if (describeInput !== undefined) {
      const id = String(item.id);
      if (this.announcedItems.has(id)) return;
      this.announcedItems.add(id);
      this.emit({ type: 'tool-call', at, tool: type, input: describeInput(item) });
    } else if (completed && type === 'agent_message' && typeof item.text === 'string') {
      this.state.lastAgentMessage = item.text;
      this.emit({ type: 'text-delta', at, text: item.text });
    } else if (completed && type === 'error' && typeof item.message === 'string') {
      this.state.warnings.push(item.message);
    }
  }

  private readUsage(value: unknown, at: string): void {
    if (!isRecord(value)) return;
    const turn: AgentUsage = { inputTokens: count(value.input_tokens), outputTokens: count(value.output_tokens) };
    this.state.usage = { inputTokens: this.state.usage.inputTokens + turn.inputTokens, outputTokens: this.state.usage.outputTokens + turn.outputTokens };
    this.emit({ type: 'usage', at, usage: turn });
  }
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
