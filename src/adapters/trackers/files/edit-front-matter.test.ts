import { describe, expect, it } from 'vitest';
import { editFrontMatterField, readFrontMatterField } from './edit-front-matter.js';

const TICKET = `---
# Owner: payments team
id: PROJ-142   # do not renumber
title: "Implement user authentication"
labels: [ready-for-agent, backend]
priority: high

# created from the planning meeting
dependencies:
  - PROJ-100
---

## Acceptance Criteria
- login works
`;

const block = {
  checked_at: '2024-01-15T17:00:00Z',
  batch_id: '2024-01-15-overnight',
  missing_required: ["no acceptance criteria: add a '## Acceptance Criteria' list"],
  missing_recommended: [],
};

describe('editFrontMatterField', () => {
  it('appends a new field at the end of the front matter and keeps every other byte', () => {
    const edited = editFrontMatterField(TICKET, 'readiness', block);
    const [head, tail] = TICKET.split('---\n\n## Acceptance');
    expect(edited.startsWith(head as string)).toBe(true);
    expect(edited.endsWith(`---\n\n## Acceptance${tail as string}`)).toBe(true);
    expect(edited.slice((head as string).length)).toMatch(/^readiness:\n {2}checked_at: .*\n {2}batch_id: 2024-01-15-overnight\n {2}missing_required:\n {4}- .*\n {2}missing_recommended: \[\]\n---\n/);
    expect(readFrontMatterField(edited, 'readiness')).toEqual(block);
  });

  it('replaces the field in place, and removing it restores the original file byte for byte', () => {
    const once = editFrontMatterField(TICKET, 'readiness', block);
    const twice = editFrontMatterField(once, 'readiness', { ...block, batch_id: '2024-01-16-overnight' });
    expect(twice.match(/readiness:/g)).toHaveLength(1);
    expect(readFrontMatterField(twice, 'readiness')).toMatchObject({ batch_id: '2024-01-16-overnight' });
    expect(editFrontMatterField(twice, 'readiness', undefined)).toBe(TICKET);
  });

  it('replaces a field in the middle without touching its neighbours or their comments', () => {
    const edited = editFrontMatterField(TICKET, 'priority', 'low');
    expect(edited).toBe(TICKET.replace('priority: high', 'priority: low'));
    const withBlockInMiddle = TICKET.replace('priority: high\n', 'readiness:\n  batch_id: old\n  missing_required:\n    - x\npriority: high\n');
    expect(editFrontMatterField(withBlockInMiddle, 'readiness', undefined)).toBe(TICKET);
  });

  it('returns the same text when there is nothing to remove', () => {
    expect(editFrontMatterField(TICKET, 'readiness', undefined)).toBe(TICKET);
  });

  it('keeps CRLF line breaks', () => {
    const crlf = TICKET.replace(/\n/g, '\r\n');
    const edited = editFrontMatterField(crlf, 'status', 'in-progress');
    expect(edited).toBe(crlf.replace('dependencies:\r\n  - PROJ-100\r\n', 'dependencies:\r\n  - PROJ-100\r\nstatus: in-progress\r\n'));
    expect(edited.replace(/\r\n/g, '')).not.toContain('\n');
  });

  it('falls back to re-emitting a flow-mapping front matter, keeping its values', () => {
    const flow = '---\n{ id: PROJ-1, title: T }\n---\nbody\n';
    const edited = editFrontMatterField(flow, 'status', 'done');
    expect(readFrontMatterField(edited, 'status')).toBe('done');
    expect(readFrontMatterField(edited, 'id')).toBe('PROJ-1');
    expect(edited.endsWith('---\nbody\n')).toBe(true);
  });

  it('writes into empty front matter', () => {
    expect(editFrontMatterField('---\n---\nbody\n', 'status', 'done')).toBe('---\nstatus: done\n---\nbody\n');
  });

  it('refuses to edit a file whose front matter is broken (it changed since the listing)', () => {
    expect(() => editFrontMatterField('no front matter', 'status', 'done')).toThrow(/cannot edit the front matter/);
    expect(() => editFrontMatterField('---\nid: [\n---\n', 'status', 'done')).toThrow(/not valid YAML/);
  });
});
