/** Time comes in through this port so the core stays pure and tests stay exact. */
export interface Clock {
  now(): Date;
  /**
   * Waits (a rate-limit pause, a retry backoff). Resolves early, without error, when the
   * signal aborts, so a stopping orchestrator is never held by a long wait.
   */
  sleep(milliseconds: number, signal?: AbortSignal): Promise<void>;
}
