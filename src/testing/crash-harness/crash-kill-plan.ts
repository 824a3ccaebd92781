import type { NightChildLine } from './night-child-lines.js';
import { createSeededRandom } from './seeded-random.js';

/**
 * When to SIGKILL the orchestrator: a moment after it started, or shortly after it
 * reported a step (the n-th `ticket-stage` of a kind, or the n-th finished ticket), which
 * lands kills in the narrow windows between an effect and its record (commit → MR → state).
 */
export type KillTrigger =
  | { kind: 'time'; afterMilliseconds: number }
  | { kind: 'event'; event: KillEvent; occurrence: number; delayMilliseconds: number };

/** The progress steps a kill can follow: a stage starting, the commit step, gates, or a ticket finishing. */
export const KILL_EVENTS = ['C0', 'C1', 'C2', 'commit', 'gates', 'ticket-done'] as const;
export type KillEvent = (typeof KILL_EVENTS)[number];

export interface KillPlanOptions {
  kills: number;
  /** Time kills fall uniformly in [minimum, maximum] after the child started. */
  minimumDelayMilliseconds: number;
  maximumDelayMilliseconds: number;
  /** Event kills wait uniformly in [0, this] after the event. */
  maximumEventDelayMilliseconds: number;
}

/** The kills of one trial, drawn from its seed alone, so `--seed` replays the same plan. */
export function planKills(seed: number, options: KillPlanOptions): KillTrigger[] {
  const random = createSeededRandom(seed);
  return Array.from({ length: options.kills }, (): KillTrigger => {
    if (random.next() < 0.5) return { kind: 'time', afterMilliseconds: random.integer(options.minimumDelayMilliseconds, options.maximumDelayMilliseconds) };
    return { kind: 'event', event: random.pick(KILL_EVENTS), occurrence: random.integer(1, 2), delayMilliseconds: random.integer(0, options.maximumEventDelayMilliseconds) };
  });
}

/** Whether a child's line is the step an event trigger waits for. */
export function isKillEvent(line: NightChildLine, event: KillEvent): boolean {
  if (event === 'ticket-done') return line.type === 'ticket-done';
  return line.type === 'ticket-stage' && line.stage === event;
}

/** The trigger in a few words, for the trial table. */
export function describeKillTrigger(trigger: KillTrigger): string {
  return trigger.kind === 'time' ? `${trigger.afterMilliseconds}ms` : `${trigger.event}#${trigger.occurrence}+${trigger.delayMilliseconds}ms`;
}
