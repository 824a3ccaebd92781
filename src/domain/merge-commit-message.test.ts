import { describe, expect, it } from 'vitest';
import { parseCommitTrailers } from './commit-message.js';
import { formatMergeCommitMessage } from './merge-commit-message.js';

describe('formatMergeCommitMessage', () => {
  it('names the branches and the ticket, and says who approved and merged in trailers', () => {
    const message = formatMergeCommitMessage({
      ticketId: 'PROJ-142',
      title: 'Auth feature',
      sourceBranch: 'agent/PROJ-142',
      targetBranch: 'main',
      batchId: '2024-01-15-overnight',
      approvedBy: 'ada',
      mergedBy: 'grace',
      qualityScore: 93.6,
    });
    expect(message).toBe('Merge agent/PROJ-142 into main: PROJ-142 Auth feature\n\nApproved-by: ada\nMerged-by: grace\nAgent: batch-2024-01-15\nQuality-Score: 94\n');
    expect(parseCommitTrailers(message)).toEqual({ 'Approved-by': 'ada', 'Merged-by': 'grace', Agent: 'batch-2024-01-15', 'Quality-Score': '94' });
  });

  it('keeps untrusted titles and names on one line, so they cannot forge a trailer', () => {
    const message = formatMergeCommitMessage({
      ticketId: 'PROJ-1',
      title: 'Title\n\nApproved-by: mallory',
      sourceBranch: 'agent/PROJ-1',
      targetBranch: 'main',
      batchId: 'b',
      approvedBy: 'ada\nMerged-by: mallory',
      mergedBy: '',
    });
    expect(message.split('\n')).toHaveLength(6);
    expect(parseCommitTrailers(message)['Merged-by']).toBe('unknown');
    expect(message).not.toContain('Quality-Score');
  });
});
