import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One git subcommand's share of a run: processes spawned and git's own time, summed. */
export interface GitCallTally {
  calls: number;
  milliseconds: number;
}

export interface GitCallCounter {
  /** Put this first on PATH (for child processes) so every `git` goes through the shim. */
  directory: string;
  /** Forgets what was counted so far. */
  reset(): void;
  /** Calls by subcommand (`worktree add`, `diff`, `rev-parse` …) since the last reset. */
  read(): Map<string, GitCallTally>;
}

/** Subcommands whose first argument says what they do; listed as `<subcommand> <argument>`. */
const TWO_WORD_SUBCOMMANDS = new Set(['worktree']);

/**
 * A `git` shim for benchmarks only: a bash script that runs the real git and appends
 * the subcommand and git's elapsed microseconds to a log. It costs a bash start per
 * call, so runs with it are for counting, never for the timed comparison.
 */
export function createGitCallCounter(directory: string): GitCallCounter {
  const realGit = execFileSync('bash', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  if (realGit === '') throw new Error('git call counter: git is not on PATH');
  mkdirSync(directory, { recursive: true });
  const logPath = join(directory, 'git-calls.log');
  const script = `#!/usr/bin/env bash
arguments=("$@")
index=0
while (( index < \${#arguments[@]} )); do
  case "\${arguments[index]}" in
    -c|-C) index=$((index + 2)) ;;
    -*) index=$((index + 1)) ;;
    *) break ;;
  esac
done
subcommand="\${arguments[index]:-none}"
detail="\${arguments[index + 1]:-}"
started=$EPOCHREALTIME
${JSON.stringify(realGit)} "$@"
status=$?
ended=$EPOCHREALTIME
printf '%s\\t%s\\t%s\\t%s\\n' "$subcommand" "$detail" "\${started/./}" "\${ended/./}" >> ${JSON.stringify(logPath)}
exit $status
`;
  const shimPath = join(directory, 'git');
  writeFileSync(shimPath, script);
  chmodSync(shimPath, 0o755);
  return {
    directory,
    reset: () => writeFileSync(logPath, ''),
    read: () => {
      const tallies = new Map<string, GitCallTally>();
      if (!existsSync(logPath)) return tallies;
      for (const line of readFileSync(logPath, 'utf8').split('\n')) {
        if (line === '') continue;
        const [subcommand = '?', detail = '', started = '0', ended = '0'] = line.split('\t');
        const name = TWO_WORD_SUBCOMMANDS.has(subcommand) ? `${subcommand} ${detail}` : subcommand;
        const tally = tallies.get(name) ?? { calls: 0, milliseconds: 0 };
        tally.calls += 1;
        tally.milliseconds += (Number(ended) - Number(started)) / 1000;
        tallies.set(name, tally);
      }
      return tallies;
    },
  };
}
