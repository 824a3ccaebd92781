import { describe, expect, it } from 'vitest';
import { decideAcpStageResult, readRateLimitText, type AcpRunRecord } from './acp-stage-result.js';

const NOW = new Date('2026-11-25T23:00:00.000Z');

function record(overrides: Partial<AcpRunRecord> = {}): AcpRunRecord {
  return {
    commandName: 'codex-acp',
    executablePath: '/bin/codex-acp',
    turn: { sessionId: 's-1', stopReason: 'end_turn', usage: { inputTokens: 10, outputTokens: 2 } },
    state: { lastMessage: 'done', toolCallCount: 0, errorNotices: [] },
    process: { exitCode: null, signal: 'SIGTERM', timedOut: false, stderrTail: '' },
    failures: [],
    refusals: [],
    timeoutMilliseconds: 1000,
    now: NOW,
    ...overrides,
  };
}

describe('decideAcpStageResult', () => {
  it('completes an end_turn, with the last message, the tokens and the cost', () => {
    expect(decideAcpStageResult(record({ state: { lastMessage: 'done', costUsd: 0.5, toolCallCount: 1, errorNotices: [] } }))).toEqual({
      outcome: 'completed',
      finalText: 'done',
      usage: { inputTokens: 10, outputTokens: 2, costUsd: 0.5 },
      exitCode: null,
      sessionId: 's-1',
    });
  });

  it('puts the relay’s stop before the cancellation it caused, and cancellation and timeouts before the turn', () => {
    const failure = { at: NOW.toISOString(), status: 429, message: 'slow down', retryAfterSeconds: 60, resetAt: '2026-11-25T23:01:00.000Z' };
    const cancelledByRelay = record({ process: { exitCode: null, signal: 'SIGTERM', timedOut: false, cancelled: true, stderrTail: '' }, stoppedBy: { outcome: 'rate-limited', failure } });
    expect(decideAcpStageResult(cancelledByRelay)).toMatchObject({ outcome: 'rate-limited', errorMessage: 'codex-acp: the model call failed (HTTP 429): slow down', rateLimit: { retryAfterSeconds: 60 } });
    expect(decideAcpStageResult(record({ process: { exitCode: null, signal: 'SIGTERM', timedOut: false, cancelled: true, stderrTail: '' } }))).toMatchObject({ outcome: 'cancelled' });
    expect(decideAcpStageResult(record({ process: { exitCode: null, signal: 'SIGKILL', timedOut: true, stderrTail: '' } }))).toMatchObject({ outcome: 'timed-out' });
  });

  it('fails a turn the agent ended otherwise, naming what Nightshift refused last', () => {
    const result = decideAcpStageResult(record({ turn: { stopReason: 'cancelled' }, refusals: ['Edit /etc/passwd: /etc/passwd is outside the worktree'] }));
    expect(result).toMatchObject({ outcome: 'failed', errorMessage: 'codex-acp ended its turn as cancelled after Nightshift refused a request (Edit /etc/passwd: /etc/passwd is outside the worktree)' });
    expect(decideAcpStageResult(record({ turn: { stopReason: 'max_tokens' } }))).toMatchObject({ outcome: 'failed', errorMessage: 'codex-acp stopped its turn: max_tokens' });
  });

  it('reads a 429 from the error or the relay, and adds what the provider said to a generic error', () => {
    const limited = decideAcpStageResult(record({ turn: { failure: { step: 'prompt', message: 'Internal error: exceeded retry limit, last status: 429 Too Many Requests' } } }));
    expect(limited).toMatchObject({ outcome: 'rate-limited', rateLimit: {} });
    const generic = decideAcpStageResult(
      record({ turn: { failure: { step: 'prompt', message: 'Internal error: high demand' } }, failures: [{ at: NOW.toISOString(), status: 500, message: 'scripted failure' }] }),
    );
    expect(generic).toMatchObject({ outcome: 'failed', errorMessage: 'codex-acp failed (prompt): Internal error: high demand (the model answered HTTP 500: scripted failure)' });
  });

  it('explains a lost connection by how the agent exited and what it said on stderr', () => {
    const died = decideAcpStageResult(record({ turn: { failure: { step: 'session', message: 'ACP connection closed' } }, process: { exitCode: 1, signal: null, timedOut: false, stderrTail: 'boom\nsession/new failed: not logged in\n' } }));
    expect(died).toMatchObject({ outcome: 'failed', errorMessage: 'codex-acp exited with code 1 during session: boom\nsession/new failed: not logged in' });
  });
});

describe('readRateLimitText', () => {
  it('reads "retry after", "try again in" and an ISO instant', () => {
    expect(readRateLimitText('rate limited (retry after 3600 seconds, at 2026-11-26T00:00:00.000Z)', NOW)).toEqual({ retryAfterSeconds: 3600, resetAt: '2026-11-26T00:00:00.000Z' });
    expect(readRateLimitText('Please try again in 1.5s.', NOW)).toEqual({ retryAfterSeconds: 2, resetAt: '2026-11-25T23:00:02.000Z' });
    expect(readRateLimitText('try again in 2 minutes', NOW)).toMatchObject({ retryAfterSeconds: 120 });
    expect(readRateLimitText('429 Too Many Requests', NOW)).toEqual({});
  });
});
