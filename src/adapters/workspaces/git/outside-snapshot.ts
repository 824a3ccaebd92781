import { createHash } from 'node:crypto';
import { existsSync, realpathSync, type Stats } from 'node:fs';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { OutsideSnapshot } from '../../../domain/confinement-breach.js';
import type { OutsideSnapshotRequest } from '../../../ports/workspace.js';
import { git } from './git-command.js';
import type { WorktreeEntry } from './git-output-parsing.js';

/** What the snapshot needs from the workspace that takes it. */
export interface OutsideSnapshotContext {
  repositoryRoot: string;
  worktreesDirectory: string;
  listWorktrees(): Promise<WorktreeEntry[]>;
}

/**
 * Top-level entries of the git directory that change while nothing is wrong: objects and
 * their packs (every commit, every diff Nightshift takes), refs and reflogs (compared
 * logically instead), the other worktrees' own state, the main index, caches, locks and
 * the notes git leaves after an operation. Everything else — config, hooks, info/exclude,
 * HEAD, alternates — no agent has a reason to touch.
 */
const CHANGING_GIT_ENTRIES = new Set([
  'objects',
  'refs',
  'packed-refs',
  'logs',
  'worktrees',
  'index',
  'lfs',
  'modules',
  'rr-cache',
  'FETCH_HEAD',
  'ORIG_HEAD',
  'COMMIT_EDITMSG',
  'AUTO_MERGE',
  'gc.log',
  'gc.pid',
]);

/** Inside `objects/`, only these matter: they make git read objects from elsewhere. */
const WATCHED_OBJECT_FILES = ['info/alternates', 'info/http-alternates'];

/** The files of a worktree's own git state that say which repository and branch it is. */
const WORKTREE_ADMINISTRATIVE_FILES = ['HEAD', 'commondir', 'gitdir', 'config.worktree'];

/** Content is hashed up to this size; bigger files are fingerprinted by size and change times. */
const HASHED_BYTES = 4 * 1024 * 1024;

/** A directory walk stops here, so a runaway directory cannot make every stage slow. */
const MAXIMUM_WALKED_ENTRIES = 20_000;

/**
 * Takes the {@link OutsideSnapshot} of a worktree: the repository's git directory (less
 * what changes legitimately), its refs (less the other tickets' branches), the worktree's
 * link to the repository, the main checkout's uncommitted state (less the directories
 * Nightshift writes), anything in the worktrees directory that is not a worktree, the
 * watched paths, and the symbolic links inside the worktree with their real targets.
 * Must run while no worktree is being added or removed (the caller serializes it).
 */
export async function takeOutsideSnapshot(context: OutsideSnapshotContext, worktreePath: string, request: OutsideSnapshotRequest): Promise<OutsideSnapshot> {
  const { repositoryRoot } = context;
  const commonDirectory = resolve(repositoryRoot, (await git(['rev-parse', '--git-common-dir'], { cwd: repositoryRoot })).trim());
  const fingerprints: Record<string, string> = {};
  const add = (entries: Record<string, string>): void => void Object.assign(fingerprints, entries);

  add(await fingerprintGitDirectory(commonDirectory));
  const { refs, ownBranchCommit } = await readRefs(repositoryRoot, request);
  add(refs);
  add(await fingerprintWorktreeLink(worktreePath, commonDirectory));
  add(await fingerprintCheckout(repositoryRoot, request.unwatchedCheckoutPaths));
  add(await fingerprintStrays(context));
  for (const watched of request.watchedPaths) {
    if (isAbsolute(watched)) add(await fingerprintTree(watched));
  }
  return {
    worktreeRealPath: realPath(worktreePath),
    fingerprints,
    ...(ownBranchCommit === undefined ? {} : { ownBranchCommit }),
    symlinks: await listSymlinks(worktreePath),
  };
}

