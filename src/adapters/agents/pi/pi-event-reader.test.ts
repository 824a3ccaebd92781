import { describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../../ports/agent.js';
import type { RelayedCliRun } from '../../shared/relayed-cli-stage.js';
import { StageEventStream } from '../../shared/stage-event-stream.js';
import { decidePiResult } from './pi-agent.js';
import { PiEventReader } from './pi-event-reader.js';

const AT = new Date('2024-01-15T18:00:00.000Z');
const exited: RelayedCliRun = { process: { exitCode: 0, signal: null, timedOut: false, stderrTail: '' }, failures: [] };

function read(lines: string[], chunkSize = 9): { reader: PiEventReader; events: AgentEvent[] } {
  const events: AgentEvent[] = [];
  const reader = new PiEventReader(new StageEventStream('pi', (event) => events.push(event), () => AT));
  const text = lines.join('\n');
  for (let index = 0; index < text.length; index += chunkSize) reader.push(text.slice(index, index + chunkSize));
  reader.end();
  return { reader, events };
}

const usage = (input: number, output: number) => ({ input, output, cacheRead: 5, cacheWrite: 0, totalTokens: input + output + 5, cost: { total: 0 } });
const assistant = (content: unknown[], stopReason: string, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ type: 'message_end', message: { role: 'assistant', content, usage: usage(100, 10), stopReason, ...extra } });
const lines = [
  JSON.stringify({ type: 'session', version: 3, id: 'p-1', cwd: '/w' }),
  JSON.stringify({ type: 'agent_start' }),
  JSON.stringify({ type: 'message_update', assistantMessageEvent: { type: 'text_delta', delta: 'ignored' } }),
  assistant([{ type: 'toolCall', id: 't', name: 'read', arguments: { path: 'a' } }], 'toolUse'),
  JSON.stringify({ type: 'tool_execution_start', toolCallId: 't', toolName: 'read', args: { path: 'a' } }),
  assistant([{ type: 'text', text: '{"summary":' }, { type: 'text', text: '"s"}' }], 'stop'),
];

describe('PiEventReader', () => {
  it('turns pi’s JSON lines into events, whatever the chunking, summing usage over messages', () => {
    const { reader, events } = read([...lines, JSON.stringify({ type: 'agent_end', messages: [] })]);
    expect(events).toEqual([
      { type: 'agent-start', at: AT.toISOString(), agent: 'pi', sessionId: 'p-1' },
      { type: 'usage', at: AT.toISOString(), usage: { inputTokens: 105, outputTokens: 10 } },
      { type: 'tool-call', at: AT.toISOString(), tool: 'read', input: { path: 'a' } },
      { type: 'text-delta', at: AT.toISOString(), text: '{"summary":"s"}' },
      { type: 'usage', at: AT.toISOString(), usage: { inputTokens: 210, outputTokens: 20 } },
    ]);
    expect(decidePiResult(reader.state, exited, 'pi', 1000)).toEqual({
      outcome: 'completed',
      finalText: '{"summary":"s"}',
      sessionId: 'p-1',
      usage: { inputTokens: 210, outputTokens: 20 },
      exitCode: 0,
    });
  });

  it('fails on a model error although pi exits 0, reads its own 429 as rate-limited, and fails a run that never ended', () => {
    const failedCall = (message: string): string[] => [lines[0] as string, lines[1] as string, assistant([], 'error', { errorMessage: message }), JSON.stringify({ type: 'agent_end', messages: [] })];
    expect(decidePiResult(read(failedCall('400 bad request')).reader.state, exited, 'pi', 1000)).toMatchObject({ outcome: 'failed', errorMessage: 'pi: 400 bad request' });
    expect(decidePiResult(read(failedCall('429 slow down')).reader.state, exited, 'pi', 1000)).toMatchObject({ outcome: 'rate-limited' });
    expect(decidePiResult(read(lines).reader.state, { ...exited, process: { ...exited.process, exitCode: 1, stderrTail: 'crashed\n' } }, 'pi', 1000)).toMatchObject({
      outcome: 'failed',
      errorMessage: 'crashed',
    });
  });
});
