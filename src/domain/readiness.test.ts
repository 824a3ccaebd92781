import { describe, expect, it } from 'vitest';
import { ticketFromFixture } from '../testing/contracts/ticket-source.js';
import type { TicketFixture } from '../testing/contracts/ticket-source.js';
import { readReadinessChecklist, validateReadiness } from './readiness.js';

const none = new Set<string>();

function readyTicket(overrides: Partial<TicketFixture> = {}) {
  return ticketFromFixture(
    {
      id: 'PROJ-142',
      title: 'Auth',
      labels: ['ready-for-agent'],
      complexity: 'medium',
      estimatedFiles: ['src/auth.py'],
      acceptanceCriteria: ['login returns a token'],
      testCases: ['wrong password gives 401'],
      ...overrides,
    },
    'tickets/PROJ-142.md',
  );
}

describe('validateReadiness', () => {
  it('accepts a complete ticket', () => {
    expect(validateReadiness(readyTicket(), { resolvedTicketIds: none, candidateTicketIds: none })).toEqual({
      ready: true,
      missingRequired: [],
      missingRecommended: [],
    });
  });

  it('requires acceptance criteria', () => {
    const result = validateReadiness(readyTicket({ acceptanceCriteria: [] }), { resolvedTicketIds: none, candidateTicketIds: none });
    expect(result.ready).toBe(false);
    expect(result.missingRequired).toEqual(["no acceptance criteria: add a '## Acceptance Criteria' list"]);
  });

  it('takes a ticked checklist line as acceptance criteria, and an unticked one as missing', () => {
    const ticked = readyTicket({ acceptanceCriteria: [], readinessChecklist: [{ text: 'Acceptance criteria clear', checked: true }] });
    expect(validateReadiness(ticked, { resolvedTicketIds: none, candidateTicketIds: none }).ready).toBe(true);
    const unticked = readyTicket({ readinessChecklist: [{ text: 'Acceptance criteria clear', checked: false }] });
    const result = validateReadiness(unticked, { resolvedTicketIds: none, candidateTicketIds: none });
    expect(result.ready).toBe(false);
    expect(result.missingRequired[0]).toMatch(/^acceptance criteria not confirmed/);
  });

  it('names every open question, and an unticked "No open questions" blocks too', () => {
    const ticket = readyTicket({
      openQuestions: ['Which token library?'],
      readinessChecklist: [{ text: 'No open questions', checked: false }],
    });
    const result = validateReadiness(ticket, { resolvedTicketIds: none, candidateTicketIds: none });
    expect(result.missingRequired).toEqual([
      "open question: 'Which token library?'",
      "questions not confirmed answered: tick '- [x] No open questions' under '## Agent Readiness'",
    ]);
  });

  it('accepts dependencies that are resolved or in the same batch, and names the others', () => {
    const ticket = readyTicket({ dependencies: ['PROJ-1', 'PROJ-2', 'PROJ-9'] });
    const result = validateReadiness(ticket, { resolvedTicketIds: new Set(['PROJ-1']), candidateTicketIds: new Set(['PROJ-2']) });
    expect(result.missingRequired).toEqual(['dependency PROJ-9 is not resolved and not in this batch']);
  });

  it('says a dependency is unknown when the tracker never listed it', () => {
    const ticket = readyTicket({ dependencies: ['PROJ-9'] });
    const result = validateReadiness(ticket, { resolvedTicketIds: none, candidateTicketIds: none, knownTicketIds: new Set(['PROJ-142']) });
    expect(result.missingRequired).toEqual(['dependency PROJ-9 is unknown: no ticket with that id was found']);
  });

  it('refuses a ticket that depends on itself, even as a candidate', () => {
    const ticket = readyTicket({ dependencies: ['PROJ-142'] });
    const result = validateReadiness(ticket, { resolvedTicketIds: none, candidateTicketIds: new Set(['PROJ-142']) });
    expect(result.missingRequired).toEqual(['ticket depends on itself: remove PROJ-142 from its dependencies']);
  });

  it('lists the recommended items without refusing', () => {
    const ticket = readyTicket({ estimatedFiles: [], testCases: [] });
    delete ticket.complexity;
    const result = validateReadiness(ticket, { resolvedTicketIds: none, candidateTicketIds: none });
    expect(result.ready).toBe(true);
    expect(result.missingRecommended).toEqual([
      "no estimated files: list them in 'estimated_files' (globs are fine)",
      "no complexity estimate: set 'complexity' to small, medium or large",
      "no test cases: add a '## Test Cases' list",
    ]);
  });

  it('counts files and complexity named on ticked checklist lines', () => {
    const ticket = readyTicket({
      estimatedFiles: [],
      readinessChecklist: [
        { text: 'Estimated files: src/feature.py, tests/', checked: true },
        { text: 'Complexity: Small', checked: true },
      ],
    });
    delete ticket.complexity;
    expect(validateReadiness(ticket, { resolvedTicketIds: none, candidateTicketIds: none }).missingRecommended).toEqual([]);
  });
});

describe('readReadinessChecklist', () => {
  it('reads the seed checklist', () => {
    expect(
      readReadinessChecklist([
        { text: 'Acceptance criteria clear', checked: true },
        { text: 'No open questions', checked: true },
        { text: 'Dependencies: None / PROJ-XXX completed', checked: true },
        { text: 'Estimated files: src/feature.py, `tests/`', checked: true },
        { text: 'Complexity: Small / Medium / Large', checked: true },
      ]),
    ).toEqual({ acceptanceCriteriaClear: true, noOpenQuestions: true, estimatedFiles: ['src/feature.py', 'tests/'] });
  });

  it('takes no values from unticked lines or placeholders', () => {
    expect(
      readReadinessChecklist([
        { text: 'Estimated files: src/a.ts', checked: false },
        { text: 'Complexity: large', checked: false },
        { text: 'acceptance criteria clear', checked: false },
      ]),
    ).toEqual({ acceptanceCriteriaClear: false });
    expect(readReadinessChecklist([{ text: 'Estimated files: TBD', checked: true }, { text: 'Complexity: Large.', checked: true }])).toEqual({
      complexity: 'large',
    });
  });
});
