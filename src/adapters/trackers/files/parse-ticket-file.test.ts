import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTicketFile } from './parse-ticket-file.js';

const origin = { sourceReference: 'tickets/PROJ-142.md', modifiedAt: '2024-01-14T10:00:00.000Z' };

const SEED_TICKET = `---
id: PROJ-142
title: Implement user authentication
labels: [ready-for-agent, backend]
priority: high
complexity: medium
estimated_files: ["src/auth.py", "tests/test_auth.py"]
dependencies: []
created_at: "2024-01-10"
---

Users need to log in.

## Acceptance Criteria
- Add login endpoint with JWT tokens
- Add logout endpoint with token invalidation

## Open Questions
None

## Test Cases
- login with a wrong password returns 401

## Agent Readiness
- [x] Acceptance criteria clear
- [x] No open questions
- [x] Dependencies: None / PROJ-XXX completed
- [x] Estimated files: src/feature.py, tests/
- [x] Complexity: Small / Medium / Large
`;

const withFrontMatter = (frontMatter: string, body = '## Acceptance Criteria\n- works\n') => `---\n${frontMatter}---\n${body}`;

describe('parseTicketFile', () => {
  it('reads the seed ticket', () => {
    const reading = parseTicketFile(SEED_TICKET, origin);
    expect(reading.problems).toEqual([]);
    expect(reading.ticket).toMatchObject({
      id: 'PROJ-142',
      title: 'Implement user authentication',
      labels: ['ready-for-agent', 'backend'],
      priority: 'high',
      complexity: 'medium',
      estimatedFiles: ['src/auth.py', 'tests/test_auth.py'],
      dependencies: [],
      createdAt: '2024-01-10T00:00:00.000Z',
      acceptanceCriteria: ['Add login endpoint with JWT tokens', 'Add logout endpoint with token invalidation'],
      openQuestions: [],
      testCases: ['login with a wrong password returns 401'],
      sourceReference: 'tickets/PROJ-142.md',
    });
    expect(reading.ticket?.readinessChecklist).toHaveLength(5);
    expect(reading.ticket?.body.startsWith('\nUsers need to log in.')).toBe(true);
  });

  it('defaults priority to medium and the creation time to the modification time', () => {
    const reading = parseTicketFile(withFrontMatter('id: PROJ-1\ntitle: Small\n'), origin);
    expect(reading.ticket).toMatchObject({ priority: 'medium', labels: [], estimatedFiles: [], dependencies: [], createdAt: origin.modifiedAt });
    expect(reading.ticket?.complexity).toBeUndefined();
  });

  it('fills estimated files and complexity from ticked checklist lines when the front matter lacks them', () => {
    const reading = parseTicketFile(
      withFrontMatter('id: PROJ-1\ntitle: T\n', '## Agent Readiness\n- [x] Estimated files: src/feature.py, tests/\n- [x] Complexity: Large\n'),
      origin,
    );
    expect(reading.ticket).toMatchObject({ estimatedFiles: ['src/feature.py', 'tests/'], complexity: 'large' });
    const frontMatterWins = parseTicketFile(
      withFrontMatter('id: PROJ-1\ntitle: T\ncomplexity: small\nestimated_files: [a.py]\n', '## Agent Readiness\n- [x] Estimated files: b.py\n- [x] Complexity: Large\n'),
      origin,
    );
    expect(frontMatterWins.ticket).toMatchObject({ estimatedFiles: ['a.py'], complexity: 'small' });
  });

  it('accepts priority and complexity in any case, and keeps the status', () => {
    const reading = parseTicketFile(withFrontMatter('id: PROJ-1\ntitle: T\npriority: High\ncomplexity: SMALL\nstatus: done\n'), origin);
    expect(reading.ticket).toMatchObject({ priority: 'high', complexity: 'small', status: 'done' });
  });

  it('reports a file without front matter, and unclosed front matter', () => {
    expect(parseTicketFile('# Just markdown\n', origin)).toEqual({
      problems: [{ location: 'tickets/PROJ-142.md', message: expect.stringContaining('expected YAML front matter'), severity: 'error' }],
    });
    expect(parseTicketFile('---\nid: PROJ-1\n', origin).problems[0]?.message).toContain('not closed');
  });

  it('reports malformed YAML with the line in the file', () => {
    const reading = parseTicketFile('---\nid: PROJ-1\ntitle: [unclosed\nlabels: x\n---\n', origin);
    expect(reading.ticket).toBeUndefined();
    expect(reading.problems[0]?.message).toMatch(/^malformed YAML front matter at line \d+, column \d+: /);
    const duplicate = parseTicketFile('---\nid: PROJ-1\ntitle: a\ntitle: b\n---\n', origin);
    expect(duplicate.problems[0]?.message).toMatch(/^malformed YAML front matter at line 4, column 1: Map keys must be unique/);
  });

  it.each([
    ['title: No id\n', 'id', 'missing required field: expected a ticket id like "PROJ-142" (this field is required)'],
    ['id: PROJ-1\n', 'title', 'missing required field: expected a title (text; this field is required)'],
    ['id: PROJ-1\ntitle: "  "\n', 'title', 'expected a title (text; this field is required), got "  "'],
    ['id: PROJ-1\ntitle: T\npriority: urgent\n', 'priority', 'expected one of high, medium, low, got "urgent"'],
    ['id: PROJ-1\ntitle: T\ncomplexity: huge\n', 'complexity', 'expected one of small, medium, large, got "huge"'],
    ['id: PROJ-1\ntitle: T\nlabels: ready-for-agent\n', 'labels', 'expected a list of labels, like [ready-for-agent], got "ready-for-agent"'],
    ['id: PROJ-1\ntitle: T\nestimated_files: [1]\n', 'estimated_files.0', 'expected a file path or glob (text), got 1'],
    ['id: PROJ-1\ntitle: T\ncreated_at: yesterday\n', 'created_at', 'got "yesterday"'],
    ['id: PROJ-1\ntitle: T\ndependencies: ["../x"]\n', 'dependencies.0', 'ticket id "../x" is not safe'],
    ['id: 142\ntitle: T\n', 'id', 'ticket id must be a string like "PROJ-142", got number'],
  ])('refuses %j, naming field %s', (frontMatter, field, message) => {
    const reading = parseTicketFile(withFrontMatter(frontMatter), origin);
    expect(reading.ticket).toBeUndefined();
    expect(reading.problems).toContainEqual(expect.objectContaining({ location: 'tickets/PROJ-142.md', field, message: expect.stringContaining(message), severity: 'error' }));
  });

  it.each(['../x', 'A/B-1', 'PROJ 1', 'PROJ-1;rm', '$(id)-1', 'proj-1'])('refuses the unsafe id %j', (id) => {
    const reading = parseTicketFile(withFrontMatter(`id: ${JSON.stringify(id)}\ntitle: T\n`), origin);
    expect(reading.ticket).toBeUndefined();
    expect(reading.problems).toEqual([
      { location: 'tickets/PROJ-142.md', ticketId: id, field: 'id', message: expect.stringContaining('is not safe'), severity: 'error' },
    ]);
  });

  it('lists the ticket with a warning for an unknown front-matter key', () => {
    const reading = parseTicketFile(withFrontMatter('id: PROJ-1\ntitle: T\nprority: high\n'), origin);
    expect(reading.ticket?.priority).toBe('medium');
    expect(reading.problems).toEqual([
      {
        location: 'tickets/PROJ-142.md',
        ticketId: 'PROJ-1',
        field: 'prority',
        message: expect.stringMatching(/^unknown front-matter field "prority" \(ignored\); known fields: id, title, labels, priority/),
        severity: 'warning',
      },
    ]);
  });

  it('refuses front matter that is not a mapping', () => {
    const reading = parseTicketFile(withFrontMatter('- a\n- b\n'), origin);
    expect(reading.problems[0]?.message).toMatch(/^expected a mapping of fields/);
  });

  it('reads CRLF files and a byte-order mark', () => {
    const reading = parseTicketFile('\uFEFF---\r\nid: PROJ-1\r\ntitle: T\r\n---\r\n## Acceptance Criteria\r\n- ok\r\n', origin);
    expect(reading.problems).toEqual([]);
    expect(reading.ticket).toMatchObject({ id: 'PROJ-1', title: 'T', acceptanceCriteria: ['ok'] });
  });

  it('never throws on random, truncated or mutated files', () => {
    const file = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.string({ unit: 'binary', maxLength: 200 }).map((text) => `---\n${text}\n---\n`),
      fc.nat().map((cut) => SEED_TICKET.slice(0, cut % (SEED_TICKET.length + 1))),
      fc.tuple(fc.nat(), fc.string({ maxLength: 6 })).map(([at, insert]) => {
        const position = at % (SEED_TICKET.length + 1);
        return SEED_TICKET.slice(0, position) + insert + SEED_TICKET.slice(position);
      }),
      fc
        .dictionary(fc.constantFrom('id', 'title', 'labels', 'priority', 'complexity', 'estimated_files', 'dependencies', 'status', 'created_at'), fc.jsonValue())
        .map((fields) => `---\n${JSON.stringify(fields)}\n---\n`),
    );
    fc.assert(
      fc.property(file, (text) => {
        const reading = parseTicketFile(text, origin);
        for (const problem of reading.problems) {
          expect(problem.location).toBe(origin.sourceReference);
          expect(typeof problem.message).toBe('string');
        }
        if (reading.ticket === undefined) expect(reading.problems.some((problem) => problem.severity === 'error')).toBe(true);
        else expect(reading.problems.every((problem) => problem.severity === 'warning')).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('reads the follow-up marks of a draft Nightshift filed, and refuses unsafe ones', () => {
    const draft = parseTicketFile(withFrontMatter('id: PROJ-143\ntitle: Rest\nstatus: draft\nfollow_up_of: PROJ-142\ncreated_by_batch: "2024-01-15-overnight"\n'), origin);
    expect(draft.problems).toEqual([]);
    expect(draft.followUp).toEqual({ originalTicketId: 'PROJ-142', batchId: '2024-01-15-overnight' });
    expect(draft.ticket?.status).toBe('draft');
    expect(parseTicketFile(withFrontMatter('id: PROJ-1\ntitle: Plain\n'), origin).followUp).toBeUndefined();

    const unsafe = parseTicketFile(withFrontMatter('id: PROJ-143\ntitle: Rest\nfollow_up_of: "../x"\ncreated_by_batch: "tonight; rm"\n'), origin);
    expect(unsafe.ticket).toBeUndefined();
    expect(unsafe.problems.map((problem) => problem.field)).toEqual(['follow_up_of', 'created_by_batch']);
    expect(unsafe.problems[1]?.message).toMatch(/expected a batch id like "2024-01-15-overnight".*got "tonight; rm"/);
  });
});
