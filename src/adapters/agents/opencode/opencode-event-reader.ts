import type { AgentUsage } from '../../../ports/agent.js';
import type { StageEventStream } from '../../shared/stage-event-stream.js';

/** What the JSON lines of one `opencode run --format json` told us. */
export interface OpenCodeRunState {
  sessionId?: string;
  /** The text of the latest `text` event: at C0/C1 the JSON the stage asks for. */
  lastText: string;
  /** Tokens summed over every `step_finish`; the cost only when OpenCode priced the model (never for our own provider). */
  usage: AgentUsage;
  /** From `error` events (the session failed; OpenCode exits 1). */
  errors: OpenCodeError[];
  unparsedLines: string[];
}

export interface OpenCodeError {
  message: string;
  statusCode?: number;
  responseHeaders?: Record<string, string>;
}

/**
 * Turns OpenCode's JSON lines (`step_start`, `tool_use`, `text`, `step_finish`, `error`) into
 * normalized events as they arrive, whatever the chunking. Each `usage` event carries the
 * total so far, so the last one is the stage's usage.
 */
export class OpenCodeEventReader {
  readonly state: OpenCodeRunState = { lastText: '', usage: { inputTokens: 0, outputTokens: 0 }, errors: [], unparsedLines: [] };
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
    if (typeof record.sessionID === 'string' && record.sessionID !== '') {
      this.state.sessionId = record.sessionID;
      this.events.start({ sessionId: record.sessionID });
    }
    const part = isRecord(record.part) ? record.part : {};
    const at = this.events.at();
    if (record.type === 'tool_use' && typeof part.tool === 'string') {
      const input = isRecord(part.state) ? part.state.input : undefined;
      this.events.emit({ type: 'tool-call', at, tool: part.tool, input });
    } else if (record.type === 'text' && typeof part.text === 'string') {
      this.state.lastText = part.text;
      this.events.emit({ type: 'text-delta', at, text: part.text });
    } else if (record.type === 'step_finish') {
      this.addUsage(part);
      this.events.emit({ type: 'usage', at, usage: { ...this.state.usage } });
    } else if (record.type === 'error') {
      this.state.errors.push(readError(record.error));
    }
  }

  private addUsage(part: Record<string, unknown>): void {
    const tokens = isRecord(part.tokens) ? part.tokens : {};
    const cache = isRecord(tokens.cache) ? tokens.cache : {};
    const usage = this.state.usage;
    usage.inputTokens += count(tokens.input) + count(cache.read) + count(cache.write);
    usage.outputTokens += count(tokens.output) + count(tokens.reasoning);
    const cost = (usage.costUsd ?? 0) + count(part.cost);
    if (cost > 0) usage.costUsd = cost;
  }
}

function readError(error: unknown): OpenCodeError {
  if (!isRecord(error)) return { message: String(error) };
  const data = isRecord(error.data) ? error.data : {};
  const message = typeof data.message === 'string' ? data.message : typeof error.name === 'string' ? error.name : 'unknown error';
  const headers = isRecord(data.responseHeaders) ? (Object.fromEntries(Object.entries(data.responseHeaders).filter(([, value]) => typeof value === 'string')) as Record<string, string>) : undefined;
  return {
    message,
    ...(typeof data.statusCode === 'number' ? { statusCode: data.statusCode } : {}),
    ...(headers === undefined ? {} : { responseHeaders: headers }),
  };
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
