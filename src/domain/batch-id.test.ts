import { describe, expect, it } from 'vitest';
import { batchIdFor, checkBatchId } from './batch-id.js';

describe('batchIdFor', () => {
  it('names the seed batch', () => {
    expect(batchIdFor(new Date('2024-01-15T18:00:00Z'), 'overnight')).toBe('2024-01-15-overnight');
  });

  it('uses the calendar date of the given time zone', () => {
    const lateEvening = new Date('2024-01-16T03:00:00Z');
    expect(batchIdFor(lateEvening, 'overnight')).toBe('2024-01-16-overnight');
    expect(batchIdFor(lateEvening, 'overnight', 'America/New_York')).toBe('2024-01-15-overnight');
    expect(batchIdFor(new Date('2024-01-15T20:00:00Z'), 'nightly', 'Asia/Tokyo')).toBe('2024-01-16-nightly');
  });

  it.each(['', 'Overnight', '../x', 'a b', '-x', 'x'.repeat(41)])('refuses the unsafe suffix %j', (suffix) => {
    expect(() => batchIdFor(new Date('2024-01-15T18:00:00Z'), suffix)).toThrow(RangeError);
  });

  it('refuses an unknown time zone and an invalid date', () => {
    expect(() => batchIdFor(new Date('2024-01-15T18:00:00Z'), 'overnight', 'Mars/Olympus')).toThrow(RangeError);
    expect(() => batchIdFor(new Date('nope'), 'overnight')).toThrow(RangeError);
  });
});

describe('checkBatchId', () => {
  it('accepts what batchIdFor writes', () => {
    expect(checkBatchId('2024-01-15-overnight')).toEqual({ ok: true, batchId: '2024-01-15-overnight' });
  });

  it.each(['2024-01-15', '../2024-01-15-x', '2024-01-15-Night', 'batch', 42, null])('refuses %j', (candidate) => {
    const result = checkBatchId(candidate);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain('expected a batch id like "2024-01-15-overnight"');
  });
});
