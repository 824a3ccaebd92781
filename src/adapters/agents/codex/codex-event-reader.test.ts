import { describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../../ports/agent.js';
import { CodexEventReader } from './codex-event-reader.js';

/** Lines as `codex exec --json` 0.169.0 printed them against the scripted model server. */
const SUCCESSFUL_RUN = [
  '{"type":"thread.started","thread_id":"01a214fc-6aa8-75d1-ae83-5bce33ffccd8"}',
  '{"type":"turn.started"}',
  '{"type":"item.started","item":{"id":"item_0","type":"file_change","changes":[{"path":"/w/notes/new.txt","kind":"add"}],"status":"in_progress"}}',
  '{"type":"item.completed","item":{"id":"item_0","type":"file_change","changes":[{"path":"/w/notes/new.txt","kind":"add"}],"status":"completed"}}',
  '{"type":"item.started","item":{"id":"item_2","type":"command_execution","command":"/bin/bash -lc \'echo hi > ran.txt\'","aggregated_output":"","exit_code":null,"status":"in_progress"}}',
  '{"type":"item.completed","item":{"id":"item_2","type":"command_execution","command":"/bin/bash -lc \'echo hi > ran.txt\'","aggregated_output":"","exit_code":0,"status":"completed"}}',
  '{"type":"item.completed","item":{"id":"item_3","type":"agent_message","text":"{\\n  \\"summary\\": \\"done\\"\\n}"}}',
  '{"type":"turn.completed","usage":{"input_tokens":39463,"cached_input_tokens":0,"cache_write_input_tokens":0,"output_tokens":55,"reasoning_output_tokens":0}}',
].join('\n');

function read(text: string, chunkSize = text.length): { reader: CodexEventReader; events: AgentEvent[] } {
  const events: AgentEvent[] = [];
  const reader = new CodexEventReader('codex', 'gpt-5.5', (event) => events.push(event), () => new Date('2026-01-01T00:00:00.000Z'));
  for (let index = 0; index < text.length; index += chunkSize) reader.push(text.slice(index, index + chunkSize));
  reader.end();
  return { reader, events };
}

describe('CodexEventReader', () => {
  it('turns a run into agent-start, one tool-call per item, the answer and usage', () => {
    const { reader, events } = read(SUCCESSFUL_RUN);
    expect(events.map((event) => event.type)).toEqual(['agent-start', 'tool-call', 'tool-call', 'text-delta', 'usage']);
    expect(events[0]).toEqual({ type: 'agent-start', at: '2026-01-01T00:00:00.000Z', agent: 'codex', sessionId: '01a214fc-6aa8-75d1-ae83-5bce33ffccd8', model: 'gpt-5.5' });
    expect(events[1]).toMatchObject({ tool: 'file_change', input: { changes: [{ path: '/w/notes/new.txt', kind: 'add' }] } });
    expect(events[2]).toMatchObject({ tool: 'command_execution', input: { command: "/bin/bash -lc 'echo hi > ran.txt'" } });
    expect(reader.state).toMatchObject({
      sessionId: '01a214fc-6aa8-75d1-ae83-5bce33ffccd8',
      lastAgentMessage: '{\n  "summary": "done"\n}',
      usage: { inputTokens: 39463, outputTokens: 55 },
      turnCompleted: true,
      errors: [],
    });
  });

  it('reads the same from chunks that split lines', () => {
    expect(read(SUCCESSFUL_RUN, 7).reader.state).toEqual(read(SUCCESSFUL_RUN).reader.state);
  });

  it('keeps a failed turn, error events, error items and lines that are not JSON apart', () => {
    const { reader, events } = read(
      [
        '{"type":"thread.started","thread_id":"t-1"}',
        '{"type":"item.completed","item":{"id":"item_0","type":"error","message":"Model metadata for `x` not found. Defaulting to fallback metadata"}}',
        'WARNING: something on stdout',
        '{"type":"turn.started"}',
        '{"type":"error","message":"exceeded retry limit, last status: 429 Too Many Requests"}',
        '{"type":"turn.failed","error":{"message":"exceeded retry limit, last status: 429 Too Many Requests"}}',
      ].join('\n'),
    );
    expect(events.map((event) => event.type)).toEqual(['agent-start']);
    expect(reader.state).toMatchObject({
      failure: 'exceeded retry limit, last status: 429 Too Many Requests',
      errors: ['exceeded retry limit, last status: 429 Too Many Requests'],
      warnings: ['Model metadata for `x` not found. Defaulting to fallback metadata'],
      unparsedLines: ['WARNING: something on stdout'],
      turnCompleted: false,
    });
  });
});