async function fingerprintGitDirectory(commonDirectory: string): Promise<Record<string, string>> {
  const fingerprints: Record<string, string> = {};
  for (const name of await readdir(commonDirectory).catch(() => [] as string[])) {
    if (CHANGING_GIT_ENTRIES.has(name) || name.endsWith('.lock')) continue;
    Object.assign(fingerprints, await fingerprintTree(join(commonDirectory, name), (path) => path.endsWith('.lock')));
  }
  for (const file of WATCHED_OBJECT_FILES) Object.assign(fingerprints, await fingerprintTree(join(commonDirectory, 'objects', file)));
  return fingerprints;
}

async function readRefs(repositoryRoot: string, request: OutsideSnapshotRequest): Promise<{ refs: Record<string, string>; ownBranchCommit?: string }> {
  const output = await git(['for-each-ref', '--format=%(refname)%00%(objectname)'], { cwd: repositoryRoot });
  const ownRef = `refs/heads/${request.branch}`;
  const concurrent = request.concurrentBranchPrefix === '' ? undefined : `refs/heads/${request.concurrentBranchPrefix}`;
  const unwatched = new Set(request.unwatchedRefs ?? []);
  const refs: Record<string, string> = {};
  let ownBranchCommit: string | undefined;
  for (const line of output.split('\n')) {
    const [name, commit] = line.split('\0');
    if (name === undefined || commit === undefined || name === '') continue;
    if (name === ownRef) ownBranchCommit = commit;
    else if (unwatched.has(name)) continue;
    else if (concurrent === undefined || !name.startsWith(concurrent)) refs[`ref ${name}`] = commit;
  }
  return { refs, ...(ownBranchCommit === undefined ? {} : { ownBranchCommit }) };
}

/** The worktree's `.git` file, and the files of its own git state that name its repository and branch. */
async function fingerprintWorktreeLink(worktreePath: string, commonDirectory: string): Promise<Record<string, string>> {
  const link = join(worktreePath, '.git');
  const fingerprints = await fingerprintTree(link, () => true);
  const stats = await lstat(link).catch(() => undefined);
  if (stats === undefined) return fingerprints;
  if (!stats.isFile()) return { [link]: describeStats(stats), ...fingerprints };
  const gitDirectory = /^gitdir:\s*(.+?)\s*$/m.exec(await readFile(link, 'utf8'))?.[1];
  if (gitDirectory === undefined) return fingerprints;
  const administrative = resolve(worktreePath, gitDirectory);
  if (!isInside(realPath(join(commonDirectory, 'worktrees')), realPath(administrative))) return fingerprints;
  for (const file of WORKTREE_ADMINISTRATIVE_FILES) Object.assign(fingerprints, await fingerprintTree(join(administrative, file)));
  return fingerprints;
}

/** Uncommitted state of the main checkout: each changed or untracked path and its content. */
async function fingerprintCheckout(repositoryRoot: string, unwatched: readonly string[]): Promise<Record<string, string>> {
  const output = await git(['--no-optional-locks', 'status', '--porcelain=v1', '-z', '--untracked-files=all', '--ignore-submodules=all'], { cwd: repositoryRoot });
  const prefixes = unwatched.map((path) => path.replace(/^\.\/+/, '').replace(/\/+$/, '')).filter((path) => path !== '' && path !== '.');
  const fingerprints: Record<string, string> = {};
  const fields = output.split('\0');
  for (let index = 0; index < fields.length; index += 1) {
    const field = fields[index] as string;
    if (field.length < 4) continue;
    const status = field.slice(0, 2);
    const path = field.slice(3);
    if (status.startsWith('R') || status.startsWith('C')) index += 1;
    if (prefixes.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))) continue;
    const absolute = join(repositoryRoot, path);
    const stats = await lstat(absolute).catch(() => undefined);
    fingerprints[absolute] = `${status}|${stats === undefined ? 'missing' : await fingerprintEntry(absolute, stats)}`;
  }
  return fingerprints;
}

