/**
 * Exit codes that mean something to scripts and cron: 0 all went as asked,
 * 1 a defect (a bug: please report it), 2 bad input (config, ticket files, arguments),
 * 3 the environment is not usable (not a git repository, missing base branch or agent binary),
 * 4 the work ran but needs attention (every ticket failed, or a gate could not run),
 * 75 the batch is paused by a rate limit (EX_TEMPFAIL: run again later to resume).
 */
export const EXIT_CODES = {
  ok: 0,
  defect: 1,
  invalidInput: 2,
  environment: 3,
  needsAttention: 4,
  paused: 75,
} as const;

export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];
