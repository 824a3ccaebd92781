import { describe, expect, it } from 'vitest';
import { decideAfterModelFailure } from './model-failure-policy.js';

const at = '2024-01-15T18:00:00.000Z';

describe('decideAfterModelFailure', () => {
  it('lets the agent retry server errors until the budget is spent', () => {
    const failure = { at, status: 500, message: 'boom' };
    expect(decideAfterModelFailure(failure, 1, 0)).toEqual({ kind: 'stop', outcome: 'failed' });
    expect(decideAfterModelFailure(failure, 1, 2)).toEqual({ kind: 'let-agent-retry' });
    expect(decideAfterModelFailure(failure, 3, 2)).toEqual({ kind: 'stop', outcome: 'failed' });
    expect(decideAfterModelFailure({ at, message: 'unreachable' }, 1, 0)).toEqual({ kind: 'stop', outcome: 'failed' });
  });

  it('ends the stage as rate-limited at once when the wait is long, and lets short waits be retried', () => {
    expect(decideAfterModelFailure({ at, status: 429, message: 'slow', retryAfterSeconds: 3600 }, 1, 5)).toEqual({ kind: 'stop', outcome: 'rate-limited' });
    expect(decideAfterModelFailure({ at, status: 429, message: 'slow', retryAfterSeconds: 20 }, 1, 2)).toEqual({ kind: 'let-agent-retry' });
    expect(decideAfterModelFailure({ at, status: 429, message: 'slow', retryAfterSeconds: 20 }, 1, 0)).toEqual({ kind: 'stop', outcome: 'rate-limited' });
  });
});
