import { describe, expect, it } from 'vitest';
import { readTicketBody } from './read-ticket-body.js';

describe('readTicketBody', () => {
  it('reads the sections of the seed format', () => {
    const body = `
Some description with a list:
- not a criterion

## Acceptance Criteria
- Login returns a JWT
* Logout invalidates the token
1. Protected routes need the token

### open questions:
- [x] Which hashing? (answered: argon2)
- Which token library?
- ~~Do we need refresh tokens?~~

## Test Cases
- [ ] wrong password gives 401
- expired token gives 401

## Agent Readiness
- [x] Acceptance criteria clear
- [ ] No open questions
- [X] Complexity: Medium
- a line without a box

## Notes
- nothing here counts
`;
    expect(readTicketBody(body)).toEqual({
      acceptanceCriteria: ['Login returns a JWT', 'Logout invalidates the token', 'Protected routes need the token'],
      openQuestions: ['Which token library?'],
      testCases: ['wrong password gives 401', 'expired token gives 401'],
      readinessChecklist: [
        { text: 'Acceptance criteria clear', checked: true },
        { text: 'No open questions', checked: false },
        { text: 'Complexity: Medium', checked: true },
      ],
    });
  });

  it.each(['- None', '- N/A', '- none.', 'None', '- [ ] n/a', ''])('counts %j under Open Questions as no question', (content) => {
    expect(readTicketBody(`## Open Questions\n${content}\n`).openQuestions).toEqual([]);
  });

  it('takes a question written as a paragraph, and keeps TBD as blocking', () => {
    expect(readTicketBody('## Open Questions\nShould we support SSO?\n- TBD\n').openQuestions).toEqual(['Should we support SSO?', 'TBD']);
  });

  it('joins continuation lines and nested items into their item', () => {
    const body = '## Acceptance Criteria\n- The report lists\n  every overdue invoice\n  - with its amount\n- Totals match\n';
    expect(readTicketBody(body).acceptanceCriteria).toEqual(['The report lists every overdue invoice with its amount', 'Totals match']);
  });

  it('ignores headings and lists inside code fences, and level-1 or level-4 headings', () => {
    const body = '## Acceptance Criteria\n```md\n## Open Questions\n- fake\n```\n- real\n# Open Questions\n- not a question\n#### Test Cases\n- not a test\n';
    expect(readTicketBody(body)).toEqual({ acceptanceCriteria: ['real'], openQuestions: [], testCases: [], readinessChecklist: [] });
  });

  it('drops placeholder criteria so that an empty section counts as missing', () => {
    expect(readTicketBody('## Acceptance Criteria\n- TBD\n- \n- None\n').acceptanceCriteria).toEqual([]);
  });

  it('reads CRLF files', () => {
    expect(readTicketBody('## Test Cases\r\n- one\r\n- two\r\n').testCases).toEqual(['one', 'two']);
  });
});
