/**
 * Exit codes that mean something to scripts and cron: 0 all went as asked,
 * 1 a defect (a bug: please report it), 2 bad input (config, ticket files, arguments),
 * 3 the environment is not usable (not a git repository, missing base branch or agent binary),
 * 4 the work ran but needs attention (every ticket failed, or a gate could not run),
 * 75 the batch was aborted after too many rate limits (EX_TEMPFAIL: its unfinished tickets go to the next batch),
 * 130 stopped by the user (Ctrl-C): run again to resume from the last checkpoints.
 */
export const EXIT_CODES = {
  ok: 0,
  defect: 1,
  invalidInput: 2,
  environment: 3,
  needsAttention: 4,
  abortedByRateLimits: 75,
  stopped: 130,
} as const;

export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];
