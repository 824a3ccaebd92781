import type { AgentUsage } from '../../../ports/agent.js';
import type { StageEventStream } from '../../shared/stage-event-stream.js';

/** What the stream-json output of one `qwen -o stream-json` run told us. */
export interface QwenRunState {
  sessionId?: string;
  model?: string;
  /** The last answer text of the model. */
  lastAssistantText: string;
  result?: QwenResult;
  unparsedLines: string[];
}

export interface QwenResult {
  isError: boolean;
  text: string;
  usage: AgentUsage;
  errorMessage?: string;
}

/**
 * Turns Qwen Code's stream-json output (Claude Code's shape: `system`/`init`, `assistant`,
 * `user` tool results, `result`) into normalized events as it arrives, whatever the chunking.
 */
export class QwenStreamReader {
  readonly state: QwenRunState = { lastAssistantText: '', unparsedLines: [] };
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
    const at = this.events.at();
    if (record.type === 'system' && record.subtype === 'init') {
      if (typeof record.session_id === 'string') this.state.sessionId = record.session_id;
      if (typeof record.model === 'string') this.state.model = record.model;
      this.events.start({
        ...(this.state.sessionId === undefined ? {} : { sessionId: this.state.sessionId }),
        ...(this.state.model === undefined ? {} : { model: this.state.model }),
      });
    } else if (record.type === 'assistant' && isRecord(record.message) && record.parent_tool_use_id == null) {
      const blocks = Array.isArray(record.message.content) ? record.message.content.filter(isRecord) : [];
      for (const block of blocks) {
        if (block.type === 'text' && typeof block.text === 'string') {
          this.state.lastAssistantText = block.text;
          this.events.emit({ type: 'text-delta', at, text: block.text });
        } else if (block.type === 'tool_use') {
          this.events.emit({ type: 'tool-call', at, tool: String(block.name), input: block.input });
        }
      }
    } else if (record.type === 'result') {
      this.readResult(record, at);
    }
  }

  private readResult(record: Record<string, unknown>, at: string): void {
    const usage = isRecord(record.usage) ? record.usage : {};
    const agentUsage: AgentUsage = { inputTokens: count(usage.input_tokens), outputTokens: count(usage.output_tokens) };
    const error = isRecord(record.error) && typeof record.error.message === 'string' ? record.error.message : undefined;
    this.state.result = {
      isError: record.is_error === true,
      text: typeof record.result === 'string' ? record.result : '',
      usage: agentUsage,
      ...(error === undefined ? {} : { errorMessage: error }),
    };
    if (typeof record.session_id === 'string') this.state.sessionId = record.session_id;
    this.events.emit({ type: 'usage', at, usage: agentUsage });
  }
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
