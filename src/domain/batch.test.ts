import { describe, expect, it } from 'vitest';
import { transitionBatch } from './batch.js';

const at = '2024-01-15T18:00:00.000Z';

describe('transitionBatch', () => {
  it('follows the seed: pending → running → completed → reviewed', () => {
    expect(transitionBatch('b', 'pending', { type: 'start' }, at)).toMatchObject({ ok: true, state: 'running' });
    expect(transitionBatch('b', 'running', { type: 'complete' }, at)).toMatchObject({ ok: true, state: 'completed' });
    expect(transitionBatch('b', 'completed', { type: 'review' }, at)).toMatchObject({ ok: true, state: 'reviewed' });
  });

  it('pauses on a rate limit, resumes, and aborts', () => {
    expect(transitionBatch('b', 'running', { type: 'pause', reason: '429' }, at)).toMatchObject({ ok: true, state: 'paused', transition: { reason: '429' } });
    expect(transitionBatch('b', 'paused', { type: 'resume' }, at)).toMatchObject({ ok: true, state: 'running' });
    expect(transitionBatch('b', 'paused', { type: 'abort', reason: 'four rate limits' }, at)).toMatchObject({ ok: true, state: 'aborted' });
  });

  it('refuses to reopen a finished batch', () => {
    expect(transitionBatch('b', 'completed', { type: 'start' }, at)).toMatchObject({ ok: false });
    expect(transitionBatch('b', 'aborted', { type: 'resume' }, at)).toMatchObject({ ok: false });
  });
});
