import { stripAnsiEscapes } from './untrusted-text.js';

/**
 * The life of one ticket inside one batch, as a pure state machine.
 * Runs change state only through {@link transitionTicketRun}; every accepted
 * transition is returned as a record so the store can keep the whole history.
 */
export const TICKET_RUN_STATES = [
  'queued',
  'scoping',
  'planning',
  'escalated',
  'implementing',
  'gating',
  'ready',
  'partial',
  'failed',
  'timed_out',
  'skipped',
] as const;
export type TicketRunState = (typeof TICKET_RUN_STATES)[number];

export const TERMINAL_TICKET_RUN_STATES: readonly TicketRunState[] = [
  'escalated',
  'ready',
  'partial',
  'failed',
  'timed_out',
  'skipped',
];

/** States in which an agent or a gate is working on the ticket. */
export const ACTIVE_TICKET_RUN_STATES: readonly TicketRunState[] = ['scoping', 'planning', 'implementing', 'gating'];

export type TicketRunEvent =
  | { type: 'start' }
  | { type: 'scope-complete' }
  | { type: 'plan-complete' }
  | { type: 'escalate'; reason: string }
  | { type: 'implementation-complete'; partial: boolean }
  | { type: 'gates-complete' }
  | { type: 'fail'; reason: string }
  | { type: 'time-out'; reason: string }
  | { type: 'skip'; reason: string };

export interface TicketRun {
  batchId: string;
  ticketId: string;
  state: TicketRunState;
  /** Set when the agent finished only part of the work (seed: "complexity exceeds estimate"). */
  partial: boolean;
  /** Why the run escalated, failed, timed out or was skipped. */
  reason?: string;
  updatedAt: string;
}

export interface TicketRunTransition {
  batchId: string;
  ticketId: string;
  from: TicketRunState;
  to: TicketRunState;
  event: TicketRunEvent['type'];
  reason?: string;
  at: string;
}

export type TicketRunTransitionResult =
  | { ok: true; run: TicketRun; transition: TicketRunTransition }
  | { ok: false; error: string };

export function isTerminalTicketRunState(state: TicketRunState): boolean {
  return TERMINAL_TICKET_RUN_STATES.includes(state);
}

export function newTicketRun(batchId: string, ticketId: string, at: string): TicketRun {
  return { batchId, ticketId, state: 'queued', partial: false, updatedAt: at };
}

function nextState(run: TicketRun, event: TicketRunEvent): TicketRunState | undefined {
  switch (event.type) {
    case 'start':
      return run.state === 'queued' ? 'scoping' : undefined;
    case 'scope-complete':
      return run.state === 'scoping' ? 'planning' : undefined;
    case 'plan-complete':
      return run.state === 'planning' ? 'implementing' : undefined;
    case 'escalate':
      return run.state === 'scoping' || run.state === 'planning' || run.state === 'implementing' ? 'escalated' : undefined;
    case 'implementation-complete':
      return run.state === 'implementing' ? 'gating' : undefined;
    case 'gates-complete':
      if (run.state !== 'gating') return undefined;
      return run.partial ? 'partial' : 'ready';
    case 'fail':
      return ACTIVE_TICKET_RUN_STATES.includes(run.state) || run.state === 'queued' ? 'failed' : undefined;
    case 'time-out':
      return ACTIVE_TICKET_RUN_STATES.includes(run.state) ? 'timed_out' : undefined;
    case 'skip':
      return run.state === 'queued' ? 'skipped' : undefined;
  }
}

/** Applies one event to a run; an event that does not fit the current state is an error value. */
export function transitionTicketRun(run: TicketRun, event: TicketRunEvent, at: string): TicketRunTransitionResult {
  const to = nextState(run, event);
  if (to === undefined) {
    return { ok: false, error: `ticket ${run.ticketId}: event "${event.type}" is not allowed in state "${run.state}"` };
  }
  // Reasons often quote an agent's error output: its terminal colours and cursor codes are noise (or worse) in the store.
  const eventReason = 'reason' in event ? stripAnsiEscapes(event.reason) : undefined;
  const reason = eventReason ?? run.reason;
  const partial = event.type === 'implementation-complete' ? event.partial : run.partial;
  const next: TicketRun = { ...run, state: to, partial, updatedAt: at };
  if (reason !== undefined) next.reason = reason;
  const transition: TicketRunTransition = { batchId: run.batchId, ticketId: run.ticketId, from: run.state, to, event: event.type, at };
  if (eventReason !== undefined) transition.reason = eventReason;
  return { ok: true, run: next, transition };
}
