import { describe, expect, it } from 'vitest';
import type { QualityScore } from './quality-score.js';
import { explainQualityScore, renderScoreNote } from './score-explanation.js';

const score: QualityScore = {
  score: 81,
  breakdown: [
    { criterion: 'checks', points: 18, maximum: 35, explanation: '0 of 1 check passed (test flaky: it passed only when run again, for half credit).' },
    { criterion: 'tests', points: 15, maximum: 15, explanation: 'Source changes come with 1 added or changed test file.' },
    { criterion: 'security', points: 15, maximum: 15, explanation: 'No security findings.' },
    { criterion: 'uncertainty', points: 36, maximum: 35, explanation: 'Made up\nto fill the total.' },
    { criterion: 'retries', points: -3, maximum: 0, explanation: '1 retry after invalid agent answers cost 3 points each.' },
  ],
};

describe('explainQualityScore', () => {
  it('says per criterion what was won and lost, and how the total comes about', () => {
    expect(explainQualityScore(score)).toEqual([
      '  checks       18/35 (−17)       0 of 1 check passed (test flaky: it passed only when run again, for half credit).',
      '  tests        15/15             Source changes come with 1 added or changed test file.',
      '  security     15/15             No security findings.',
      '  uncertainty  36/35             Made up to fill the total.',
      '  retries      −3 (penalty)      1 retry after invalid agent answers cost 3 points each.',
      '',
      'Won 84 of 100 points on the criteria (lost 16), minus 3 in penalties = 81/100.',
    ]);
  });

  it('says when penalties would take the score below 0', () => {
    const floored = explainQualityScore({ score: 0, breakdown: [{ criterion: 'checks', points: 0, maximum: 35, explanation: 'None passed.' }, { criterion: 'retries', points: -9, maximum: 0, explanation: 'Many.' }] });
    expect(floored.at(-1)).toBe('Won 0 of 35 points on the criteria (lost 35), minus 9 in penalties = 0/100 (the score never goes below 0).');
  });
});

describe('renderScoreNote', () => {
  it('starts with grep-able facts, then the breakdown', () => {
    const note = renderScoreNote({
      score,
      ticketId: 'MATH-1',
      batchId: '2024-01-15-overnight',
      checks: [
        { name: 'test', status: 'flaky' },
        { name: 'lint', status: 'passed' },
        { name: 'build', status: 'timed_out' },
      ],
      securityFlags: 0,
    });
    expect(note.split('\n').slice(0, 7)).toEqual([
      'Quality-Score: 81',
      'Ticket: MATH-1',
      'Batch: 2024-01-15-overnight',
      'Checks: 1/3 passed; flaky: test; not passed: build timed out',
      'Security-Flags: 0',
      '',
      'checks: 18/35 (−17) — 0 of 1 check passed (test flaky: it passed only when run again, for half credit).',
    ]);
    expect(note).toContain('retries: −3 (penalty) — 1 retry');
    expect(renderScoreNote({ score, ticketId: 'X-1', batchId: 'b', checks: [], securityFlags: 2 })).toContain('Checks: none configured\nSecurity-Flags: 2\n');
  });
});
