import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ticketFromFixture } from '../testing/contracts/ticket-source.js';
import type { TicketFixture } from '../testing/contracts/ticket-source.js';
import { orderByDependencies, planBatch } from './batch-plan.js';
import type { Ticket } from './ticket.js';

function ticket(fixture: Partial<TicketFixture> & { id: string }, file = `tickets/${fixture.id}.md`): Ticket {
  return ticketFromFixture(
    {
      title: `Ticket ${fixture.id}`,
      labels: ['ready-for-agent'],
      complexity: 'small',
      estimatedFiles: ['src/x.ts'],
      acceptanceCriteria: ['it works'],
      testCases: ['it is tested'],
      createdAt: '2024-01-10T00:00:00.000Z',
      ...fixture,
    },
    file,
  );
}

const plan = (tickets: Ticket[], maxTickets = 20) => planBatch({ tickets, readyLabel: 'ready-for-agent', maxTickets });
const ids = (tickets: readonly Ticket[]) => tickets.map((selected) => selected.id);

describe('planBatch', () => {
  it('orders the seed example: PROJ-142 (high) first, PROJ-145 after the PROJ-142 it depends on', () => {
    const result = plan([
      ticket({ id: 'PROJ-145', priority: 'medium', complexity: 'large', dependencies: ['PROJ-142'], createdAt: '2024-01-09T00:00:00.000Z' }),
      ticket({ id: 'PROJ-138', priority: 'medium', complexity: 'small', createdAt: '2024-01-10T00:00:00.000Z' }),
      ticket({ id: 'PROJ-142', priority: 'high', complexity: 'medium', createdAt: '2024-01-11T00:00:00.000Z' }),
    ]);
    expect(ids(result.selected)).toEqual(['PROJ-142', 'PROJ-145', 'PROJ-138']);
    expect(result.refused).toEqual([]);
    expect(result.deferred).toEqual([]);
  });

  it('breaks ties by priority, then age, then id', () => {
    const result = plan([
      ticket({ id: 'PROJ-3', priority: 'low' }),
      ticket({ id: 'PROJ-2', priority: 'medium', createdAt: '2024-01-02T00:00:00.000Z' }),
      ticket({ id: 'PROJ-1', priority: 'medium', createdAt: '2024-01-02T00:00:00.000Z' }),
      ticket({ id: 'PROJ-4', priority: 'medium', createdAt: '2024-01-01T00:00:00.000Z' }),
      ticket({ id: 'PROJ-5', priority: 'high', createdAt: '2024-02-01T00:00:00.000Z' }),
    ]);
    expect(ids(result.selected)).toEqual(['PROJ-5', 'PROJ-4', 'PROJ-1', 'PROJ-2', 'PROJ-3']);
  });

  it('ignores tickets without the ready label and never selects resolved ones', () => {
    const result = plan([
      ticket({ id: 'PROJ-1', labels: ['backlog'] }),
      ticket({ id: 'PROJ-2', labels: ['Ready-For-Agent'] }),
      ticket({ id: 'PROJ-3', status: 'Done' }),
      ticket({ id: 'PROJ-4', dependencies: ['PROJ-3'] }),
    ]);
    expect(result.ignored).toEqual(['PROJ-1']);
    expect(result.alreadyResolved).toEqual(['PROJ-3']);
    expect(ids(result.selected)).toEqual(['PROJ-2', 'PROJ-4']);
  });

  it('refuses every copy of a duplicated id, naming the other file', () => {
    const result = plan([ticket({ id: 'PROJ-1' }, 'tickets/a.md'), ticket({ id: 'PROJ-1' }, 'tickets/b.md'), ticket({ id: 'PROJ-2' })]);
    expect(ids(result.selected)).toEqual(['PROJ-2']);
    expect(result.refused.map((refused) => [refused.sourceReference, refused.reasons])).toEqual([
      ['tickets/a.md', ['duplicate id PROJ-1: also used by tickets/b.md']],
      ['tickets/b.md', ['duplicate id PROJ-1: also used by tickets/a.md']],
    ]);
  });

  it('refuses an unknown dependency', () => {
    const result = plan([ticket({ id: 'PROJ-1', dependencies: ['PROJ-9'] })]);
    expect(result.refused).toEqual([
      {
        ticketId: 'PROJ-1',
        sourceReference: 'tickets/PROJ-1.md',
        reasons: ['dependency PROJ-9 is unknown: no ticket with that id was found'],
        missingRequired: ['dependency PROJ-9 is unknown: no ticket with that id was found'],
        missingRecommended: [],
      },
    ]);
  });

  it('refuses a dependency that is neither resolved nor a candidate', () => {
    const result = plan([ticket({ id: 'PROJ-1', labels: [] }), ticket({ id: 'PROJ-2', dependencies: ['PROJ-1'] })]);
    expect(result.refused.map((refused) => refused.reasons)).toEqual([['dependency PROJ-1 is not resolved and not in this batch']]);
  });

  it('names a dependency cycle and refuses its dependents', () => {
    const result = plan([
      ticket({ id: 'PROJ-1', dependencies: ['PROJ-2'] }),
      ticket({ id: 'PROJ-2', dependencies: ['PROJ-1'] }),
      ticket({ id: 'PROJ-3', dependencies: ['PROJ-1'] }),
      ticket({ id: 'PROJ-4' }),
    ]);
    expect(ids(result.selected)).toEqual(['PROJ-4']);
    expect(Object.fromEntries(result.refused.map((refused) => [refused.ticketId, refused.reasons]))).toEqual({
      'PROJ-1': ['dependency cycle: PROJ-1 → PROJ-2 → PROJ-1'],
      'PROJ-2': ['dependency cycle: PROJ-2 → PROJ-1 → PROJ-2'],
      'PROJ-3': ['dependency PROJ-1 is not resolved and not in this batch'],
    });
  });

  it('refuses the dependents of a ticket refused for readiness, transitively', () => {
    const result = plan([
      ticket({ id: 'PROJ-1', openQuestions: ['Which token library?'] }),
      ticket({ id: 'PROJ-2', dependencies: ['PROJ-1'] }),
      ticket({ id: 'PROJ-3', dependencies: ['PROJ-2'] }),
    ]);
    expect(result.selected).toEqual([]);
    expect(result.refused.map((refused) => [refused.ticketId, refused.missingRequired])).toEqual([
      ['PROJ-1', ["open question: 'Which token library?'"]],
      ['PROJ-2', ['dependency PROJ-1 is not resolved and not in this batch']],
      ['PROJ-3', ['dependency PROJ-2 is not resolved and not in this batch']],
    ]);
  });

  it('reports missing recommendations of a refused ticket and of selected ones', () => {
    const result = plan([ticket({ id: 'PROJ-1', acceptanceCriteria: [], testCases: [] }), ticket({ id: 'PROJ-2', estimatedFiles: [] })]);
    expect(result.refused[0]?.missingRecommended).toEqual(["no test cases: add a '## Test Cases' list"]);
    expect(result.recommendations).toEqual([
      { ticketId: 'PROJ-2', missingRecommended: ["no estimated files: list them in 'estimated_files' (globs are fine)"] },
    ]);
  });

  it('cuts at max_tickets without taking a dependent whose dependency is left out', () => {
    const result = plan(
      [
        ticket({ id: 'PROJ-1', priority: 'high' }),
        ticket({ id: 'PROJ-2', priority: 'high' }),
        ticket({ id: 'PROJ-3', priority: 'low' }),
        ticket({ id: 'PROJ-4', priority: 'high', dependencies: ['PROJ-3'] }),
      ],
      2,
    );
    expect(ids(result.selected)).toEqual(['PROJ-1', 'PROJ-2']);
    expect(result.deferred).toEqual([
      { ticketId: 'PROJ-3', reason: 'did not fit: max_tickets is 2' },
      { ticketId: 'PROJ-4', reason: 'waits for PROJ-3, which did not fit in max_tickets (2)' },
    ]);
  });

  it('keeps excluded tickets out, and refuses their dependents as waiting for them', () => {
    const result = planBatch({
      tickets: [ticket({ id: 'PROJ-1', status: 'in-review' }), ticket({ id: 'PROJ-2', dependencies: ['PROJ-1'] }), ticket({ id: 'PROJ-3' })],
      readyLabel: 'ready-for-agent',
      maxTickets: 5,
      excludedTicketIds: new Set(['PROJ-1']),
    });
    expect(result.excluded).toEqual(['PROJ-1']);
    expect(ids(result.selected)).toEqual(['PROJ-3']);
    expect(result.refused.map((refused) => refused.reasons)).toEqual([['dependency PROJ-1 is not resolved and not in this batch']]);
  });

  it('treats ids resolved elsewhere as resolved', () => {
    const result = planBatch({
      tickets: [ticket({ id: 'PROJ-2', dependencies: ['PROJ-1'] })],
      readyLabel: 'ready-for-agent',
      maxTickets: 5,
      resolvedTicketIds: new Set(['PROJ-1']),
    });
    expect(ids(result.selected)).toEqual(['PROJ-2']);
  });
});

