import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TicketRunState } from './ticket-run.js';
import { decideTicketStarts, remainingChainLengths, type SchedulerTicket } from './ticket-scheduler.js';

const ticket = (id: string, dependencies: string[] = [], extra: Partial<SchedulerTicket> = {}): SchedulerTicket => ({ id, priority: 'medium', complexity: 'small', dependencies, ...extra });

function decide(tickets: SchedulerTicket[], states: Record<string, TicketRunState> = {}, running: string[] = [], parallelAgents = 3, acceptingNewTickets = true) {
  return decideTicketStarts({ tickets, states: new Map(Object.entries(states)), running: new Set(running), parallelAgents, acceptingNewTickets });
}

describe('decideTicketStarts', () => {
  it('starts at most parallel_agents tickets, counting those already running', () => {
    const tickets = ['A-1', 'A-2', 'A-3', 'A-4'].map((id) => ticket(id));
    expect(decide(tickets, {}, [], 3).start).toHaveLength(3);
    expect(decide(tickets, { 'A-1': 'scoping' }, ['A-1'], 3).start).toEqual(['A-2', 'A-3']);
  });

  it('waits for an in-batch dependency to be committed, and ignores dependencies outside the batch', () => {
    const tickets = [ticket('A-1'), ticket('A-2', ['A-1', 'OUT-9'])];
    expect(decide(tickets).start).toEqual(['A-1']);
    expect(decide(tickets, { 'A-1': 'implementing' }, ['A-1']).start).toEqual([]);
    expect(decide(tickets, { 'A-1': 'gating' }).start).toEqual(['A-2']);
  });

  it('skips, transitively, the tickets whose dependency ended badly', () => {
    const tickets = [ticket('A-1'), ticket('A-2', ['A-1']), ticket('A-3', ['A-2']), ticket('A-4')];
    const decision = decide(tickets, { 'A-1': 'failed' });
    expect(decision.skip).toEqual([
      { ticketId: 'A-2', reason: 'dependency A-1 did not complete (it ended failed)' },
      { ticketId: 'A-3', reason: 'dependency A-2 did not complete (it ended skipped)' },
    ]);
    expect(decision.start).toEqual(['A-4']);
  });

  it('starts the longest remaining chain first, then priority, then manifest order', () => {
    const tickets = [ticket('A-1', [], { priority: 'high' }), ticket('A-2'), ticket('A-3', ['A-2']), ticket('A-4', [], { priority: 'high' })];
    expect(decide(tickets, {}, [], 1).start).toEqual(['A-2']);
    expect(decide(tickets, {}, [], 3).start).toEqual(['A-2', 'A-1', 'A-4']);
  });

  it('starts nothing new while paused or over budget, and resumes interrupted tickets', () => {
    const tickets = [ticket('A-1'), ticket('A-2')];
    expect(decide(tickets, {}, [], 3, false).start).toEqual([]);
    expect(decide(tickets, { 'A-1': 'implementing', 'A-2': 'ready' }).start).toEqual(['A-1']);
  });

  it('says when generation is over', () => {
    expect(decide([ticket('A-1')], { 'A-1': 'ready' }).finished).toBe(true);
    expect(decide([ticket('A-1')], { 'A-1': 'implementing' }, ['A-1']).finished).toBe(false);
  });

  it('never starts a ticket before its dependencies, never exceeds the slots (property)', () => {
    const graph = fc.integer({ min: 1, max: 15 }).chain((size) =>
      fc.tuple(
        fc.constant(size),
        fc.array(fc.tuple(fc.nat(size - 1), fc.nat(size - 1)), { maxLength: size * 2 }),
        fc.array(fc.constantFrom<TicketRunState>('queued', 'scoping', 'gating', 'ready', 'failed', 'escalated'), { minLength: size, maxLength: size }),
        fc.integer({ min: 1, max: 5 }),
      ),
    );
    fc.assert(
      fc.property(graph, ([size, edges, stateList, parallelAgents]) => {
        const ids = Array.from({ length: size }, (_, index) => `T-${index + 1}`);
        const dependencies = new Map(ids.map((id) => [id, [] as string[]]));
        for (const [from, to] of edges) if (from > to) dependencies.get(ids[from]!)!.push(ids[to]!);
        const tickets = ids.map((id) => ticket(id, dependencies.get(id)));
        const states = Object.fromEntries(ids.map((id, index) => [id, stateList[index]!]));
        const decision = decide(tickets, states, [], parallelAgents);
        expect(decision.start.length).toBeLessThanOrEqual(parallelAgents);
        for (const started of decision.start) {
          for (const dependency of dependencies.get(started)!) expect(['gating', 'ready', 'partial']).toContain(states[dependency]);
        }
        for (const skipped of decision.skip) expect(states[skipped.ticketId]).toBe('queued');
      }),
    );
  });
});

describe('remainingChainLengths', () => {
  it('weights the chain by complexity and ignores what is done', () => {
    const tickets = [ticket('A-1', [], { complexity: 'large' }), ticket('A-2', ['A-1'], { complexity: 'medium' }), ticket('A-3', ['A-2'])];
    const lengths = remainingChainLengths(tickets, () => 'queued');
    expect(lengths.get('A-1')).toBe(4 + 2 + 1);
    const afterFirst = remainingChainLengths(tickets, (id) => (id === 'A-1' ? 'ready' : 'queued'));
    expect(afterFirst.get('A-2')).toBe(3);
  });
});
