import { describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../../ports/agent.js';
import { decideGeminiStageResult } from './gemini-agent.js';
import { GeminiStreamReader, readGeminiRateLimit } from './gemini-stream-reader.js';

const NOW = new Date('2026-01-15T02:00:00Z');

/** Lines as the Gemini CLI 0.61.0 writes them with `--output-format stream-json`. */
const TOOL_RUN = [
  { type: 'init', timestamp: '2026-01-15T02:00:00.000Z', session_id: '7ab9729c-3675-43e7-8f01-b5de12dbf58b', model: 'gemini-2.5-flash' },
  { type: 'message', timestamp: '2026-01-15T02:00:00.001Z', role: 'user', content: 'Work on DEMO-1.' },
  { type: 'message', timestamp: '2026-01-15T02:00:00.002Z', role: 'assistant', content: 'Let me look.', delta: true },
  { type: 'tool_use', timestamp: '2026-01-15T02:00:00.003Z', tool_name: 'read_file', tool_id: 'read_file__1', parameters: { file_path: 'README.md' } },
  { type: 'tool_result', timestamp: '2026-01-15T02:00:00.004Z', tool_id: 'read_file__1', status: 'success', output: '' },
  { type: 'message', timestamp: '2026-01-15T02:00:00.005Z', role: 'assistant', content: '{"summary": ', delta: true },
  { type: 'message', timestamp: '2026-01-15T02:00:00.006Z', role: 'assistant', content: '"s", "files": []}', delta: true },
  {
    type: 'result',
    timestamp: '2026-01-15T02:00:00.007Z',
    status: 'success',
    stats: { total_tokens: 420, input_tokens: 400, output_tokens: 20, cached: 0, input: 400, duration_ms: 563, tool_calls: 1 },
  },
];

const RATE_LIMITED_RUN = [
  { type: 'init', timestamp: '2026-01-15T02:00:00.000Z', session_id: '600deb35-885b-486e-b578-e2bb168adc42', model: 'gemini-2.5-flash' },
  {
    type: 'result',
    timestamp: '2026-01-15T02:00:00.100Z',
    status: 'error',
    error: {
      type: 'unknown',
      message:
        '[API Error: rate limited\nSuggested retry after 3600s.]\nPlease wait and try again later. To increase your limits, request a quota increase through AI Studio, or switch to another /auth method',
    },
    stats: { total_tokens: 0, input_tokens: 0, output_tokens: 0, cached: 0, input: 0, duration_ms: 0, tool_calls: 0 },
  },
];

function read(records: unknown[], splitAt = 37): { reader: GeminiStreamReader; events: AgentEvent[] } {
  const events: AgentEvent[] = [];
  const reader = new GeminiStreamReader('gemini', (event) => events.push(event), () => NOW);
  const text = `${records.map((record) => JSON.stringify(record)).join('\n')}\nWarning: not JSON\n`;
  for (let index = 0; index < text.length; index += splitAt) reader.push(text.slice(index, index + splitAt));
  reader.end();
  return { reader, events };
}

const EXITED = { exitCode: 0, signal: null, timedOut: false, stderrTail: '' };

describe('GeminiStreamReader', () => {
  it('turns a run into normalized events, across chunks that split lines', () => {
    const { reader, events } = read(TOOL_RUN);
    expect(events).toEqual([
      { type: 'agent-start', at: NOW.toISOString(), agent: 'gemini', sessionId: '7ab9729c-3675-43e7-8f01-b5de12dbf58b', model: 'gemini-2.5-flash' },
      { type: 'text-delta', at: NOW.toISOString(), text: 'Let me look.' },
      { type: 'tool-call', at: NOW.toISOString(), tool: 'read_file', input: { file_path: 'README.md' } },
      { type: 'text-delta', at: NOW.toISOString(), text: '{"summary": ' },
      { type: 'text-delta', at: NOW.toISOString(), text: '"s", "files": []}' },
      { type: 'usage', at: NOW.toISOString(), usage: { inputTokens: 400, outputTokens: 20 } },
    ]);
    expect(reader.state.unparsedLines).toEqual(['Warning: not JSON']);
  });

  it('keeps the text after the last tool call as the answer', () => {
    const { reader } = read(TOOL_RUN);
    expect(decideGeminiStageResult(reader.state, EXITED, 'gemini', 1000)).toEqual({
      outcome: 'completed',
      finalText: '{"summary": "s", "files": []}',
      sessionId: '7ab9729c-3675-43e7-8f01-b5de12dbf58b',
      usage: { inputTokens: 400, outputTokens: 20 },
      exitCode: 0,
    });
  });

  it('reads a 429 as rate-limited with the delay the CLI suggests', () => {
    const { reader } = read(RATE_LIMITED_RUN);
    const result = decideGeminiStageResult(reader.state, { ...EXITED, exitCode: 173 }, 'gemini', 1000);
    expect(result).toMatchObject({ outcome: 'rate-limited', rateLimit: { retryAfterSeconds: 3600 }, exitCode: 173 });
    expect(result.errorMessage).toContain('rate limited');
  });

  it('reads any other error result as failed with the CLI’s message', () => {
    const failing = [RATE_LIMITED_RUN[0], { type: 'result', status: 'error', error: { type: 'unknown', message: '[API Error: {"error":{"code":500,"message":"boom","status":"INTERNAL"}}]' }, stats: {} }];
    const { reader } = read(failing);
    expect(decideGeminiStageResult(reader.state, { ...EXITED, exitCode: 244 }, 'gemini', 1000)).toMatchObject({
      outcome: 'failed',
      errorMessage: '[API Error: {"error":{"code":500,"message":"boom","status":"INTERNAL"}}]',
    });
  });

  it('falls back to the last error event, then stderr, when the result says nothing', () => {
    const invalidStream = [RATE_LIMITED_RUN[0], { type: 'error', severity: 'error', message: 'Model stream ended with empty response text.' }, { type: 'result', status: 'error', stats: {} }];
    expect(decideGeminiStageResult(read(invalidStream).reader.state, EXITED, 'gemini', 1000).errorMessage).toBe('Model stream ended with empty response text.');
    expect(decideGeminiStageResult(read([]).reader.state, { ...EXITED, exitCode: 41, stderrTail: 'Please set an Auth method\n' }, 'gemini', 1000)).toMatchObject({
      outcome: 'failed',
      errorMessage: 'Please set an Auth method',
    });
  });

  it('says timed-out and cancelled whatever the stream said', () => {
    const { reader } = read(TOOL_RUN);
    expect(decideGeminiStageResult(reader.state, { ...EXITED, exitCode: null, signal: 'SIGTERM', timedOut: true }, 'gemini', 5000).outcome).toBe('timed-out');
    expect(decideGeminiStageResult(reader.state, { ...EXITED, exitCode: null, signal: 'SIGTERM', cancelled: true }, 'gemini', 5000).outcome).toBe('cancelled');
  });
});

describe('readGeminiRateLimit', () => {
  it('reads the CLI’s suggestion, or Google’s own "Please retry in"', () => {
    expect(readGeminiRateLimit('[API Error: x\nSuggested retry after 60s.]\nPlease wait and try again later.')).toEqual({ rateLimited: true, retryAfterSeconds: 60 });
    expect(readGeminiRateLimit('[API Error: Quota exceeded. Please retry in 37.5s. (Status: RESOURCE_EXHAUSTED)]')).toEqual({ rateLimited: true, retryAfterSeconds: 38 });
    expect(readGeminiRateLimit('[API Error: x]\nPlease wait and try again later.')).toEqual({ rateLimited: true });
    expect(readGeminiRateLimit('[API Error: internal, please retry in 5s]')).toEqual({ rateLimited: false });
  });
});
