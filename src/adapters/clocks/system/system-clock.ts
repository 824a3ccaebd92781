import type { Clock } from '../../../ports/clock.js';

/** The machine's clock, the one production uses; tests use `FixedClock` from `src/testing`. */
export class SystemClock implements Clock {
  now(): Date {
    return new Date();
  }
}
