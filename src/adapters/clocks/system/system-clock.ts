import type { Clock } from '../../../ports/clock.js';

/** The machine's clock, the one production uses; tests use `FixedClock` from `src/testing`. */
export class SystemClock implements Clock {
  now(): Date {
    return new Date();
  }

  sleep(milliseconds: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted === true || milliseconds <= 0) {
        resolve();
        return;
      }
      const timer = setTimeout(done, milliseconds);
      function done(): void {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}
