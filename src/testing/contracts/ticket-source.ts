import { describe, expect, it } from 'vitest';
import type { Ticket } from '../../domain/ticket.js';
import type { TicketRefusalNote, TicketSource } from '../../ports/ticket-source.js';

/**
 * The behaviour every `TicketSource` must have, run by every adapter (files, the
 * in-memory one, and the remote trackers against their local fakes), so the pipeline
 * can rely on it whatever the tracker.
 */

/** A ticket as a test describes it: id and title, anything else defaulted. */
export type TicketFixture = Pick<Ticket, 'id' | 'title'> & Partial<Omit<Ticket, 'id' | 'title' | 'sourceReference' | 'body'>>;

/** A source the suite can also ask for the refusal it holds (the port itself only writes). */
export interface InspectableTicketSource extends TicketSource {
  readRefusal(ticketId: string): Promise<TicketRefusalNote | undefined>;
}

/** Fills a fixture's defaults the way a tracker does (priority medium, empty lists). */
export function ticketFromFixture(fixture: TicketFixture, sourceReference: string): Ticket {
  return {
    labels: [],
    priority: 'medium',
    estimatedFiles: [],
    dependencies: [],
    acceptanceCriteria: [],
    openQuestions: [],
    testCases: [],
    readinessChecklist: [],
    ...structuredClone(fixture),
    body: '',
    sourceReference,
  };
}

const fullFixture: TicketFixture = {
  id: 'PROJ-142',
  title: 'Implement user authentication',
  labels: ['ready-for-agent', 'backend'],
  priority: 'high',
  complexity: 'medium',
  estimatedFiles: ['src/auth.py', 'tests/test_auth.py'],
  dependencies: [],
  status: 'open',
  createdAt: '2024-01-10T09:00:00.000Z',
  acceptanceCriteria: ['POST /login returns a JWT for valid credentials', 'POST /logout invalidates the token'],
  openQuestions: [],
  testCases: ['login with a wrong password returns 401'],
  readinessChecklist: [
    { text: 'Acceptance criteria clear', checked: true },
    { text: 'No open questions', checked: true },
    { text: 'Dependencies: None', checked: true },
    { text: 'Estimated files: src/auth.py, tests/test_auth.py', checked: true },
    { text: 'Complexity: Medium', checked: true },
  ],
};

const dependentFixture: TicketFixture = {
  id: 'PROJ-145',
  title: 'API endpoints for accounts',
  labels: ['ready-for-agent'],
  priority: 'medium',
  complexity: 'large',
  estimatedFiles: ['src/api/*', 'src/models/*'],
  dependencies: ['PROJ-142'],
  createdAt: '2024-01-11T09:00:00.000Z',
  acceptanceCriteria: ['GET /accounts lists accounts'],
  openQuestions: ['Which pagination style?'],
  testCases: [],
  readinessChecklist: [{ text: 'No open questions', checked: false }],
};

const minimalFixture: TicketFixture = { id: 'PROJ-7', title: 'Minimal ticket', createdAt: '2024-01-12T00:00:00.000Z' };

const refusal: TicketRefusalNote = {
  checkedAt: '2024-01-15T17:00:00Z',
  batchId: '2024-01-15-overnight',
  missingRequired: ["open question: 'Which pagination style?'", "no acceptance criteria: add a '## Acceptance Criteria' list"],
  missingRecommended: ["no test cases: add a '## Test Cases' list"],
};

function comparable(ticket: Ticket): Omit<Ticket, 'body' | 'sourceReference'> {
  const { body: _body, sourceReference: _sourceReference, ...rest } = ticket;
  return rest;
}

