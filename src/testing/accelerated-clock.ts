import type { Clock } from '../ports/clock.js';

/**
 * Real time that skips its waits: `now()` follows the machine's clock plus every wait
 * skipped so far, and `sleep` returns at once. Real agents keep real timers, while an
 * hour-long rate-limit pause or a retry backoff costs a test nothing.
 */
export class AcceleratedClock implements Clock {
  private skippedMilliseconds = 0;
  readonly sleeps: number[] = [];

  now(): Date {
    return new Date(Date.now() + this.skippedMilliseconds);
  }

  async sleep(milliseconds: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted === true || milliseconds <= 0) return;
    this.sleeps.push(milliseconds);
    this.skippedMilliseconds += milliseconds;
    await new Promise((resolve) => setImmediate(resolve));
  }
}
