import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, isAbsolute, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AgentStageRequest } from '../../ports/agent.js';
import { findExecutable } from './find-executable.js';

/** The directory Nightshift runs from (the package root: this file is `<root>/{src,dist}/adapters/shared/`). */
const NIGHTSHIFT_INSTALLATION = realPath(resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..'));

/** `agent.sandbox` of nightshift.yaml: bubblewrap when it works (`auto`), always (`bubblewrap`), or never (`off`). */
export type AgentSandboxChoice = 'auto' | 'bubblewrap' | 'off';

/**
 * The sandbox every agent process of a run gets, decided once by the runtime. Inside it,
 * `hiddenDirectories` (the orchestrator's real HOME) are empty and read-only, and
 * `temporaryDirectories` (`/tmp`, where other tickets' files, tests' fixtures and secrets may
 * sit) are empty and writable, private to the process and gone when it ends. `readablePaths`
 * stay visible to every agent of the run (the doctor's scenario file).
 */
export type AgentSandbox =
  | { kind: 'bubblewrap'; bubblewrapPath: string; hiddenDirectories: string[]; temporaryDirectories: string[]; readablePaths?: string[] }
  | { kind: 'off' };

/** What one agent process may reach: its stage's worktree (read-write only at C2), its private directory, and extra read-only paths. */
export interface AgentProcessSandbox {
  sandbox: Extract<AgentSandbox, { kind: 'bubblewrap' }>;
  worktreePath: string;
  privateDirectory: string;
  access: AgentStageRequest['access'];
  /** Files or directories the agent must be able to read although they are hidden (a script its command names). */
  readablePaths?: string[];
}

/** The paths, already resolved, that {@link buildBubblewrapArguments} mounts; pure input so it can be tested without a filesystem. */
export interface BubblewrapLayout {
  userId: number;
  groupId: number;
  /** Empty and read-only inside (what was there is hidden). */
  hiddenDirectories: string[];
  /** Empty and writable inside, discarded afterwards. */
  temporaryDirectories: string[];
  /** Bound read-write. */
  writablePaths: string[];
  /** Bound read-only (visible again when under a hidden directory; made read-only when under a writable one, like `.git`). */
  readOnlyPaths: string[];
  workingDirectory: string;
  executable: string;
  arguments: string[];
}

/**
 * The bubblewrap command line around an agent command. The whole filesystem is read-only, `/dev`
 * and `/proc` are fresh, the hidden and temporary directories are empty tmpfs, then the given
 * paths are mounted again, parents before children, and last the hidden directories are made
 * read-only (a write there fails rather than vanish). A user namespace of its own with every capability
 * dropped keeps a process (even one running as root) from unmounting what hides the real HOME;
 * the network and the PID namespace are shared, so the scripted model server is reachable and
 * the process group Nightshift ends on a timeout is the one the agent and its commands run in.
 * Without `--new-session` (it would move the agent out of that group) and without
 * `--die-with-parent` (bubblewrap dies at the group's SIGTERM, which would then SIGKILL the
 * agent at once, leaving it no grace period to end the commands it started).
 */
export function buildBubblewrapArguments(layout: BubblewrapLayout): string[] {
  const hidden = uniqueByDepth(layout.hiddenDirectories.filter((path) => path !== '/'));
  const temporary = uniqueByDepth(layout.temporaryDirectories.filter((path) => path !== '/' && !hidden.includes(path)));
  const mounts = new Map<string, 'rw' | 'ro'>();
  for (const path of layout.readOnlyPaths) mounts.set(path, 'ro');
  for (const path of layout.writablePaths) mounts.set(path, 'rw');
  return [
    '--unshare-user',
    '--uid',
    String(layout.userId),
    '--gid',
    String(layout.groupId),
    '--cap-drop',
    'ALL',
    '--ro-bind',
    '/',
    '/',
    '--dev',
    '/dev',
    '--proc',
    '/proc',
    ...uniqueByDepth([...temporary, ...hidden]).flatMap((path) => ['--tmpfs', path]),
    ...uniqueByDepth([...mounts.keys()]).flatMap((path) => [mounts.get(path) === 'rw' ? '--bind' : '--ro-bind', path, path]),
    ...hidden.flatMap((path) => ['--remount-ro', path]),
    '--chdir',
    layout.workingDirectory,
    '--',
    layout.executable,
    ...layout.arguments,
  ];
}

/**
 * Turns an agent command into its sandboxed command line: finds what must stay visible (the
 * worktree and its repository's git directory, read-only; the private directory; the package
 * the agent binary is installed in, when it sits in a hidden directory) and hands it to
 * {@link buildBubblewrapArguments}.
 */
export function sandboxAgentCommand(
  processSandbox: AgentProcessSandbox,
  command: { executable: string; arguments: string[]; workingDirectory: string; pathVariable: string | undefined },
): { executable: string; arguments: string[] } {
  const worktree = realPath(processSandbox.worktreePath);
  const privateDirectory = realPath(processSandbox.privateDirectory);
  const executable = findExecutable(command.executable, command.pathVariable, command.workingDirectory);
  const readOnly = [
    ...gitDirectoriesOf(worktree),
    ...(executable.found ? installationOf(executable.path) : []),
    ...installationOf(process.execPath),
    // Nightshift's own installation (agents' packages, a command agent's script) when it sits in /tmp or HOME — a CI checkout may.
    NIGHTSHIFT_INSTALLATION,
    // Programs the agent's shell finds on PATH (a ~/.local/bin, a ~/bin) stay where PATH says.
    ...(command.pathVariable ?? '').split(delimiter).filter((directory) => isAbsolute(directory) && existsSync(directory)).map(realPath),
    ...[...(processSandbox.sandbox.readablePaths ?? []), ...(processSandbox.readablePaths ?? [])].filter((path) => isAbsolute(path) && existsSync(path)).map(realPath),
  ]
    // Bind real paths only: a bind whose destination is a symbolic link (a node_modules linked from elsewhere) fails.
    .map(realPath)
    .filter((path) => {
      const hidden = [...processSandbox.sandbox.hiddenDirectories, ...processSandbox.sandbox.temporaryDirectories].map(realPath);
      // Never a hidden directory itself or one of its parents (a PATH entry or an install prefix that is HOME would show it all again).
      if (hidden.some((directory) => isInside(directory, path))) return false;
      return hidden.some((directory) => isInside(path, directory)) || isInside(path, worktree);
    });
  const writable = [privateDirectory, ...(processSandbox.access === 'edit-worktree' ? [worktree] : [])];
  if (processSandbox.access === 'read-only') readOnly.push(worktree);
  return {
    executable: processSandbox.sandbox.bubblewrapPath,
    arguments: buildBubblewrapArguments({
      userId: process.getuid?.() ?? 0,
      groupId: process.getgid?.() ?? 0,
      hiddenDirectories: processSandbox.sandbox.hiddenDirectories.map(realPath),
      temporaryDirectories: processSandbox.sandbox.temporaryDirectories.map(realPath),
      writablePaths: writable,
      readOnlyPaths: readOnly.filter((path) => !writable.includes(path)),
      workingDirectory: command.workingDirectory,
      executable: command.executable,
      arguments: command.arguments,
    }),
  };
}

/** What `sandbox` setting an adapter passes to its process runner for one stage: nothing when the sandbox is off. */
export function sandboxForStage(sandbox: AgentSandbox | undefined, request: Pick<AgentStageRequest, 'worktreePath' | 'privateDirectory' | 'access'>, readablePaths: string[] = []): { sandbox?: AgentProcessSandbox } {
  if (sandbox === undefined || sandbox.kind === 'off') return {};
  return { sandbox: { sandbox, worktreePath: request.worktreePath, privateDirectory: request.privateDirectory, access: request.access, ...(readablePaths.length === 0 ? {} : { readablePaths }) } };
}

export type AgentSandboxResolution = { ok: true; sandbox: AgentSandbox; warning?: string } | { ok: false; problem: string };

const probeCache = new Map<string, string | undefined>();

/**
 * Decides `agent.sandbox`: `off` is off; `bubblewrap` and `auto` look for `bwrap` on PATH and
 * run it once with the sandbox's own options (a kernel without user namespaces fails here, not
 * in the middle of the night). `bubblewrap` that does not work is a problem; `auto` falls back
 * to off with a warning, since the after-stage confinement check still runs.
 */
export function resolveAgentSandbox(choice: AgentSandboxChoice, environment: Record<string, string | undefined>): AgentSandboxResolution {
  if (choice === 'off') return { ok: true, sandbox: { kind: 'off' } };
  const search = findExecutable('bwrap', environment.PATH, process.cwd());
  const failure = search.found ? probeBubblewrap(search.path) : 'bwrap (bubblewrap) is not on PATH';
  if (search.found && failure === undefined) {
    const usable = (path: string | undefined): path is string => path !== undefined && isAbsolute(path) && path !== '/' && existsSync(path);
    const hiddenDirectories = [environment.HOME].filter(usable);
    const temporaryDirectories = [...new Set(['/tmp', tmpdir()].filter(usable))];
    return { ok: true, sandbox: { kind: 'bubblewrap', bubblewrapPath: search.path, hiddenDirectories, temporaryDirectories } };
  }
  if (choice === 'bubblewrap') {
    return { ok: false, problem: `nightshift.yaml: agent.sandbox is "bubblewrap" but ${failure ?? 'bwrap does not work'}; expected a working bwrap (install bubblewrap: apt-get install bubblewrap) or agent.sandbox: auto | off` };
  }
  return { ok: true, sandbox: { kind: 'off' }, warning: `agent.sandbox is "auto" and ${failure ?? 'bwrap does not work'}: agents run without an OS sandbox (install bubblewrap to confine their reads and writes)` };
}

function probeBubblewrap(bubblewrapPath: string): string | undefined {
  if (probeCache.has(bubblewrapPath)) return probeCache.get(bubblewrapPath);
  const probe = spawnSync(bubblewrapPath, [...buildBubblewrapArguments({ userId: process.getuid?.() ?? 0, groupId: process.getgid?.() ?? 0, hiddenDirectories: [], temporaryDirectories: ['/tmp'], writablePaths: [], readOnlyPaths: [], workingDirectory: '/', executable: 'true', arguments: [] })], {
    encoding: 'utf8',
    timeout: 10_000,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const failure = probe.status === 0 ? undefined : `${bubblewrapPath} cannot start a sandbox here: ${(probe.stderr ?? '').trim() || probe.error?.message || `exit code ${String(probe.status)}`}`;
  probeCache.set(bubblewrapPath, failure);
  return failure;
}

/** The repository's git directory of a worktree (`.git` itself, or the common dir a linked worktree's `.git` file points into). */
function gitDirectoriesOf(worktree: string): string[] {
  const link = resolve(worktree, '.git');
  try {
    if (statSync(link).isDirectory()) return [link];
    const gitDirectory = resolve(worktree, /^gitdir:\s*(.+)$/m.exec(readFileSync(link, 'utf8'))?.[1]?.trim() ?? '.git');
    const commonDirectoryFile = resolve(gitDirectory, 'commondir');
    const commonDirectory = existsSync(commonDirectoryFile) ? resolve(gitDirectory, readFileSync(commonDirectoryFile, 'utf8').trim()) : gitDirectory;
    return [...new Set([realPath(commonDirectory), realPath(gitDirectory)])];
  } catch {
    return [];
  }
}

/**
 * Where a program is installed, to keep it readable when it sits in a hidden directory: its
 * outermost `node_modules` (npm's agent CLIs load files beside them), or else the prefix of its
 * directory (`~/.nvm/versions/node/v20`, a virtualenv), for the path and for the file it links to.
 */
export function installationOf(executablePath: string): string[] {
  const real = realPath(executablePath);
  return [...new Set([executablePath, real].flatMap((path) => {
    const index = path.indexOf(`${sep}node_modules${sep}`);
    return index >= 0 ? [path.slice(0, index + `${sep}node_modules`.length)] : [dirname(dirname(path)), dirname(path)];
  }))].filter((path) => path !== '/' && path !== '');
}

function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

function isInside(path: string, directory: string): boolean {
  return path === directory || path.startsWith(directory.endsWith(sep) ? directory : directory + sep);
}

/** Without duplicates, parents before their children (a bind inside a tmpfs must come after it). */
function uniqueByDepth(paths: string[]): string[] {
  return [...new Set(paths)].sort((left, right) => left.split(sep).length - right.split(sep).length || left.localeCompare(right));
}