/** Whatever sits in the worktrees directory that is not a registered worktree: `../outside.txt` lands here. */
async function fingerprintStrays(context: OutsideSnapshotContext): Promise<Record<string, string>> {
  if (!existsSync(context.worktreesDirectory)) return {};
  const worktrees = new Set((await context.listWorktrees()).map((entry) => realPath(entry.path)));
  const fingerprints: Record<string, string> = {};
  for (const name of await readdir(context.worktreesDirectory)) {
    const path = join(context.worktreesDirectory, name);
    if (worktrees.has(realPath(path))) continue;
    Object.assign(fingerprints, await fingerprintTree(path));
  }
  return fingerprints;
}

/**
 * Fingerprints a file, a link (never followed) or every file below a directory, keyed by
 * absolute path. `skip` leaves out paths that come and go (lock files).
 */
async function fingerprintTree(root: string, skip: (path: string) => boolean = () => false): Promise<Record<string, string>> {
  const fingerprints: Record<string, string> = {};
  const pending = [root];
  let walked = 0;
  while (pending.length > 0) {
    const path = pending.pop() as string;
    if (path !== root && skip(path)) continue;
    const stats = await lstat(path).catch(() => undefined);
    if (stats === undefined) continue;
    walked += 1;
    if (walked > MAXIMUM_WALKED_ENTRIES) {
      fingerprints[root] = `more than ${MAXIMUM_WALKED_ENTRIES} entries`;
      break;
    }
    if (stats.isDirectory()) {
      const names = await readdir(path).catch(() => [] as string[]);
      if (names.length === 0) fingerprints[path] = 'empty directory';
      for (const name of names.sort().reverse()) pending.push(join(path, name));
    } else {
      fingerprints[path] = await fingerprintEntry(path, stats);
    }
  }
  return fingerprints;
}

async function fingerprintEntry(path: string, stats: Stats): Promise<string> {
  if (stats.isSymbolicLink()) return `link:${await readlink(path).catch(() => '?')}`;
  if (!stats.isFile()) return describeStats(stats);
  const executable = (stats.mode & 0o111) !== 0 ? 'x' : '-';
  if (stats.size > HASHED_BYTES) return `file:${executable}:${stats.size}:${stats.mtimeMs}:${stats.ctimeMs}`;
  const content = await readFile(path).catch(() => undefined);
  return content === undefined ? 'unreadable' : `file:${executable}:${createHash('sha256').update(content).digest('hex')}`;
}

function describeStats(stats: Stats): string {
  if (stats.isDirectory()) return 'directory';
  if (stats.isSymbolicLink()) return 'link';
  if (stats.isFIFO()) return 'fifo';
  if (stats.isSocket()) return 'socket';
  return stats.isFile() ? 'file' : 'device';
}

/**
 * Symbolic links among the worktree's files (tracked, and untracked but not ignored — what
 * a commit would take) and the real path each leads to, dangling ones included.
 */
async function listSymlinks(worktreePath: string): Promise<Record<string, string>> {
  const output = await git(['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: worktreePath });
  const symlinks: Record<string, string> = {};
  for (const path of new Set(output.split('\0').filter((entry) => entry !== ''))) {
    const absolute = join(worktreePath, path);
    const stats = await lstat(absolute).catch(() => undefined);
    if (stats?.isSymbolicLink() !== true) continue;
    const target = await readlink(absolute).catch(() => undefined);
    if (target !== undefined) symlinks[path] = realPath(resolve(dirname(absolute), target));
  }
  return symlinks;
}

function isInside(directory: string, path: string): boolean {
  const inside = relative(directory, path);
  return inside !== '' && inside !== '..' && !inside.startsWith(`..${sep}`) && !isAbsolute(inside);
}

/** The real path of `path`, or of its closest existing ancestor with the rest appended (dangling links, loops). */
function realPath(path: string): string {
  const absolute = resolve(path);
  try {
    if (existsSync(absolute)) return realpathSync(absolute);
  } catch {
    // a link loop: resolve what can be resolved
  }
  const parent = dirname(absolute);
  return parent === absolute ? absolute : join(realPath(parent), basename(absolute));
}
