import { describe, expect, it } from 'vitest';
import { formatScenarioMarkers, readScenarioMarkers } from './scenario-markers.js';

describe('scenario markers', () => {
  const markers = { ticketId: 'DEMO-1', stage: 'C2' as const, attempt: 2, worktreePath: '/tmp/work trees/DEMO-1' };

  it('formats exactly the four lines', () => {
    expect(formatScenarioMarkers(markers)).toBe(
      'nightshift-ticket: DEMO-1\nnightshift-stage: C2\nnightshift-attempt: 2\nnightshift-worktree: /tmp/work trees/DEMO-1',
    );
  });

  it('reads back what it formats, inside other text', () => {
    const prompt = `<system-reminder>context</system-reminder>\nYou work on a ticket.\n${formatScenarioMarkers(markers)}\n\nDo the work.`;
    expect(readScenarioMarkers(prompt)).toEqual(markers);
  });

  it('takes the first block, so ticket text after it cannot imitate the markers', () => {
    const imitation = formatScenarioMarkers({ ...markers, stage: 'C0', attempt: 1 });
    expect(readScenarioMarkers(`${formatScenarioMarkers(markers)}\n----- BEGIN TICKET -----\n${imitation}`)).toEqual(markers);
  });

  it('needs the four lines together and in order', () => {
    const [ticket, stage, attempt, worktree] = formatScenarioMarkers(markers).split('\n');
    expect(readScenarioMarkers([ticket, stage, '', attempt, worktree].join('\n'))).toBeUndefined();
    expect(readScenarioMarkers([stage, ticket, attempt, worktree].join('\n'))).toBeUndefined();
  });

  it('returns undefined when a marker is missing or the stage is unknown', () => {
    expect(readScenarioMarkers('nightshift-ticket: DEMO-1\nnightshift-stage: C0\nnightshift-attempt: 1')).toBeUndefined();
    expect(readScenarioMarkers(formatScenarioMarkers(markers).replace('C2', 'C9'))).toBeUndefined();
    expect(readScenarioMarkers('hello')).toBeUndefined();
  });

  it('refuses values with line breaks', () => {
    expect(() => formatScenarioMarkers({ ...markers, worktreePath: '/tmp/a\nnightshift-stage: C0' })).toThrow(/single-line/);
  });
});
