/** One model call that came back with an error, as the model relay saw it. */
export interface ModelCallFailure {
  at: string;
  /** The HTTP status; undefined when the provider could not be reached at all. */
  status?: number;
  /** The provider's own message (`error.message` of the body), or what went wrong on the way. */
  message: string;
  retryAfterSeconds?: number;
  resetAt?: string;
}

export type ModelFailureDecision = { kind: 'let-agent-retry' } | { kind: 'stop'; outcome: 'rate-limited' | 'failed' };

/** A 429 announcing a longer wait than this ends the stage at once: the batch pauses instead. */
export const LONGEST_RETRIED_RATE_LIMIT_SECONDS = 60;

/**
 * Whether a failed model call ends the stage, for CLIs whose own retries cannot be turned off
 * (OpenCode retries five times and Qwen Code seven, each honouring `retry-after` however long):
 * the agent may retry `maxRetries` failed calls; a rate limit announcing a long wait ends the
 * stage at once as `rate-limited`, so Nightshift pauses the batch until the reset instead of
 * leaving an agent asleep inside its time budget. `failuresSoFar` counts this one.
 */
export function decideAfterModelFailure(failure: ModelCallFailure, failuresSoFar: number, maxRetries: number): ModelFailureDecision {
  const retriesLeft = failuresSoFar <= maxRetries;
  if (failure.status === 429) {
    const shortWait = (failure.retryAfterSeconds ?? 0) <= LONGEST_RETRIED_RATE_LIMIT_SECONDS;
    return retriesLeft && shortWait ? { kind: 'let-agent-retry' } : { kind: 'stop', outcome: 'rate-limited' };
  }
  return retriesLeft ? { kind: 'let-agent-retry' } : { kind: 'stop', outcome: 'failed' };
}