/** Registers the suite; `makeSource` builds a fresh source holding exactly `tickets`. */
export function describeTicketSourceContract(name: string, makeSource: (tickets: TicketFixture[]) => Promise<InspectableTicketSource>): void {
  describe(`TicketSource contract: ${name}`, () => {
    it('lists nothing, without problems, when there are no tickets', async () => {
      const source = await makeSource([]);
      expect(await source.listTickets()).toEqual({ tickets: [], problems: [] });
    });

    it('lists every ticket with its fields as written', async () => {
      const source = await makeSource([fullFixture, dependentFixture]);
      const listing = await source.listTickets();
      expect(listing.problems).toEqual([]);
      const byId = new Map(listing.tickets.map((ticket) => [ticket.id, ticket]));
      expect([...byId.keys()].sort()).toEqual(['PROJ-142', 'PROJ-145']);
      expect(comparable(byId.get('PROJ-142') as Ticket)).toEqual(comparable(ticketFromFixture(fullFixture, '')));
      expect(comparable(byId.get('PROJ-145') as Ticket)).toEqual(comparable(ticketFromFixture(dependentFixture, '')));
    });

    it('gives each ticket a distinct, non-empty source reference', async () => {
      const source = await makeSource([fullFixture, dependentFixture, minimalFixture]);
      const references = (await source.listTickets()).tickets.map((ticket) => ticket.sourceReference);
      expect(references.every((reference) => reference.length > 0)).toBe(true);
      expect(new Set(references).size).toBe(3);
    });

    it('defaults priority to medium and lists to empty', async () => {
      const source = await makeSource([minimalFixture]);
      const [ticket] = (await source.listTickets()).tickets;
      expect(ticket).toMatchObject({ id: 'PROJ-7', title: 'Minimal ticket', priority: 'medium', labels: [], dependencies: [], estimatedFiles: [] });
      expect(ticket?.complexity).toBeUndefined();
    });

    it('records a refusal, replaces it, and clears it, leaving the ticket as it was', async () => {
      const source = await makeSource([fullFixture, dependentFixture]);
      const before = (await source.listTickets()).tickets.find((ticket) => ticket.id === 'PROJ-145') as Ticket;
      expect(await source.readRefusal('PROJ-145')).toBeUndefined();

      await source.recordRefusal('PROJ-145', refusal);
      expect(await source.readRefusal('PROJ-145')).toEqual(refusal);
      const replacement = { ...refusal, batchId: '2024-01-16-overnight', missingRequired: ['dependency PROJ-9 is not resolved and not in this batch'] };
      await source.recordRefusal('PROJ-145', replacement);
      expect(await source.readRefusal('PROJ-145')).toEqual(replacement);
      expect(await source.readRefusal('PROJ-142')).toBeUndefined();

      const during = (await source.listTickets()).tickets.find((ticket) => ticket.id === 'PROJ-145') as Ticket;
      expect(comparable(during)).toEqual(comparable(before));

      await source.clearRefusal('PROJ-145');
      expect(await source.readRefusal('PROJ-145')).toBeUndefined();
      await source.clearRefusal('PROJ-145');
      const after = (await source.listTickets()).tickets.find((ticket) => ticket.id === 'PROJ-145') as Ticket;
      expect(comparable(after)).toEqual(comparable(before));
    });

    it('updates the status, which the next listing shows', async () => {
      const source = await makeSource([fullFixture, minimalFixture]);
      await source.listTickets();
      await source.updateStatus('PROJ-142', 'in-progress');
      await source.updateStatus('PROJ-7', 'partial');
      const listing = await source.listTickets();
      const statuses = Object.fromEntries(listing.tickets.map((ticket) => [ticket.id, ticket.status]));
      expect(statuses).toEqual({ 'PROJ-142': 'in-progress', 'PROJ-7': 'partial' });
      await source.updateStatus('PROJ-142', 'done');
      expect((await source.listTickets()).tickets.find((ticket) => ticket.id === 'PROJ-142')?.status).toBe('done');
    });

    it('rejects an id it did not list', async () => {
      const source = await makeSource([fullFixture]);
      await source.listTickets();
      await expect(source.recordRefusal('PROJ-999', refusal)).rejects.toThrow(/PROJ-999/);
      await expect(source.clearRefusal('PROJ-999')).rejects.toThrow(/PROJ-999/);
      await expect(source.updateStatus('PROJ-999', 'done')).rejects.toThrow(/PROJ-999/);
    });

    describe('follow-up tickets', () => {
      const request = {
        originalTicketId: 'PROJ-142',
        batchId: '2024-01-15-overnight',
        title: 'Follow-up: logout and token refresh',
        remainingWork: ['POST /logout invalidates the token', 'Refresh tokens rotate on use'],
      };

      it('files a draft with the next id of the sequence, without the ready label, that the next listing shows', async () => {
        const source = await makeSource([fullFixture, dependentFixture, minimalFixture]);
        await source.listTickets();
        const filed = await source.createFollowUpTicket(request);
        expect(filed).toMatchObject({ ticketId: 'PROJ-146', created: true });
        expect(filed.sourceReference.length).toBeGreaterThan(0);

        const listing = await source.listTickets();
        expect(listing.problems).toEqual([]);
        const draft = listing.tickets.find((ticket) => ticket.id === 'PROJ-146') as Ticket;
        expect(draft).toMatchObject({
          title: 'Follow-up: logout and token refresh',
          status: 'draft',
          labels: ['backend'],
          priority: 'high',
          complexity: 'medium',
          dependencies: ['PROJ-142'],
          acceptanceCriteria: request.remainingWork,
          openQuestions: [],
          sourceReference: filed.sourceReference,
        });
        expect(draft.labels).not.toContain('ready-for-agent');
        expect(draft.body).toContain('Follow-up of PROJ-142, left unfinished by batch 2024-01-15-overnight');
        const original = listing.tickets.find((ticket) => ticket.id === 'PROJ-142') as Ticket;
        expect(comparable(original)).toEqual(comparable(ticketFromFixture(fullFixture, '')));
      });

      it('is idempotent per original and batch: a resumed run gets the same ticket back', async () => {
        const source = await makeSource([fullFixture, minimalFixture]);
        await source.listTickets();
        const first = await source.createFollowUpTicket(request);
        const again = await source.createFollowUpTicket({ ...request, title: 'Another title', remainingWork: ['something else'] });
        expect(again).toEqual({ ...first, created: false });
        const ids = (await source.listTickets()).tickets.map((ticket) => ticket.id).sort();
        expect(ids).toEqual(['PROJ-143', 'PROJ-142', 'PROJ-7'].sort());
      });

      it('gives every follow-up a new id, never one already taken', async () => {
        const source = await makeSource([fullFixture, dependentFixture, minimalFixture]);
        await source.listTickets();
        const [first, second] = await Promise.all([
          source.createFollowUpTicket(request),
          source.createFollowUpTicket({ ...request, originalTicketId: 'PROJ-7' }),
        ]);
        const nextNight = await source.createFollowUpTicket({ ...request, batchId: '2024-01-16-overnight' });
        const newIds = [first?.ticketId, second?.ticketId, nextNight.ticketId];
        expect(new Set(newIds).size).toBe(3);
        for (const id of newIds) expect(['PROJ-142', 'PROJ-145', 'PROJ-7']).not.toContain(id);
        expect(nextNight.created).toBe(true);
        const listed = (await source.listTickets()).tickets.map((ticket) => ticket.id);
        expect(new Set(listed).size).toBe(listed.length);
        expect(listed).toHaveLength(6);
      });

      it('refuses to file a follow-up of a ticket it did not list', async () => {
        const source = await makeSource([fullFixture]);
        await source.listTickets();
        await expect(source.createFollowUpTicket({ ...request, originalTicketId: 'PROJ-999' })).rejects.toThrow(/PROJ-999/);
      });
    });
  });
}
