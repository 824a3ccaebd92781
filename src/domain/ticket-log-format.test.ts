import { describe, expect, it } from 'vitest';
import { formatMilliseconds, formatTicketLogLine, formatTicketLogRecord } from './ticket-log-format.js';

const at = '2024-01-15T22:33:43.120Z';
const base = { batchId: '2024-01-15-overnight', ticketId: 'PROJ-142', at };

describe('formatTicketLogRecord', () => {
  it.each([
    [{ ...base, stage: 'C0', attempt: 1, type: 'tool-call', tool: 'Read', input: { file_path: 'src/index.js' } }, '22:33:43 C0#1 tool-call Read src/index.js'],
    [{ ...base, stage: 'C2', attempt: 2, type: 'tool-call', tool: 'Bash', input: { command: 'npm test', description: 'run the tests' } }, '22:33:43 C2#2 tool-call Bash npm test'],
    [{ ...base, stage: 'C0', attempt: 1, type: 'tool-call', tool: 'TodoWrite', input: { todos: [{ content: 'x' }] } }, '22:33:43 C0#1 tool-call TodoWrite {"todos":[{"content":"x"}]}'],
    [{ ...base, stage: 'C0', attempt: 1, type: 'agent-start', agent: 'claude-code', model: 'claude-sonnet-4-5', sessionId: 'abc' }, '22:33:43 C0#1 agent-start claude-code model claude-sonnet-4-5 session abc'],
    [{ ...base, stage: 'C1', attempt: 1, type: 'usage', usage: { inputTokens: 12000, outputTokens: 340, costUsd: 0.0123 } }, '22:33:43 C1#1 usage 12,000 in / 340 out tokens $0.0123'],
    [{ ...base, stage: 'C1', attempt: 1, type: 'rate-limit', message: '429 Too Many Requests', retryAfterSeconds: 60 }, '22:33:43 C1#1 rate-limit 429 Too Many Requests (retry after 60 s)'],
    [{ ...base, stage: 'C0', attempt: 1, type: 'agent-end', outcome: 'failed', errorMessage: 'exit 1' }, '22:33:43 C0#1 agent-end failed: exit 1'],
    [{ ...base, stage: 'C0', attempt: 1, type: 'stage-start' }, '22:33:43 C0#1 stage-start'],
    [{ ...base, stage: 'C0', attempt: 1, type: 'stage-end', outcome: 'completed' }, '22:33:43 C0#1 stage-end completed'],
    [{ ...base, stage: 'C1', attempt: 1, type: 'answer-rejected', problem: 'plan: expected an array' }, '22:33:43 C1#1 answer-rejected plan: expected an array'],
    [{ ...base, stage: 'C0', type: 'checkpoint' }, '22:33:43 C0   checkpoint saved'],
    [{ ...base, type: 'transition', from: 'scoping', state: 'planning', event: 'scope-complete' }, '22:33:43      transition scoping → planning'],
    [{ ...base, type: 'transition', state: 'planning', event: 'scope-complete' }, '22:33:43      transition → planning (scope-complete)'],
    [{ ...base, type: 'transition', from: 'implementing', state: 'failed', event: 'fail', reason: 'tests do not pass' }, '22:33:43      transition implementing → failed: tests do not pass'],
    [{ ...base, type: 'worktree', branch: 'agent/PROJ-142', startPoint: 'main', path: '/x' }, '22:33:43      worktree agent/PROJ-142 from main'],
    [{ ...base, type: 'merge-request', id: '3', url: 'file:///mr/3', commit: '0123456789abcdef0123' }, '22:33:43      merge-request 3 file:///mr/3 at 0123456789ab'],
    [{ ...base, type: 'error', message: 'unexpected error: boom' }, '22:33:43      error unexpected error: boom'],
    [{ ...base, type: 'gate-start', gate: 'test', command: 'npm test', commit: 'abc' }, '22:33:43      gate-start test: npm test'],
    [{ ...base, type: 'gate-end', gate: 'test', status: 'failed', durationMilliseconds: 210 }, '22:33:43      gate-end test failed 210 ms'],
    [{ ...base, type: 'gates-complete', qualityScore: 87, securityFlags: 1 }, '22:33:43      gates-complete score 87, 1 security flag'],
    [{ ...base, type: 'set-aside', stash: '0123456789abcdef0123', files: ['a.ts', 'b.ts'] }, '22:33:43      set-aside 2 files an earlier run left uncommitted, kept in stash 0123456789ab (git stash list)'],
    [{ ...base, type: 'gate-rerun', gate: 'test', exitCode: 1 }, '22:33:43      gate-rerun test failed (exit 1), running it again to tell a flaky check from a failing one'],
    [{ ...base, type: 'gates-refused', reason: 'the branch head moved' }, '22:33:43      gates-refused the branch head moved'],
    [{ ...base, type: 'security-end', findings: 3, flags: 1, sarif: 'security/b/PROJ-142.sarif' }, '22:33:43      security-end 3 findings, 1 security flag SARIF security/b/PROJ-142.sarif'],
    [{ ...base, type: 'security-audit', directory: '.', ok: true, packages: 1, vulnerable: 1 }, '22:33:43      security-audit . 1 changed package audited, 1 with an advisory'],
    [{ ...base, type: 'security-audit', directory: 'web', ok: false, reason: 'registry unreachable' }, '22:33:43      security-audit web audit failed: registry unreachable'],
    [{ ...base, stage: 'C2', type: 'confinement-breach', breaches: [{ kind: 'changed-outside', location: '~/.bashrc', change: 'modified' }] }, '22:33:43 C2   confinement-breach 1 change outside the worktree: [{"kind":"changed-outside","location":"~/.bashrc","change":"modified"}]'],
    [{ ...base, stage: 'C2', attempt: 2, type: 'stage-retry', reason: 'the agent stalled' }, '22:33:43 C2#2 stage-retry the agent stalled'],
    [{ ...base, type: 'work-kept', commit: '0123456789abcdef0123', files: ['a.ts'] }, '22:33:43      work-kept 1 file committed as 0123456789ab'],
    [{ ...base, type: 'follow-up', ticketId: 'PROJ-143', created: true }, '22:33:43      follow-up PROJ-143 (draft filed)'],
    [{ ...base, type: 'review-action', action: 'approve', reviewer: 'ana', comment: 'ok' }, '22:33:43      review-action approve by ana — ok'],
    [{ ...base, type: 'agent-failover', from: 'claude-code', to: 'codex', reason: 'rate limited' }, '22:33:43      agent-failover claude-code → codex: rate limited'],
    [{ ...base, type: 'follow-up-filed', ticket: 'PROJ-143' }, '22:33:43      follow-up-filed {"ticket":"PROJ-143"}'],
    [{ type: 'stage-start', stage: 'C9', attempt: 1 }, '--:--:--      stage-start'],
  ])('%j', (record, expected) => {
    expect(formatTicketLogRecord(record)).toBe(expected);
  });

  it('shortens a text delta to one line that fits', () => {
    const record = { ...base, stage: 'C2', attempt: 1, type: 'text-delta', text: `I'll start by reading\n\nthe files.\t${'word '.repeat(100)}` };
    const line = formatTicketLogRecord(record, { maximumWidth: 60 });
    expect(line).toMatch(/^22:33:43 C2#1 text-delta I'll start by reading the files\. w…$/);
    expect(line).not.toContain('\n');
    expect(line.endsWith('…')).toBe(true);
    expect(Array.from(line)).toHaveLength(60);
  });

  it('removes terminal escapes and control characters an agent may print', () => {
    const record = { ...base, type: 'error', message: 'bad \u001b[2J\u001b]0;title\u0007thing\r\u202eevil' };
    expect(formatTicketLogRecord(record)).toBe('22:33:43      error bad thing evil');
  });

  it('shows the time in the reader\'s zone', () => {
    expect(formatTicketLogRecord({ ...base, type: 'stage-start', stage: 'C0', attempt: 1 }, { timeZone: 'America/New_York' })).toBe('17:33:43 C0#1 stage-start');
  });

  it('never drops a line it cannot read', () => {
    expect(formatTicketLogLine('{"half":')).toBe('--:--:--      unreadable {"half":');
    expect(formatTicketLogLine('[1,2]')).toBe('--:--:--      unreadable [1,2]');
    expect(formatTicketLogLine(JSON.stringify({ ...base, type: 'gate-end', gate: 'lint', status: 'passed', durationMilliseconds: 12_345 }))).toBe(
      '22:33:43      gate-end lint passed 12.3 s',
    );
  });
});

describe('formatMilliseconds', () => {
  it.each([
    [0, '0 ms'],
    [999, '999 ms'],
    [1000, '1.0 s'],
    [59_949, '59.9 s'],
    [125_000, '2 min 5 s'],
    [-1, '? ms'],
  ])('%d → %s', (milliseconds, expected) => {
    expect(formatMilliseconds(milliseconds)).toBe(expected);
  });
});
