import { describe, expect, it } from 'vitest';
import { newTicketRun, transitionTicketRun, type TicketRun, type TicketRunEvent } from './ticket-run.js';

const at = '2024-01-15T18:00:00.000Z';

function apply(run: TicketRun, ...events: TicketRunEvent[]): TicketRun {
  let current = run;
  for (const event of events) {
    const result = transitionTicketRun(current, event, at);
    if (!result.ok) throw new Error(result.error);
    current = result.run;
  }
  return current;
}

describe('transitionTicketRun', () => {
  it('walks the happy path C0 → C1 → C2 → gates → ready', () => {
    const run = apply(newTicketRun('b', 'PROJ-1', at), { type: 'start' }, { type: 'scope-complete' }, { type: 'plan-complete' }, {
      type: 'implementation-complete',
      partial: false,
    });
    expect(run.state).toBe('gating');
    expect(apply(run, { type: 'gates-complete' }).state).toBe('ready');
  });

  it('ends partial work as partial after the gates', () => {
    const run = apply(newTicketRun('b', 'PROJ-1', at), { type: 'start' }, { type: 'scope-complete' }, { type: 'plan-complete' }, {
      type: 'implementation-complete',
      partial: true,
    }, { type: 'gates-complete' });
    expect(run.state).toBe('partial');
  });

  it('escalates at C1 and keeps the reason', () => {
    const run = apply(newTicketRun('b', 'PROJ-1', at), { type: 'start' }, { type: 'scope-complete' }, { type: 'escalate', reason: 'architecture' });
    expect(run).toMatchObject({ state: 'escalated', reason: 'architecture' });
  });

  it('returns the transition record with from, to, event and time', () => {
    const result = transitionTicketRun(newTicketRun('b', 'PROJ-1', at), { type: 'skip', reason: 'dependency failed' }, at);
    expect(result).toMatchObject({ ok: true, transition: { from: 'queued', to: 'skipped', event: 'skip', reason: 'dependency failed', at } });
  });

  it("keeps a reason's words but not the terminal colours an agent's error output carried", () => {
    const result = transitionTicketRun(apply(newTicketRun('b', 'PROJ-1', at), { type: 'start' }), { type: 'fail', reason: 'agent crashed: \u001b[31mError:\u001b[0m quota \u001b]8;;http://x\u0007link\u001b]8;;\u0007' }, at);
    expect(result).toMatchObject({ ok: true, run: { state: 'failed', reason: 'agent crashed: Error: quota link' }, transition: { reason: 'agent crashed: Error: quota link' } });
  });

  it('refuses events that do not fit the state, as values', () => {
    const queued = newTicketRun('b', 'PROJ-1', at);
    expect(transitionTicketRun(queued, { type: 'gates-complete' }, at)).toMatchObject({ ok: false });
    const ready = apply(queued, { type: 'start' }, { type: 'scope-complete' }, { type: 'plan-complete' }, { type: 'implementation-complete', partial: false }, {
      type: 'gates-complete',
    });
    expect(transitionTicketRun(ready, { type: 'fail', reason: 'late' }, at)).toMatchObject({ ok: false });
    expect(transitionTicketRun(ready, { type: 'time-out', reason: 'late' }, at)).toMatchObject({ ok: false });
  });
});
