/**
 * Runs a repository's own check commands (tests, lint, types) in a worktree,
 * with a timeout, for the automated gates.
 */
export interface CommandRunner {
  run(request: { command: string; cwd: string; timeoutMilliseconds: number; environment?: Record<string, string> }): Promise<CommandOutcome>;
}

export interface CommandOutcome {
  exitCode: number | null;
  timedOut: boolean;
  durationMilliseconds: number;
  /** The last lines of stdout and stderr, interleaved as they came. */
  outputTail: string;
}
