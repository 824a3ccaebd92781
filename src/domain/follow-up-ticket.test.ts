import { describe, expect, it } from 'vitest';
import { composeFollowUpTicket, nextTicketIdInSequence } from './follow-up-ticket.js';
import type { Ticket } from './ticket.js';

const original: Ticket = {
  id: 'PROJ-142',
  title: 'Implement user authentication',
  labels: ['ready-for-agent', 'backend'],
  priority: 'high',
  complexity: 'medium',
  estimatedFiles: ['src/auth.py'],
  dependencies: ['PROJ-100'],
  status: 'partial',
  body: '',
  acceptanceCriteria: ['POST /login returns a JWT'],
  openQuestions: [],
  testCases: [],
  readinessChecklist: [],
  sourceReference: 'tickets/PROJ-142.md',
};

describe('nextTicketIdInSequence', () => {
  it('takes the highest number of the same key, plus one', () => {
    expect(nextTicketIdInSequence('PROJ-142', ['PROJ-142', 'PROJ-150', 'PROJ-7', 'OTHER-900'])).toBe('PROJ-151');
  });

  it('never goes below the original, even when it is not among the taken ids', () => {
    expect(nextTicketIdInSequence('PROJ-142', [])).toBe('PROJ-143');
    expect(nextTicketIdInSequence('PROJ-142', ['PROJ-9'])).toBe('PROJ-143');
  });

  it('compares numbers, not text, and ignores unsafe ids', () => {
    expect(nextTicketIdInSequence('PROJ-9', ['PROJ-10', 'PROJ-099', '../PROJ-5000', 'PROJ-5000 '])).toBe('PROJ-100');
    expect(nextTicketIdInSequence('A1-99999999999999999999', [])).toBe('A1-100000000000000000000');
  });

  it('refuses an unsafe original', () => {
    expect(() => nextTicketIdInSequence('../PROJ-1', [])).toThrow(/not safe/);
  });
});

describe('composeFollowUpTicket', () => {
  it('files a draft, without the ready label, depending on the original, with the remaining work as criteria', () => {
    const draft = composeFollowUpTicket({
      original,
      newTicketId: 'PROJ-143',
      batchId: '2024-01-15-overnight',
      title: 'Follow-up: logout and refresh tokens',
      remainingWork: ['POST /logout invalidates the token', '  Refresh tokens\nrotate  ', ''],
      readyLabel: 'ready-for-agent',
    });
    expect(draft).toEqual({
      id: 'PROJ-143',
      title: 'Follow-up: logout and refresh tokens',
      labels: ['backend'],
      priority: 'high',
      complexity: 'medium',
      dependencies: ['PROJ-142'],
      status: 'draft',
      acceptanceCriteria: ['POST /logout invalidates the token', 'Refresh tokens rotate'],
      followUpOf: 'PROJ-142',
      createdByBatch: '2024-01-15-overnight',
      description: expect.stringContaining('Follow-up of PROJ-142, left unfinished by batch 2024-01-15-overnight.'),
    });
  });

  it('flattens a hostile title and falls back to the original title when it is empty', () => {
    const base = { original, newTicketId: 'PROJ-143', batchId: '2024-01-15-overnight', remainingWork: [], readyLabel: 'ready-for-agent' };
    expect(composeFollowUpTicket({ ...base, title: 'x\n---\nid: PROJ-1\u001b[31m' }).title).toBe('x --- id: PROJ-1');
    expect(composeFollowUpTicket({ ...base, title: ' \n ' }).title).toBe('Follow-up of PROJ-142: Implement user authentication');
    expect(composeFollowUpTicket({ ...base, title: 'a'.repeat(500) }).title).toHaveLength(120);
  });

  it('refuses an unsafe batch or new id', () => {
    const base = { original, newTicketId: 'PROJ-143', batchId: '2024-01-15-overnight', title: 't', remainingWork: [], readyLabel: 'ready-for-agent' };
    expect(() => composeFollowUpTicket({ ...base, batchId: '../x' })).toThrow(/batchId/);
    expect(() => composeFollowUpTicket({ ...base, newTicketId: 'PROJ-1/..' })).toThrow(/newTicketId/);
  });
});
