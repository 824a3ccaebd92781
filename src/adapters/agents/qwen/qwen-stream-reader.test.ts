import { describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../../ports/agent.js';
import type { RelayedCliRun } from '../../shared/relayed-cli-stage.js';
import { StageEventStream } from '../../shared/stage-event-stream.js';
import { decideQwenResult } from './qwen-agent.js';
import { QwenStreamReader } from './qwen-stream-reader.js';

const AT = new Date('2024-01-15T18:00:00.000Z');
const exited: RelayedCliRun = { process: { exitCode: 0, signal: null, timedOut: false, stderrTail: '' }, failures: [] };

function read(lines: string[], chunkSize = 5): { reader: QwenStreamReader; events: AgentEvent[] } {
  const events: AgentEvent[] = [];
  const reader = new QwenStreamReader(new StageEventStream('qwen', (event) => events.push(event), () => AT));
  const text = lines.join('\n');
  for (let index = 0; index < text.length; index += chunkSize) reader.push(text.slice(index, index + chunkSize));
  reader.end();
  return { reader, events };
}

const init = JSON.stringify({ type: 'system', subtype: 'init', session_id: 's-1', model: 'qwen3-coder', tools: ['read_file'] });
const toolUse = JSON.stringify({ type: 'assistant', session_id: 's-1', parent_tool_use_id: null, message: { content: [{ type: 'tool_use', id: 't', name: 'read_file', input: { file_path: '/w/a' } }] } });
const answer = JSON.stringify({ type: 'assistant', session_id: 's-1', parent_tool_use_id: null, message: { content: [{ type: 'text', text: '{"summary":"s"}' }] } });
const success = JSON.stringify({ type: 'result', subtype: 'success', session_id: 's-1', is_error: false, result: '{"summary":"s"}', usage: { input_tokens: 900, output_tokens: 12, cache_read_input_tokens: 100 } });

describe('QwenStreamReader', () => {
  it('turns Qwen Code’s stream-json into events, whatever the chunking', () => {
    const { reader, events } = read([init, 'Ripgrep not available', toolUse, answer, success]);
    expect(events).toEqual([
      { type: 'agent-start', at: AT.toISOString(), agent: 'qwen', sessionId: 's-1', model: 'qwen3-coder' },
      { type: 'tool-call', at: AT.toISOString(), tool: 'read_file', input: { file_path: '/w/a' } },
      { type: 'text-delta', at: AT.toISOString(), text: '{"summary":"s"}' },
      { type: 'usage', at: AT.toISOString(), usage: { inputTokens: 900, outputTokens: 12 } },
    ]);
    expect(reader.state.unparsedLines).toEqual(['Ripgrep not available']);
    expect(decideQwenResult(reader.state, exited, 'qwen', 1000)).toEqual({
      outcome: 'completed',
      finalText: '{"summary":"s"}',
      sessionId: 's-1',
      usage: { inputTokens: 900, outputTokens: 12 },
      exitCode: 0,
    });
  });

  it('fails with the error Qwen Code reports, and reads its own 429 as rate-limited', () => {
    const error = (message: string): string =>
      JSON.stringify({ type: 'result', subtype: 'error_during_execution', session_id: 's-1', is_error: true, usage: { input_tokens: 0, output_tokens: 0 }, error: { message } });
    const failed = { ...exited, process: { ...exited.process, exitCode: 1 } };
    expect(decideQwenResult(read([init, error('[API Error: 400 bad request]')]).reader.state, failed, 'qwen', 1000)).toMatchObject({
      outcome: 'failed',
      errorMessage: 'qwen: [API Error: 400 bad request]',
      sessionId: 's-1',
    });
    expect(decideQwenResult(read([init, error('[API Error: 429 slow down]')]).reader.state, failed, 'qwen', 1000)).toMatchObject({ outcome: 'rate-limited' });
    const relayed: RelayedCliRun = { ...failed, failures: [{ at: AT.toISOString(), status: 503, message: 'overloaded' }] };
    expect(decideQwenResult(read([init]).reader.state, relayed, 'qwen', 1000)).toMatchObject({ outcome: 'failed', errorMessage: 'qwen: the model call failed (HTTP 503): overloaded' });
  });
});
