import { describe, expect, it } from 'vitest';
import { describeTicketSourceContract, ticketFromFixture } from './contracts/ticket-source.js';
import { InMemoryTicketSource } from './in-memory-ticket-source.js';

describeTicketSourceContract('in-memory', async (fixtures) =>
  new InMemoryTicketSource(fixtures.map((fixture, index) => ticketFromFixture(fixture, `memory/${index}-${fixture.id}`))),
);

describe('InMemoryTicketSource', () => {
  it('keeps what Nightshift told it, for tests to read', async () => {
    const source = new InMemoryTicketSource([ticketFromFixture({ id: 'PROJ-1', title: 'T' }, 'memory/1')], [{ location: 'memory/2', message: 'broken' }]);
    await source.updateStatus('PROJ-1', 'in-progress');
    await source.recordRefusal('PROJ-1', { checkedAt: 'now', batchId: 'b', missingRequired: ['x'], missingRecommended: [] });
    expect(source.statusUpdates).toEqual([{ ticketId: 'PROJ-1', status: 'in-progress' }]);
    expect(source.refusals.get('PROJ-1')?.missingRequired).toEqual(['x']);
    expect((await source.listTickets()).problems).toEqual([{ location: 'memory/2', message: 'broken' }]);
  });

  it('hands out copies, so a caller cannot change its tickets', async () => {
    const source = new InMemoryTicketSource([ticketFromFixture({ id: 'PROJ-1', title: 'T' }, 'memory/1')]);
    const first = await source.listTickets();
    first.tickets[0]?.labels.push('changed');
    expect((await source.listTickets()).tickets[0]?.labels).toEqual([]);
  });
});
