import type { AgentUsage } from '../../../ports/agent.js';
import type { StageEventStream } from '../../shared/stage-event-stream.js';

/** What the JSON lines of one `pi --mode json` run told us. */
export interface PiRunState {
  sessionId?: string;
  /** The text of the latest assistant message: at C0/C1 the JSON the stage asks for. */
  lastAssistantText: string;
  /** Tokens summed over every assistant message. */
  usage: AgentUsage;
  /** `stop`, `toolUse`, `error`, `aborted` of the latest assistant message. */
  lastStopReason?: string;
  /** The error of the latest assistant message that failed (pi still exits 0). */
  errorMessage?: string;
  agentEnded: boolean;
  unparsedLines: string[];
}

/**
 * Turns pi's JSON lines (`session`, `agent_start`, `turn_*`, `message_*`, `tool_execution_*`,
 * `agent_end`) into normalized events as they arrive, whatever the chunking. Streaming
 * `message_update`s are skipped: each finished message arrives whole in `message_end`.
 */
export class PiEventReader {
  readonly state: PiRunState = { lastAssistantText: '', usage: { inputTokens: 0, outputTokens: 0 }, agentEnded: false, unparsedLines: [] };
  private partial = '';

  constructor(private readonly events: StageEventStream) {}

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
    if (trimmed === '' || trimmed.startsWith('{"type":"message_update"')) return;
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
    const at = this.events.at();
    if (record.type === 'session' && typeof record.id === 'string') {
      this.state.sessionId = record.id;
    } else if (record.type === 'agent_start') {
      this.events.start(this.state.sessionId === undefined ? {} : { sessionId: this.state.sessionId });
    } else if (record.type === 'tool_execution_start' && typeof record.toolName === 'string') {
      this.events.emit({ type: 'tool-call', at, tool: record.toolName, input: record.args });
    } else if (record.type === 'message_end' && isRecord(record.message) && record.message.role === 'assistant') {
      this.readAssistantMessage(record.message, at);
    } else if (record.type === 'agent_end') {
      this.state.agentEnded = true;
    }
  }

  private readAssistantMessage(message: Record<string, unknown>, at: string): void {
    const blocks = Array.isArray(message.content) ? message.content.filter(isRecord) : [];
    const text = blocks.flatMap((block) => (block.type === 'text' && typeof block.text === 'string' ? [block.text] : [])).join('');
    if (text !== '') {
      this.state.lastAssistantText = text;
      this.events.emit({ type: 'text-delta', at, text });
    }
    this.state.lastStopReason = typeof message.stopReason === 'string' ? message.stopReason : undefined;
    if (message.stopReason === 'error' || message.stopReason === 'aborted') {
      this.state.errorMessage = typeof message.errorMessage === 'string' ? message.errorMessage : `request ${String(message.stopReason)}`;
    }
    const usage = isRecord(message.usage) ? message.usage : {};
    this.state.usage = {
      inputTokens: this.state.usage.inputTokens + count(usage.input) + count(usage.cacheRead) + count(usage.cacheWrite),
      outputTokens: this.state.usage.outputTokens + count(usage.output),
    };
    this.events.emit({ type: 'usage', at, usage: { ...this.state.usage } });
  }
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
