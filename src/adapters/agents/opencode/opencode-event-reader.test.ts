import { describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../../ports/agent.js';
import type { RelayedCliRun } from '../../shared/relayed-cli-stage.js';
import { StageEventStream } from '../../shared/stage-event-stream.js';
import { decideOpenCodeResult } from './opencode-agent.js';
import { OpenCodeEventReader } from './opencode-event-reader.js';

const AT = new Date('2024-01-15T18:00:00.000Z');
const exited: RelayedCliRun = { process: { exitCode: 0, signal: null, timedOut: false, stderrTail: '' }, failures: [] };

function read(lines: string[], chunkSize = 7): { reader: OpenCodeEventReader; events: AgentEvent[] } {
  const events: AgentEvent[] = [];
  const reader = new OpenCodeEventReader(new StageEventStream('opencode', (event) => events.push(event), () => AT));
  const text = lines.join('\n');
  for (let index = 0; index < text.length; index += chunkSize) reader.push(text.slice(index, index + chunkSize));
  reader.end();
  return { reader, events };
}

const session = 'ses_1';
const stepFinish = (input: number, output: number, cost = 0): string =>
  JSON.stringify({ type: 'step_finish', sessionID: session, part: { type: 'step-finish', tokens: { input, output, reasoning: 1, cache: { read: 2, write: 0 } }, cost } });
const toolUse = JSON.stringify({ type: 'tool_use', sessionID: session, part: { type: 'tool', tool: 'write', state: { status: 'completed', input: { filePath: '/w/a', content: 'x' } } } });
const text = JSON.stringify({ type: 'text', sessionID: session, part: { type: 'text', text: '{"summary":"s"}' } });

describe('OpenCodeEventReader', () => {
  it('turns OpenCode’s JSON lines into events, whatever the chunking, summing usage over steps', () => {
    const { reader, events } = read([JSON.stringify({ type: 'step_start', sessionID: session, part: {} }), toolUse, stepFinish(100, 10), 'a log line', text, stepFinish(120, 5)]);
    expect(events).toEqual([
      { type: 'agent-start', at: AT.toISOString(), agent: 'opencode', sessionId: session },
      { type: 'tool-call', at: AT.toISOString(), tool: 'write', input: { filePath: '/w/a', content: 'x' } },
      { type: 'usage', at: AT.toISOString(), usage: { inputTokens: 102, outputTokens: 11 } },
      { type: 'text-delta', at: AT.toISOString(), text: '{"summary":"s"}' },
      { type: 'usage', at: AT.toISOString(), usage: { inputTokens: 224, outputTokens: 17 } },
    ]);
    expect(reader.state.unparsedLines).toEqual(['a log line']);
    expect(decideOpenCodeResult(reader.state, exited, 'opencode', 1000, () => AT)).toEqual({
      outcome: 'completed',
      finalText: '{"summary":"s"}',
      sessionId: session,
      usage: { inputTokens: 224, outputTokens: 17 },
      exitCode: 0,
    });
  });

  it('keeps a cost only when OpenCode priced the model', () => {
    expect(read([stepFinish(1, 1, 0.25)]).reader.state.usage.costUsd).toBe(0.25);
    expect(read([stepFinish(1, 1)]).reader.state.usage).not.toHaveProperty('costUsd');
  });

  it('fails with OpenCode’s error, reads a 429 with its headers, and prefers what the relay saw', () => {
    const error = (statusCode: number, headers: Record<string, string> = {}): string =>
      JSON.stringify({ type: 'error', sessionID: session, error: { name: 'APIError', data: { message: 'nope', statusCode, isRetryable: false, responseHeaders: headers } } });
    const failed = { ...exited, process: { ...exited.process, exitCode: 1 } };
    expect(decideOpenCodeResult(read([error(400)]).reader.state, failed, 'opencode', 1000, () => AT)).toMatchObject({ outcome: 'failed', errorMessage: 'opencode: nope' });
    expect(decideOpenCodeResult(read([error(429, { 'retry-after': '60' })]).reader.state, failed, 'opencode', 1000, () => AT)).toMatchObject({
      outcome: 'rate-limited',
      rateLimit: { retryAfterSeconds: 60, resetAt: '2024-01-15T18:01:00.000Z' },
    });
    const stopped: RelayedCliRun = {
      ...failed,
      process: { ...failed.process, cancelled: true },
      stoppedBy: { outcome: 'rate-limited', failure: { at: AT.toISOString(), status: 429, message: 'slow down', retryAfterSeconds: 3600, resetAt: '2024-01-15T19:00:00.000Z' } },
    };
    expect(decideOpenCodeResult(read([]).reader.state, stopped, 'opencode', 1000, () => AT)).toMatchObject({
      outcome: 'rate-limited',
      errorMessage: 'opencode: the model call failed (HTTP 429): slow down',
      rateLimit: { retryAfterSeconds: 3600, resetAt: '2024-01-15T19:00:00.000Z' },
    });
    expect(decideOpenCodeResult(read([]).reader.state, { ...failed, process: { ...failed.process, stderrTail: 'boom\n' } }, 'opencode', 1000, () => AT)).toMatchObject({
      outcome: 'failed',
      errorMessage: 'boom',
    });
    expect(decideOpenCodeResult(read([]).reader.state, { ...exited, process: { ...exited.process, timedOut: true, exitCode: null } }, 'opencode', 1000, () => AT)).toMatchObject({
      outcome: 'timed-out',
    });
    expect(decideOpenCodeResult(read([]).reader.state, { ...exited, process: { ...exited.process, cancelled: true } }, 'opencode', 1000, () => AT)).toMatchObject({
      outcome: 'cancelled',
    });
  });
});
