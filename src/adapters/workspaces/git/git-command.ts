import { execa } from 'execa';
import { GitShell } from './git-shell.js';

/** What one `git` invocation returned. */
export interface GitResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface GitOptions {
  cwd: string;
  /** Written to git's standard input (commit messages go this way, never through a shell). */
  input?: string;
  /** Extra variables, e.g. `GIT_INDEX_FILE` or the commit identity. */
  environment?: Record<string, string>;
}

/**
 * Variables that would point git at another repository or index than the one we name
 * (they are set, for instance, when Nightshift runs inside a git hook).
 */
const REPOSITORY_VARIABLES = [
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_INDEX_FILE',
  'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_COMMON_DIR',
  'GIT_NAMESPACE',
  'GIT_PREFIX',
];

function gitEnvironment(extra: Record<string, string> = {}): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !REPOSITORY_VARIABLES.includes(name)) environment[name] = value;
  }
  return { ...environment, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', ...extra };
}

/** A git command that failed where success was expected: a defect or a broken repository. */
export class GitCommandError extends Error {
  override readonly name = 'GitCommandError';
  constructor(
    readonly gitArguments: readonly string[],
    readonly cwd: string,
    readonly result: GitResult,
  ) {
    super(`git ${gitArguments.join(' ')} failed in ${cwd} (exit ${result.exitCode}): ${result.stderr.trim() || result.stdout.trim()}`);
  }
}

/** The resident shell that runs git for this process (see {@link GitShell}); NIGHTSHIFT_GIT_SPAWN=1 turns it off. */
const gitShell = process.env.NIGHTSHIFT_GIT_SPAWN === '1' ? undefined : new GitShell(() => gitEnvironment());

/**
 * The process id of the resident shell that runs this process's git commands, once
 * started; undefined when git is spawned directly. Its children are reaped by the shell,
 * not by Node, so a benchmark counting git's CPU time reads this process's /proc entry.
 */
export function gitShellProcessId(): number | undefined {
  return gitShell?.processId;
}

/**
 * Runs `git` with an argument array, returning its exit code instead of throwing. Every
 * word is passed as one quoted argument (never interpreted by a shell).
 */
export async function runGit(gitArguments: readonly string[], options: GitOptions): Promise<GitResult> {
  const throughShell = await gitShell?.run(gitArguments, options);
  if (throughShell !== undefined) return throughShell;
  return spawnGit(gitArguments, options);
}

async function spawnGit(gitArguments: readonly string[], options: GitOptions): Promise<GitResult> {
  try {
    const result = await execa('git', gitArguments, {
      cwd: options.cwd,
      input: options.input ?? '',
      env: gitEnvironment(options.environment),
      extendEnv: false,
      reject: false,
      stripFinalNewline: false,
    });
    if (result.exitCode === undefined) throw result;
    return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { exitCode: -1, stdout: '', stderr: `could not run git: ${message}` };
  }
}

/** Runs `git` and returns its standard output; throws {@link GitCommandError} on a non-zero exit. */
export async function git(gitArguments: readonly string[], options: GitOptions): Promise<string> {
  const result = await runGit(gitArguments, options);
  if (result.exitCode !== 0) throw new GitCommandError(gitArguments, options.cwd, result);
  return result.stdout;
}
