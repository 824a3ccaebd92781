import { describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../../ports/agent.js';
import { decideStageResult } from './claude-code-agent.js';
import { buildClaudeArguments } from './claude-code-arguments.js';
import { ClaudeStreamReader, parseRateLimitText } from './claude-stream-reader.js';
import type { AgentProcessOutcome } from '../../shared/run-agent-process.js';

const AT = new Date('2024-01-15T18:00:00Z');

function read(lines: string[], chunkSize = 7): { reader: ClaudeStreamReader; events: AgentEvent[] } {
  const events: AgentEvent[] = [];
  const reader = new ClaudeStreamReader('claude-code', (event) => events.push(event), () => AT);
  const text = lines.join('\n');
  for (let index = 0; index < text.length; index += chunkSize) reader.push(text.slice(index, index + chunkSize));
  reader.end();
  return { reader, events };
}

const init = JSON.stringify({ type: 'system', subtype: 'init', session_id: 's-1', model: 'claude-test', tools: ['Read'] });
const toolUse = JSON.stringify({ type: 'assistant', message: { content: [{ type: 'tool_use', id: 't', name: 'Read', input: { file_path: '/w/a' } }] } });
const answer = JSON.stringify({ type: 'assistant', message: { content: [{ type: 'text', text: '{"summary":"s"}' }] } });
const success = JSON.stringify({
  type: 'result',
  is_error: false,
  result: '{"summary":"s"}',
  session_id: 's-1',
  total_cost_usd: 0.25,
  usage: { input_tokens: 100, cache_creation_input_tokens: 10, cache_read_input_tokens: 5, output_tokens: 7 },
});
const exited: AgentProcessOutcome = { exitCode: 0, signal: null, timedOut: false, stderrTail: '' };

describe('ClaudeStreamReader', () => {
  it('turns the stream into events, whatever the chunking, and skips lines that are not JSON', () => {
    const { reader, events } = read([init, 'Warning: something printed by a hook', toolUse, answer, success], 5);
    expect(events).toEqual([
      { type: 'agent-start', at: AT.toISOString(), agent: 'claude-code', sessionId: 's-1', model: 'claude-test' },
      { type: 'tool-call', at: AT.toISOString(), tool: 'Read', input: { file_path: '/w/a' } },
      { type: 'text-delta', at: AT.toISOString(), text: '{"summary":"s"}' },
      { type: 'usage', at: AT.toISOString(), usage: { inputTokens: 115, outputTokens: 7, costUsd: 0.25 } },
    ]);
    expect(reader.state.unparsedLines).toEqual(['Warning: something printed by a hook']);
    expect(decideStageResult(reader.state, exited, 'claude', 1000)).toEqual({
      outcome: 'completed',
      finalText: '{"summary":"s"}',
      sessionId: 's-1',
      usage: { inputTokens: 115, outputTokens: 7, costUsd: 0.25 },
      exitCode: 0,
    });
  });

  it('reads a 429 result as rate-limited, with the reset the message names', () => {
    const apiError = JSON.stringify({ type: 'assistant', is_api_error_message: true, message: { content: [{ type: 'text', text: 'API Error: 429' }] } });
    const limited = JSON.stringify({
      type: 'result',
      is_error: true,
      api_error_status: 429,
      result: 'API Error: Request rejected (429) · rate limited (retry after 30 seconds, at 2024-01-15T18:00:30.000Z)',
      session_id: 's-1',
      usage: { input_tokens: 0, output_tokens: 0 },
    });
    const { reader, events } = read([init, apiError, limited]);
    expect(events.some((event) => event.type === 'text-delta')).toBe(false);
    expect(decideStageResult(reader.state, { ...exited, exitCode: 1 }, 'claude', 1000)).toMatchObject({
      outcome: 'rate-limited',
      rateLimit: { retryAfterSeconds: 30, resetAt: '2024-01-15T18:00:30.000Z' },
      finalText: '',
    });
  });

  it('keeps the retry delay Claude Code announces for a 429 when the message names none', () => {
    const retry = JSON.stringify({ type: 'system', subtype: 'api_retry', attempt: 1, max_retries: 2, retry_delay_ms: 33_700, error_status: 429 });
    const limited = JSON.stringify({ type: 'result', is_error: true, api_error_type: 'rate_limit_error', result: 'API Error: 429 slow down' });
    const { reader, events } = read([init, retry, limited]);
    expect(events[1]).toMatchObject({ type: 'rate-limit', retryAfterSeconds: 34 });
    expect(decideStageResult(reader.state, exited, 'claude', 1000)).toMatchObject({ outcome: 'rate-limited', rateLimit: { retryAfterSeconds: 34 } });
  });

  it('fails with the result text, or with stderr when there is no result', () => {
    const failedResult = JSON.stringify({ type: 'result', is_error: true, api_error_status: 500, result: 'API Error: 500 boom' });
    expect(decideStageResult(read([init, failedResult]).reader.state, { ...exited, exitCode: 1 }, 'claude', 1000)).toMatchObject({
      outcome: 'failed',
      errorMessage: 'API Error: 500 boom',
    });
    expect(decideStageResult(read([]).reader.state, { ...exited, exitCode: 1, stderrTail: 'No conversation found with session ID: x\n' }, 'claude', 1000)).toMatchObject({
      outcome: 'failed',
      errorMessage: 'No conversation found with session ID: x',
    });
    expect(decideStageResult(read([]).reader.state, { ...exited, exitCode: null, signal: 'SIGKILL' }, 'claude', 1000)).toMatchObject({
      errorMessage: 'claude exited with signal SIGKILL without a result',
    });
    expect(decideStageResult(read([init]).reader.state, { ...exited, timedOut: true, exitCode: null }, 'claude', 1000)).toMatchObject({
      outcome: 'timed-out',
      sessionId: 's-1',
    });
  });
});

describe('parseRateLimitText', () => {
  it.each([
    ['retry after 30 seconds', { retryAfterSeconds: 30 }],
    ['Retry-After: 120s', { retryAfterSeconds: 120 }],
    ['resets at 2024-01-15T19:00:00Z', { resetAt: '2024-01-15T19:00:00.000Z' }],
    ['Claude AI usage limit reached|1705345200', { resetAt: '2024-01-15T19:00:00.000Z' }],
    ['rate limited', {}],
  ])('reads %j', (text, expected) => {
    expect(parseRateLimitText(text)).toEqual(expected);
  });
});

describe('buildClaudeArguments', () => {
  it('withholds the edit tools and the shell at read-only stages', () => {
    const args = buildClaudeArguments({ prompt: '-starts with a dash', access: 'read-only', extraArguments: [] });
    expect(args).toEqual([
      '-p', '--output-format', 'stream-json', '--verbose', '--restricted', '--strict-mcp-config', '--permission-prompts', 'none',
      '--tools', 'Read,Grep,Glob', '--permission-mode', 'dontAsk', '--', '-starts with a dash',
    ]);
  });

  it('allows edits and the shell at C2, and passes model, resume and extra arguments before the prompt', () => {
    const args = buildClaudeArguments({ prompt: 'go', access: 'edit-worktree', model: 'opus', resumeSessionId: 's-1', extraArguments: ['--effort', 'low'] });
    expect(args.slice(8)).toEqual([
      '--tools', 'Read,Write,Edit,Bash,Grep,Glob', '--permission-mode', 'acceptEdits', '--allowedTools', 'Bash',
      '--model', 'opus', '--resume', 's-1', '--effort', 'low', '--', 'go',
    ]);
  });
});
