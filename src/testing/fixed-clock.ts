import type { Clock } from '../ports/clock.js';

/** The seed's first batch: a time tests can recognise in their expectations. */
export const DEFAULT_FIXED_TIME = '2024-01-15T18:00:00.000Z';

/**
 * A {@link Clock} that only moves when told, so tests can state exact times and
 * walk through timeouts, rate-limit resets and schedules without waiting.
 */
export class FixedClock implements Clock {
  private current: number;

  constructor(start: Date | string = DEFAULT_FIXED_TIME) {
    this.current = toMilliseconds(start);
  }

  /** A new Date each call, so a caller changing it cannot move the clock. */
  now(): Date {
    return new Date(this.current);
  }

  /** The current time as an ISO 8601 string, as records store it. */
  nowIso(): string {
    return this.now().toISOString();
  }

  set(at: Date | string): void {
    this.current = toMilliseconds(at);
  }

  /** Moves the clock forward (or back, with a negative amount). */
  /** Sleeping on a fixed clock moves it forward at once, so waits in tests take no real time. */
  async sleep(milliseconds: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted === true || milliseconds <= 0) return;
    this.advance(milliseconds);
  }

  advance(milliseconds: number): void {
    if (!Number.isFinite(milliseconds)) throw new Error(`FixedClock.advance: ${milliseconds} is not a finite number of milliseconds`);
    this.current += milliseconds;
  }

  advanceMinutes(minutes: number): void {
    this.advance(minutes * 60_000);
  }
}

function toMilliseconds(at: Date | string): number {
  const milliseconds = typeof at === 'string' ? Date.parse(at) : at.getTime();
  if (Number.isNaN(milliseconds)) throw new Error(`FixedClock: ${JSON.stringify(String(at))} is not a valid date`);
  return milliseconds;
}
