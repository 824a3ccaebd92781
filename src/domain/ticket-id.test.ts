import { describe, expect, it } from 'vitest';
import { checkTicketId } from './ticket-id.js';

describe('checkTicketId', () => {
  it('accepts the seed ids', () => {
    expect(checkTicketId('PROJ-142')).toEqual({ ok: true, id: 'PROJ-142' });
  });
  it.each(['../PROJ-1', 'PROJ/1', 'PROJ 1', 'PROJ-1;rm -rf', '$(id)-1', 'proj-1', 'PROJ-', ''])('refuses %j', (id) => {
    const result = checkTicketId(id);
    expect(result.ok).toBe(false);
  });
});
