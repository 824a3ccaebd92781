import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../adapters/stores/memory/memory-store.js';
import { newTicketRun } from '../domain/ticket-run.js';
import { buildBatch, buildEscalation, buildTicket } from '../testing/contracts/store-record-builders.js';
import { FixedClock } from '../testing/fixed-clock.js';
import { InMemoryTicketSource } from '../testing/in-memory-ticket-source.js';
import {
  ANSWERED_TICKET_STATUS,
  answerEscalation,
  decisionForTicket,
  findEscalation,
  listEscalations,
  type EscalationAnswerDependencies,
} from './escalations.js';
import { IN_FLIGHT_TICKET_STATUSES } from './intake.js';

const FIRST = '2024-01-15-overnight';
const SECOND = '2024-01-16-overnight';

describe('escalation use cases', () => {
  let store: MemoryStore;
  let ticketSource: InMemoryTicketSource;
  let clock: FixedClock;
  let dependencies: EscalationAnswerDependencies;

  beforeEach(async () => {
    store = new MemoryStore();
    ticketSource = new InMemoryTicketSource([buildTicket('PROJ-1', { status: 'escalated' }), buildTicket('PROJ-2', { status: 'escalated' }), buildTicket('PROJ-3')]);
    clock = new FixedClock('2024-01-16T09:30:00.000Z');
    dependencies = { store, ticketSource, clock };
    for (const batchId of [FIRST, SECOND]) {
      await store.createBatch(buildBatch(batchId), ['PROJ-1', 'PROJ-2', 'PROJ-3'].map((id) => buildTicket(id)), ['PROJ-1', 'PROJ-2', 'PROJ-3'].map((id) => newTicketRun(batchId, id, clock.nowIso())));
    }
  });

  describe('listEscalations and findEscalation', () => {
    it('lists open, answered or all, by batch, oldest first; finds the latest of a ticket', async () => {
      const answered = buildEscalation(FIRST, 'PROJ-1', { answer: 'Number', answeredAt: '2024-01-16T08:00:00.000Z' });
      const openFirst = buildEscalation(FIRST, 'PROJ-2', { trigger: 'protected-paths', question: 'May it change ci.yml?' });
      const openSecond = buildEscalation(SECOND, 'PROJ-1', { trigger: 'complexity-above-estimate', question: 'Go ahead as large?' });
      for (const record of [answered, openFirst, openSecond]) await store.saveEscalation(record);

      expect(await listEscalations(dependencies)).toEqual([answered, openFirst, openSecond]);
      expect(await listEscalations(dependencies, { open: true })).toEqual([openFirst, openSecond]);
      expect(await listEscalations(dependencies, { open: false })).toEqual([answered]);
      expect(await listEscalations(dependencies, { batchId: SECOND })).toEqual([openSecond]);
      expect(await findEscalation(dependencies, 'PROJ-1')).toEqual(openSecond);
      expect(await findEscalation(dependencies, 'PROJ-2')).toEqual(openFirst);
      expect(await findEscalation(dependencies, 'PROJ-3')).toBeUndefined();
    });
  });

  describe('answerEscalation', () => {
    it('records the answer, when and by whom, and puts the ticket back in the queue', async () => {
      await store.saveEscalation(buildEscalation(FIRST, 'PROJ-1'));
      const result = await answerEscalation(dependencies, { ticketId: 'PROJ-1', text: '  Use JWT, as in the API service.  ', answeredBy: 'ada' });
      const expected = { ...buildEscalation(FIRST, 'PROJ-1'), answer: 'Use JWT, as in the API service.', answeredAt: '2024-01-16T09:30:00.000Z', answeredBy: 'ada' };
      expect(result).toEqual({ ok: true, escalation: expected, ticketStatus: 'answered' });
      expect(await store.listEscalations()).toEqual([expected]);
      expect(ticketSource.statusUpdates).toEqual([{ ticketId: 'PROJ-1', status: 'answered' }]);
      expect((await ticketSource.listTickets()).tickets.find((ticket) => ticket.id === 'PROJ-1')?.status).toBe('answered');
    });

    it('answers the newest open escalation of the ticket and leaves the others as they are', async () => {
      const older = buildEscalation(FIRST, 'PROJ-1');
      const newer = buildEscalation(SECOND, 'PROJ-1', { trigger: 'protected-paths' });
      const other = buildEscalation(SECOND, 'PROJ-2');
      for (const record of [older, newer, other]) await store.saveEscalation(record);
      await answerEscalation(dependencies, { ticketId: 'PROJ-1', text: 'Yes', answeredBy: 'ada' });
      expect((await store.listEscalations({ open: true })).map((record) => [record.batchId, record.ticketId])).toEqual([
        [FIRST, 'PROJ-1'],
        [SECOND, 'PROJ-2'],
      ]);
    });

    it('refuses, changing nothing, a ticket that never escalated, one already answered, and an empty answer', async () => {
      await store.saveEscalation(buildEscalation(FIRST, 'PROJ-1', { answer: 'Number', answeredAt: '2024-01-16T08:00:00.000Z', answeredBy: 'grace' }));
      await store.saveEscalation(buildEscalation(FIRST, 'PROJ-2'));
      const before = await store.listEscalations();

      expect(await answerEscalation(dependencies, { ticketId: 'PROJ-3', text: 'Yes', answeredBy: 'ada' })).toEqual({
        ok: false,
        reason: 'no-escalation',
        message: 'ticket PROJ-3 has no escalation',
      });
      expect(await answerEscalation(dependencies, { ticketId: 'PROJ-1', text: 'Yes', answeredBy: 'ada' })).toEqual({
        ok: false,
        reason: 'already-answered',
        message: `ticket PROJ-1 has no open escalation: its latest (batch ${FIRST}) was answered by grace at 2024-01-16T08:00:00.000Z`,
      });
      expect(await answerEscalation(dependencies, { ticketId: 'PROJ-2', text: ' \n ', answeredBy: 'ada' })).toMatchObject({ ok: false, reason: 'empty-answer' });
      expect(await store.listEscalations()).toEqual(before);
      expect(ticketSource.statusUpdates).toEqual([]);
    });

    it('refuses a ticket gone from the tracker, naming its problem, and leaves the escalation open', async () => {
      const tracker = new InMemoryTicketSource([buildTicket('PROJ-2')], [{ location: 'tickets/PROJ-1.md', ticketId: 'PROJ-1', field: 'priority', message: 'expected high, medium or low' }]);
      await store.saveEscalation(buildEscalation(FIRST, 'PROJ-1'));
      expect(await answerEscalation({ ...dependencies, ticketSource: tracker }, { ticketId: 'PROJ-1', text: 'Yes', answeredBy: 'ada' })).toEqual({
        ok: false,
        reason: 'not-in-tracker',
        message: 'ticket PROJ-1 is not in the in-memory tracker any more (tickets/PROJ-1.md: expected high, medium or low), so it cannot go back in the queue',
      });
      expect(await store.listEscalations({ open: true })).toHaveLength(1);
      expect(tracker.statusUpdates).toEqual([]);
    });

    it('uses a status that intake does not hold back as in flight', () => {
      expect(IN_FLIGHT_TICKET_STATUSES as readonly string[]).not.toContain(ANSWERED_TICKET_STATUS);
      expect(IN_FLIGHT_TICKET_STATUSES as readonly string[]).toContain('escalated');
    });
  });

  describe('decisionForTicket', () => {
    it('is undefined until an escalation of the ticket is answered', async () => {
      expect(await decisionForTicket(store, 'PROJ-1')).toBeUndefined();
      await store.saveEscalation(buildEscalation(FIRST, 'PROJ-1'));
      expect(await decisionForTicket(store, 'PROJ-1')).toBeUndefined();
    });

    it('gives the question and the decision, for this ticket only', async () => {
      await store.saveEscalation(buildEscalation(FIRST, 'PROJ-1', { question: 'BigInt or Number?' }));
      await store.saveEscalation(buildEscalation(FIRST, 'PROJ-2', { question: 'Other?', answer: 'Other', answeredAt: clock.nowIso() }));
      await answerEscalation(dependencies, { ticketId: 'PROJ-1', text: 'Number: values stay below 2^53.', answeredBy: 'ada' });
      expect(await decisionForTicket(store, 'PROJ-1')).toBe('Question: BigInt or Number?\nDecision: Number: values stay below 2^53.');
    });

    it('keeps every answered decision of the ticket, oldest first, so a second escalation does not lose the first answer', async () => {
      await store.saveEscalation(buildEscalation(FIRST, 'PROJ-1', { question: 'BigInt or Number?', answer: 'Number', answeredAt: clock.nowIso() }));
      await store.saveEscalation(buildEscalation(SECOND, 'PROJ-1', { trigger: 'protected-paths', question: 'May it change ci.yml?' }));
      await answerEscalation(dependencies, { ticketId: 'PROJ-1', text: 'Yes, add the job only.', answeredBy: 'ada' });
      expect(await decisionForTicket(store, 'PROJ-1')).toBe('Question: BigInt or Number?\nDecision: Number\n\nQuestion: May it change ci.yml?\nDecision: Yes, add the job only.');
    });
  });
});
