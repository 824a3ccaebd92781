import { describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../../ports/agent.js';
import { AcpUpdateReader } from './acp-update-reader.js';

const NOW = new Date('2026-11-25T23:00:00.000Z');

function read(updates: unknown[], begin = true): { reader: AcpUpdateReader; events: AgentEvent[] } {
  const events: AgentEvent[] = [];
  const reader = new AcpUpdateReader((event) => events.push(event), () => NOW);
  if (begin) reader.beginTurn();
  for (const update of updates) reader.push({ sessionId: 's', update });
  return { reader, events };
}

describe('AcpUpdateReader', () => {
  it("logs a tool call once, when claude-agent-acp's later update carries its input", () => {
    const meta = { claudeCode: { toolName: 'Write' } };
    const { events, reader } = read([
      { _meta: meta, toolCallId: 't1', sessionUpdate: 'tool_call', rawInput: {}, status: 'pending', title: 'Write', kind: 'edit' },
      { _meta: meta, toolCallId: 't1', sessionUpdate: 'tool_call_update', rawInput: { file_path: '/ws/a.txt', content: 'one\n' }, title: 'Write a.txt', kind: 'edit' },
      { _meta: meta, toolCallId: 't1', sessionUpdate: 'tool_call_update', status: 'completed' },
    ]);
    expect(events).toEqual([{ type: 'tool-call', at: NOW.toISOString(), tool: 'Write', input: { file_path: '/ws/a.txt', content: 'one\n' } }]);
    expect(reader.state.toolCallCount).toBe(1);
  });

  it('logs a Codex tool call that arrives running, by its kind when it has no name', () => {
    const { events } = read([
      { sessionUpdate: 'tool_call', toolCallId: 'c1', title: 'echo hi > ran.txt', kind: 'execute', status: 'in_progress', rawInput: { command: ['/bin/bash', '-lc', 'echo hi > ran.txt'] } },
    ]);
    expect(events).toMatchObject([{ type: 'tool-call', tool: 'execute', input: { command: ['/bin/bash', '-lc', 'echo hi > ran.txt'] } }]);
  });

  it('keeps the text of the last message: chunks after the last tool call, or of the last message id', () => {
    const { reader, events } = read([
      { sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: 'Let me look.' } },
      { sessionUpdate: 'tool_call', toolCallId: 'c1', kind: 'read', status: 'in_progress', title: 'Read' },
      { sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: '' } },
      { sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: '{"summary":' } },
      { sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: ' "done"}' } },
    ]);
    expect(reader.state.lastMessage).toBe('{"summary": "done"}');
    expect(events.filter((event) => event.type === 'text-delta').map((event) => (event.type === 'text-delta' ? event.text : ''))).toEqual(['Let me look.', '{"summary":', ' "done"}']);

    const byId = read([
      { sessionUpdate: 'agent_message_chunk', messageId: 'm1', content: { type: 'text', text: 'first' } },
      { sessionUpdate: 'agent_message_chunk', messageId: 'm2', content: { type: 'text', text: 'second' } },
    ]);
    expect(byId.reader.state.lastMessage).toBe('second');
  });

  it('reads the cost of a usage_update the SDK schema would refuse (used: null), and error notices', () => {
    const { reader } = read([
      { sessionUpdate: 'usage_update', used: null, size: 200000, cost: { amount: 0.43, currency: 'USD' } },
      { sessionUpdate: 'usage_update', used: 10311, size: 258400 },
      { sessionUpdate: 'notice', severity: 'error', title: 'the model is overloaded' },
    ]);
    expect(reader.state.costUsd).toBe(0.43);
    expect(reader.state.errorNotices).toEqual(['the model is overloaded']);
  });

  it('ignores what arrives before the turn begins (a loaded session replaying its history) and what is not an update', () => {
    const { reader, events } = read([{ sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: 'old answer' } }], false);
    reader.push('not an object');
    reader.beginTurn();
    reader.push({ sessionId: 's' });
    expect(events).toEqual([]);
    expect(reader.state.lastMessage).toBe('');
  });
});
