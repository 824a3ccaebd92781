import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** The identity fixture repositories commit with (CI machines have no global one). */
export const FIXTURE_AUTHOR = { name: 'Fixture Author', email: 'fixture@example.test' } as const;

export interface GitFixtureOptions {
  /** Files of the initial commit, by path relative to the root (parent directories are created). */
  files: Record<string, string>;
  /** The branch the initial commit is on; `main` unless told. */
  branch?: string;
  /** Where the fresh temp directory is made; the system's temp directory unless told (benchmarks pick their disk). */
  temporaryDirectory?: string;
}

export interface GitFixture {
  /** The repository's root, as a real path (no symlinks), in a fresh temp directory. */
  root: string;
  /** Runs git in the repository (or in `cwd`) with an argument array and returns trimmed stdout. */
  git(gitArguments: string[], cwd?: string): string;
  /** Writes a file relative to the root (or to `cwd`), creating parent directories. */
  writeFile(relativePath: string, content: string, cwd?: string): void;
  /** Deletes the temp directory and everything in it. */
  cleanup(): void;
}

/**
 * A real git repository in a temp directory with a local identity and one initial
 * commit, for tests that need git (which should be real, never mocked).
 */
export function createGitFixture(options: GitFixtureOptions): GitFixture {
  const parent = realpathSync(mkdtempSync(join(options.temporaryDirectory ?? tmpdir(), 'nightshift-git-')));
  const root = join(parent, 'repo');
  mkdirSync(root);
  const run = (gitArguments: string[], cwd: string = root): string =>
    execFileSync('git', gitArguments, {
      cwd,
      encoding: 'utf8',
      env: { ...withoutRepositoryVariables(process.env), GIT_TERMINAL_PROMPT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
  const write = (relativePath: string, content: string, cwd: string = root): void => {
    const path = join(cwd, relativePath);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  };

  run(['init', '--quiet', `--initial-branch=${options.branch ?? 'main'}`]);
  run(['config', 'user.name', FIXTURE_AUTHOR.name]);
  run(['config', 'user.email', FIXTURE_AUTHOR.email]);
  run(['config', 'commit.gpgsign', 'false']);
  for (const [relativePath, content] of Object.entries(options.files)) write(relativePath, content);
  run(['add', '--all']);
  run(['commit', '--quiet', '--allow-empty', '--no-verify', '-m', 'Initial commit']);

  return {
    root,
    git: run,
    writeFile: write,
    cleanup: () => rmSync(parent, { recursive: true, force: true }),
  };
}

function withoutRepositoryVariables(environment: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...environment };
  for (const name of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_COMMON_DIR', 'GIT_OBJECT_DIRECTORY']) delete copy[name];
  return copy;
}