describe('planBatch properties', () => {
  const graph = fc
    .record({
      size: fc.integer({ min: 0, max: 12 }),
      edges: fc.array(fc.tuple(fc.nat(15), fc.nat(15)), { maxLength: 30 }),
      priorities: fc.array(fc.constantFrom('high' as const, 'medium' as const, 'low' as const), { minLength: 16, maxLength: 16 }),
      notReady: fc.array(fc.boolean(), { minLength: 16, maxLength: 16 }),
      unlabeled: fc.array(fc.boolean(), { minLength: 16, maxLength: 16 }),
      excludedMask: fc.array(fc.boolean(), { minLength: 16, maxLength: 16 }),
      maxTickets: fc.integer({ min: 0, max: 14 }),
    })
    .map(({ size, edges, priorities, notReady, unlabeled, excludedMask, maxTickets }) => {
      const tickets = Array.from({ length: size }, (_, index) =>
        ticket({
          id: `PROJ-${index}`,
          priority: priorities[index] ?? 'medium',
          labels: unlabeled[index] === true ? [] : ['ready-for-agent'],
          openQuestions: notReady[index] === true ? ['why?'] : [],
          dependencies: [
            ...new Set(edges.filter(([from, to]) => from === index && to !== index).map(([, to]) => `PROJ-${to}`)),
          ],
        }),
      );
      const excludedTicketIds = new Set(tickets.filter((_, index) => excludedMask[index] === true && index % 3 === 0).map((listed) => listed.id));
      return { tickets, maxTickets, excludedTicketIds };
    });

  it('keeps every selected ticket after its in-batch dependencies, within max_tickets, without cycles or orphans', () => {
    fc.assert(
      fc.property(graph, ({ tickets, maxTickets, excludedTicketIds }) => {
        const result = planBatch({ tickets, readyLabel: 'ready-for-agent', maxTickets, excludedTicketIds });
        expect(result.selected.length).toBeLessThanOrEqual(maxTickets);
        const position = new Map(result.selected.map((selected, index) => [selected.id, index]));
        for (const [index, selected] of result.selected.entries()) {
          for (const dependency of selected.dependencies) {
            expect(position.has(dependency), `${selected.id} selected without ${dependency}`).toBe(true);
            expect(position.get(dependency) as number).toBeLessThan(index);
          }
          expect(selected.openQuestions).toEqual([]);
          expect(excludedTicketIds.has(selected.id)).toBe(false);
        }
        const accounted = [
          ...result.selected.map((selected) => selected.id),
          ...result.refused.map((refused) => refused.ticketId),
          ...result.deferred.map((deferred) => deferred.ticketId),
          ...result.ignored,
          ...result.alreadyResolved,
          ...result.excluded,
        ];
        expect(accounted.sort()).toEqual(tickets.map((listed) => listed.id).sort());
        for (const refused of result.refused) expect(refused.reasons.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });

  it('orders any acyclic set so that dependencies come first', () => {
    fc.assert(
      fc.property(graph, ({ tickets }) => {
        const acyclic = tickets.map((listed) => ({
          ...listed,
          dependencies: listed.dependencies.filter((dependency) => Number(dependency.slice(5)) < Number(listed.id.slice(5))),
        }));
        const order = orderByDependencies(acyclic).map((ordered) => ordered.id);
        for (const listed of acyclic) {
          for (const dependency of listed.dependencies) expect(order.indexOf(dependency)).toBeLessThan(order.indexOf(listed.id));
        }
      }),
    );
  });
});
