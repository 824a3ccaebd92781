import { createHash } from 'node:crypto';
import { existsSync, realpathSync, type Dirent, type Stats } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { OutsideSnapshot } from '../../../domain/confinement-breach.js';
import { isInsideDirectory } from '../../../domain/path-containment.js';
import type { OutsideSnapshotRequest } from '../../../ports/workspace.js';
import { git } from './git-command.js';
import { readGitIndex, type GitIndexEntry } from './git-index-reader.js';
import type { WorktreeEntry } from './git-output-parsing.js';
import { readGitRefs } from './git-ref-reader.js';
import { SettledFileCache } from './settled-file-cache.js';
import { lstatOrUndefined, readBytesOrUndefined, readdirEntriesOrUndefined, readdirOrEmpty, readlinkOrUndefined, readTextOrUndefined } from '../../shared/quiet-file-reads.js';

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

/**
 * git never runs a hook whose name ends in `.sample` (`git init` copies a dozen of them): what
 * is in one does not matter, only that it is there, since renaming one is how it would come alive.
 */
function isInertSampleHook(path: string): boolean {
  return path.endsWith('.sample') && basename(dirname(path)) === 'hooks';
}

/** Inside `objects/`, only these matter: they make git read objects from elsewhere. */
const WATCHED_OBJECT_FILES = ['info/alternates', 'info/http-alternates'];

/** The files of a worktree's own git state that say which repository and branch it is. */
const WORKTREE_ADMINISTRATIVE_FILES = ['HEAD', 'commondir', 'gitdir', 'config.worktree'];

/** Content is hashed up to this size; bigger files are fingerprinted by size and change times. */
const HASHED_BYTES = 4 * 1024 * 1024;

/** A directory walk stops here, so a runaway directory cannot make every stage slow. */
const MAXIMUM_WALKED_ENTRIES = 20_000;

/**
 * Past this many tracked files the main checkout is fingerprinted by `git status` (which
 * keeps its own stat cache) rather than in-process, one `lstat` per file.
 */
const MAXIMUM_IN_PROCESS_TRACKED_FILES = 5_000;

/** Past this many entries the worktree gets no fingerprint of its own; read-only stages then ask git. */
const MAXIMUM_WORKTREE_FINGERPRINT_ENTRIES = 5_000;

const SYMLINK_MODE = 0o120000;
const FILE_TYPE_MASK = 0o170000;

/** Content hashes of files that stay put between snapshots (hooks, config, info/exclude): read once while unchanged. */
const settledFiles = new SettledFileCache<string>();

/** Parsed indexes of the main checkout and the worktrees: parsed again only when the index file changed. */
const settledIndexes = new SettledFileCache<GitIndexEntry[] | undefined>();

/** The git common directory of each repository: it never changes, so git is asked once. */
const commonDirectories = new Map<string, string>();

/**
 * Takes the {@link OutsideSnapshot} of a worktree: the repository's git directory (less
 * what changes legitimately), its refs (less the other tickets' branches), the worktree's
 * link to the repository, the main checkout's uncommitted state (less the directories
 * Nightshift writes), anything in the worktrees directory that is not a worktree, the
 * watched paths, and the symbolic links inside the worktree with their real targets.
 * Must run while no worktree is being added or removed (the caller serializes it).
 */
export async function takeOutsideSnapshot(context: OutsideSnapshotContext, worktreePath: string, request: OutsideSnapshotRequest): Promise<OutsideSnapshot> {
  return completeOutsideSnapshot(context, worktreePath, request, await readRepositorySurroundings(context, request));
}

/** The part of a snapshot that does not depend on the worktree: see {@link readRepositorySurroundings}. */
export interface RepositorySurroundings {
  commonDirectory: string;
  fingerprints: Record<string, string>;
}

/**
 * The repository's git directory, its refs, its main checkout and the watched paths —
 * nothing that `git worktree add` touches (it writes under `worktrees/`, `logs/` and the
 * new branch's ref, none of them watched), so a workspace may read these while it adds
 * the worktree the snapshot is for.
 */
export async function readRepositorySurroundings(context: OutsideSnapshotContext, request: OutsideSnapshotRequest): Promise<RepositorySurroundings> {
  const { repositoryRoot } = context;
  const commonDirectory = await commonDirectoryOf(repositoryRoot);
  const fingerprints: Record<string, string> = {};
  const add = (entries: Record<string, string>): void => void Object.assign(fingerprints, entries);
  add(fingerprintGitDirectory(commonDirectory));
  add((await readRefs(repositoryRoot, commonDirectory, request)).refs);
  add((fingerprintCheckoutInProcess(context, commonDirectory, request.unwatchedCheckoutPaths)) ?? (await fingerprintCheckout(repositoryRoot, request.unwatchedCheckoutPaths)));
  for (const watched of request.watchedPaths) {
    if (isAbsolute(watched)) add(fingerprintTree(watched));
  }
  return { commonDirectory, fingerprints };
}

/** The rest of a snapshot, once the worktree exists: its own branch, its link, the strays beside it, its files and links. */
export async function completeOutsideSnapshot(
  context: OutsideSnapshotContext,
  worktreePath: string,
  request: OutsideSnapshotRequest,
  surroundings: RepositorySurroundings,
): Promise<OutsideSnapshot> {
  const { commonDirectory } = surroundings;
  const fingerprints: Record<string, string> = { ...surroundings.fingerprints };
  const add = (entries: Record<string, string>): void => void Object.assign(fingerprints, entries);
  const ownBranchCommit = await readOwnBranchCommit(context.repositoryRoot, commonDirectory, request);
  const administrative = worktreeAdministrativeDirectory(worktreePath, commonDirectory);
  add(fingerprintWorktreeLink(worktreePath, administrative));
  add(await fingerprintStrays(context, commonDirectory));
  const walkedSymlinks: Record<string, string> = {};
  const worktreeFingerprint = request.fingerprintWorktree === true ? fingerprintWorktreeFiles(worktreePath, walkedSymlinks) : undefined;
  const worktreeRealPath = realPath(worktreePath);
  let symlinks: Record<string, string> | undefined;
  if (request.symlinks === 'tracked') {
    // Around a read-only stage the walk that fingerprints the worktree also finds its links (any new one is a change anyway).
    symlinks = worktreeFingerprint !== undefined ? walkedSymlinks : administrative !== undefined ? listTrackedSymlinks(worktreePath, administrative) : undefined;
  } else {
    // After a stage that may edit, the links a commit would take count. A walk finds every link without git; only when
    // one leads out of the worktree (rare, and then a breach unless git ignores it) does git say which it would take.
    const walked = worktreeFingerprint !== undefined ? walkedSymlinks : listEverySymlink(worktreePath);
    if (walked !== undefined && Object.values(walked).every((target) => isInsideDirectory(target, worktreeRealPath))) symlinks = walked;
  }
  return {
    worktreeRealPath,
    fingerprints,
    ...(ownBranchCommit === undefined ? {} : { ownBranchCommit }),
    symlinks: symlinks ?? (await listSymlinks(worktreePath)),
    ...(worktreeFingerprint === undefined ? {} : { worktreeFingerprint }),
  };
}

/**
 * The commit of the worktree's own branch: its loose ref when there is one (the common
 * case, one small read), otherwise as {@link readRefs} finds it (packed, or through git).
 */
async function readOwnBranchCommit(repositoryRoot: string, commonDirectory: string, request: OutsideSnapshotRequest): Promise<string | undefined> {
  const loose = (readTextOrUndefined(join(commonDirectory, 'refs', 'heads', ...request.branch.split('/'))) ?? '').trim();
  if (/^[0-9a-f]{40}$/.test(loose)) return loose;
  return (await readRefs(repositoryRoot, commonDirectory, request)).ownBranchCommit;
}

async function commonDirectoryOf(repositoryRoot: string): Promise<string> {
  let found = commonDirectories.get(repositoryRoot);
  if (found === undefined) {
    found = resolve(repositoryRoot, (await git(['rev-parse', '--git-common-dir'], { cwd: repositoryRoot })).trim());
    commonDirectories.set(repositoryRoot, found);
  }
  return found;
}

function fingerprintGitDirectory(commonDirectory: string): Record<string, string> {
  const fingerprints: Record<string, string> = {};
  for (const name of readdirOrEmpty(commonDirectory)) {
    if (CHANGING_GIT_ENTRIES.has(name) || name.endsWith('.lock')) continue;
    Object.assign(fingerprints, fingerprintTree(join(commonDirectory, name), (path) => path.endsWith('.lock'), isInertSampleHook));
  }
  for (const file of WATCHED_OBJECT_FILES) Object.assign(fingerprints, fingerprintTree(join(commonDirectory, 'objects', file)));
  return fingerprints;
}

async function readRefs(repositoryRoot: string, commonDirectory: string, request: OutsideSnapshotRequest): Promise<{ refs: Record<string, string>; ownBranchCommit?: string }> {
  const ownRef = `refs/heads/${request.branch}`;
  const concurrent = request.concurrentBranchPrefix === '' ? undefined : `refs/heads/${request.concurrentBranchPrefix}`;
  const unwatched = new Set(request.unwatchedRefs ?? []);
  // The other tickets' branches are not watched: their directory is not even read, but the own branch may live in it.
  const concurrentDirectory = concurrent?.endsWith('/') ? concurrent.slice(0, -1) : undefined;
  const inProcess = readGitRefs(commonDirectory, (directory) => directory === concurrentDirectory);
  const all = inProcess ?? (await listRefsWithGit(repositoryRoot));
  const ownBranchCommit = all.get(ownRef);
  const refs: Record<string, string> = {};
  for (const [name, commit] of all) {
    if (name === ownRef || unwatched.has(name)) continue;
    if (concurrent === undefined || !name.startsWith(concurrent)) refs[`ref ${name}`] = commit;
  }
  return { refs, ...(ownBranchCommit === undefined ? {} : { ownBranchCommit }) };
}

async function listRefsWithGit(repositoryRoot: string): Promise<Map<string, string>> {
  const output = await git(['for-each-ref', '--format=%(refname)%00%(objectname)'], { cwd: repositoryRoot });
  return new Map(output.split('\n').flatMap((line) => {
    const [name, commit] = line.split('\0');
    return name === undefined || commit === undefined || name === '' ? [] : [[name, commit] as [string, string]];
  }));
}

/** The worktree's own git directory (`.git/worktrees/<name>`), when its `.git` file names one inside the repository. */
function worktreeAdministrativeDirectory(worktreePath: string, commonDirectory: string): string | undefined {
  const link = join(worktreePath, '.git');
  const stats = lstatOrUndefined(link);
  if (stats === undefined || !stats.isFile()) return undefined;
  const gitDirectory = /^gitdir:\s*(.+?)\s*$/m.exec((readTextOrUndefined(link) ?? ''))?.[1];
  if (gitDirectory === undefined) return undefined;
  const administrative = resolve(worktreePath, gitDirectory);
  return isInside(realPath(join(commonDirectory, 'worktrees')), realPath(administrative)) ? administrative : undefined;
}

/** The worktree's `.git` file, and the files of its own git state that name its repository and branch. */
function fingerprintWorktreeLink(worktreePath: string, administrative: string | undefined): Record<string, string> {
  const link = join(worktreePath, '.git');
  const fingerprints = fingerprintTree(link, () => true);
  const stats = lstatOrUndefined(link);
  if (stats === undefined) return fingerprints;
  if (!stats.isFile()) return { [link]: describeStats(stats), ...fingerprints };
  if (administrative === undefined) return fingerprints;
  for (const file of WORKTREE_ADMINISTRATIVE_FILES) Object.assign(fingerprints, fingerprintTree(join(administrative, file)));
  return fingerprints;
}

/**
 * The main checkout without a git process: every tracked file (its staged object and mode
 * from the index, its `lstat` on disk) and every untracked entry of a directory that holds
 * tracked files, keyed by absolute path — so a file written, changed, added to the index
 * or dropped next to tracked ones shows as a difference. Nightshift's own directory and the
 * unwatched paths are left out. Undefined (ask `git status`) when the index is not one this
 * reads, the checkout is large, or the repository root is not the main worktree.
 */
function fingerprintCheckoutInProcess(context: OutsideSnapshotContext, commonDirectory: string, unwatched: readonly string[]): Record<string, string> | undefined {
  const { repositoryRoot } = context;
  if (!isMainWorktree(repositoryRoot, commonDirectory)) return undefined;
  const entries = readGitIndexCached(join(commonDirectory, 'index'));
  if (entries === undefined || entries.length > MAXIMUM_IN_PROCESS_TRACKED_FILES) return undefined;
  const prefixes = unwatched.map((path) => path.replace(/^\.\/+/, '').replace(/\/+$/, '')).filter((path) => path !== '' && path !== '.');
  const isUnwatched = (path: string): boolean => prefixes.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
  const ownDirectory = relative(repositoryRoot, context.worktreesDirectory).split(sep)[0];
  const fingerprints: Record<string, string> = {};
  const trackedNames = trackedNamesByDirectory(entries);
  for (const entry of entries) {
    if (isUnwatched(entry.path)) continue;
    const absolute = join(repositoryRoot, entry.path);
    fingerprints[absolute] = `tracked:${entry.mode.toString(8)}:${entry.objectId}|${statFingerprint(absolute)}`;
  }
  for (const [directory, names] of trackedNames) {
    if (directory !== '' && isUnwatched(directory)) continue;
    const absoluteDirectory = join(repositoryRoot, directory);
    for (const name of readdirOrEmpty(absoluteDirectory)) {
      if (names.has(name)) continue;
      if (directory === '' && (name === '.git' || name === ownDirectory)) continue;
      const path = directory === '' ? name : `${directory}/${name}`;
      if (isUnwatched(path)) continue;
      const absolute = join(absoluteDirectory, name);
      fingerprints[absolute] = `untracked|${statFingerprint(absolute)}`;
    }
  }
  return fingerprints;
}

/** Whether each repository root is the main worktree of its common directory: settled once per process. */
const mainWorktrees = new Map<string, boolean>();

function isMainWorktree(repositoryRoot: string, commonDirectory: string): boolean {
  const key = `${repositoryRoot}\0${commonDirectory}`;
  let known = mainWorktrees.get(key);
  if (known === undefined) {
    known = realPath(join(repositoryRoot, '.git')) === realPath(commonDirectory);
    mainWorktrees.set(key, known);
  }
  return known;
}

/** The tracked names in each directory of an index, worked out once per parsed index (the cache keeps the same array while the index stays put). */
const trackedNamesCache = new WeakMap<readonly GitIndexEntry[], Map<string, Set<string>>>();

function trackedNamesByDirectory(entries: readonly GitIndexEntry[]): Map<string, Set<string>> {
  const known = trackedNamesCache.get(entries);
  if (known !== undefined) return known;
  const trackedNames = new Map<string, Set<string>>([['', new Set()]]);
  for (const entry of entries) {
    const parts = entry.path.split('/');
    for (let depth = 0; depth < parts.length; depth += 1) {
      const directory = parts.slice(0, depth).join('/');
      let names = trackedNames.get(directory);
      if (names === undefined) trackedNames.set(directory, (names = new Set()));
      names.add(parts[depth] as string);
    }
  }
  trackedNamesCache.set(entries, trackedNames);
  return trackedNames;
}

/** Type and permissions, size, change times and inode of a path, never following a link: any write changes it. */
function statFingerprint(path: string): string {
  const stats = lstatOrUndefined(path);
  return stats === undefined ? 'missing' : statsFingerprint(stats);
}

function statsFingerprint(stats: Stats): string {
  return `${stats.mode}:${stats.size}:${stats.mtimeMs}:${stats.ctimeMs}:${stats.ino}`;
}

/** One entry met by {@link walkWorktree}: its path relative to the worktree (with `/`) and where it is. */
interface WalkedEntry {
  path: string;
  absolute: string;
  absoluteDirectory: string;
  entry: Dirent;
}

/**
 * Visits every entry of the worktree but its `.git` link, directory by directory, each
 * directory's entries in name order; `visit` says whether to go into a directory. False
 * when the walk stopped past `maximumEntries` entries.
 */
function walkWorktree(worktreePath: string, maximumEntries: number, visit: (walked: WalkedEntry) => boolean): boolean {
  const pending = [''];
  let walked = 0;
  while (pending.length > 0) {
    const directory = pending.pop() as string;
    const absoluteDirectory = directory === '' ? worktreePath : join(worktreePath, directory);
    const entries = readdirEntriesOrUndefined(absoluteDirectory);
    if (entries === undefined) continue;
    for (const entry of entries.sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0))) {
      if (directory === '' && entry.name === '.git') continue;
      walked += 1;
      if (walked > maximumEntries) return false;
      const path = directory === '' ? entry.name : `${directory}/${entry.name}`;
      if (visit({ path, absolute: join(absoluteDirectory, entry.name), absoluteDirectory, entry })) pending.push(path);
    }
  }
  return true;
}

/** Records where the link at `absolute` leads, by real path; a link that cannot be read is left out. */
function recordSymlink(symlinks: Record<string, string>, walked: WalkedEntry): void {
  const target = readlinkOrUndefined(walked.absolute);
  if (target !== undefined) symlinks[walked.path] = realPath(resolve(walked.absoluteDirectory, target));
}

/**
 * One hash over every entry of the worktree (its `.git` link left out) — path, type and
 * permissions, size, change times, inode — or undefined past
 * {@link MAXIMUM_WORKTREE_FINGERPRINT_ENTRIES} entries. Hashed once at the end: a read-only
 * stage takes three of these per ticket, so each entry costs one `lstat` and little else.
 * Given `symlinks`, it also records every link met and the real path it leads to.
 */
function fingerprintWorktreeFiles(worktreePath: string, symlinks?: Record<string, string>): string | undefined {
  const parts: string[] = [];
  const complete = walkWorktree(worktreePath, MAXIMUM_WORKTREE_FINGERPRINT_ENTRIES, (walked) => {
    const stats = lstatOrUndefined(walked.absolute);
    parts.push(walked.path, stats === undefined ? 'missing' : statsFingerprint(stats));
    if (symlinks !== undefined && stats?.isSymbolicLink() === true) recordSymlink(symlinks, walked);
    return stats?.isDirectory() === true;
  });
  return complete ? createHash('sha256').update(parts.join('\0')).digest('hex') : undefined;
}

/** Past this many entries a walk for links gives up and git lists them (an agent may have installed dependencies). */
const MAXIMUM_SYMLINK_WALK_ENTRIES = 50_000;

/**
 * Every symbolic link in the worktree (its `.git` left out), ignored ones included, and
 * the real path each leads to; file types come from the directory listing, so only links
 * cost a call of their own. Undefined past {@link MAXIMUM_SYMLINK_WALK_ENTRIES} entries.
 */
function listEverySymlink(worktreePath: string): Record<string, string> | undefined {
  const symlinks: Record<string, string> = {};
  const complete = walkWorktree(worktreePath, MAXIMUM_SYMLINK_WALK_ENTRIES, (walked) => {
    const { entry } = walked;
    // Some file systems do not report types in listings: ask those entries directly.
    const stats = entry.isFile() || entry.isDirectory() || entry.isSymbolicLink() ? undefined : lstatOrUndefined(walked.absolute);
    if (entry.isSymbolicLink() || stats?.isSymbolicLink() === true) recordSymlink(symlinks, walked);
    return entry.isDirectory() || stats?.isDirectory() === true;
  });
  return complete ? symlinks : undefined;
}

/** The symbolic links among the worktree's tracked files, from its index: no git process. */
function listTrackedSymlinks(worktreePath: string, administrative: string): Record<string, string> | undefined {
  const entries = readGitIndexCached(join(administrative, 'index'));
  if (entries === undefined) return undefined;
  const symlinks: Record<string, string> = {};
  for (const entry of entries) {
    if ((entry.mode & FILE_TYPE_MASK) !== SYMLINK_MODE) continue;
    const absolute = join(worktreePath, entry.path);
    const stats = lstatOrUndefined(absolute);
    if (stats?.isSymbolicLink() !== true) continue;
    const target = readlinkOrUndefined(absolute);
    if (target !== undefined) symlinks[entry.path] = realPath(resolve(dirname(absolute), target));
  }
  return symlinks;
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
    const stats = lstatOrUndefined(absolute);
    fingerprints[absolute] = `${status}|${stats === undefined ? 'missing' : fingerprintEntry(absolute, stats)}`;
  }
  return fingerprints;
}

/** Whatever sits in the worktrees directory that is not a registered worktree: `../outside.txt` lands here. */
async function fingerprintStrays(context: OutsideSnapshotContext, commonDirectory: string): Promise<Record<string, string>> {
  if (!existsSync(context.worktreesDirectory)) return {};
  const worktrees = registeredWorktreePaths(commonDirectory) ?? new Set((await context.listWorktrees()).map((entry) => realPath(entry.path)));
  const fingerprints: Record<string, string> = {};
  for (const name of readdirOrEmpty(context.worktreesDirectory)) {
    const path = join(context.worktreesDirectory, name);
    if (worktrees.has(realPath(path))) continue;
    Object.assign(fingerprints, fingerprintTree(path));
  }
  return fingerprints;
}

/**
 * The real paths of the linked worktrees, from `.git/worktrees/<name>/gitdir` (each names the
 * worktree's `.git` file), as `git worktree list` would give them; undefined if one cannot be read.
 */
function registeredWorktreePaths(commonDirectory: string): Set<string> | undefined {
  const paths = new Set<string>();
  const administrativeRoot = join(commonDirectory, 'worktrees');
  for (const name of readdirOrEmpty(administrativeRoot)) {
    const gitdir = (readTextOrUndefined(join(administrativeRoot, name, 'gitdir')))?.trim();
    if (gitdir === undefined || gitdir === '') return undefined;
    paths.add(realPath(dirname(resolve(administrativeRoot, name, gitdir))));
  }
  return paths;
}

/**
 * Fingerprints a file, a link (never followed) or every file below a directory, keyed by
 * absolute path. `skip` leaves out paths that come and go (lock files); `presenceOnly`
 * records that a path is there without reading it (inert sample hooks).
 */
function fingerprintTree(root: string, skip: (path: string) => boolean = () => false, presenceOnly: (path: string) => boolean = () => false): Record<string, string> {
  const fingerprints: Record<string, string> = {};
  const pending = [root];
  let walked = 0;
  while (pending.length > 0) {
    const path = pending.pop() as string;
    if (path !== root && skip(path)) continue;
    if (path !== root && presenceOnly(path)) {
      fingerprints[path] = 'present';
      continue;
    }
    const stats = lstatOrUndefined(path);
    if (stats === undefined) continue;
    walked += 1;
    if (walked > MAXIMUM_WALKED_ENTRIES) {
      fingerprints[root] = `more than ${MAXIMUM_WALKED_ENTRIES} entries`;
      break;
    }
    if (stats.isDirectory()) {
      const names = readdirOrEmpty(path);
      if (names.length === 0) fingerprints[path] = 'empty directory';
      for (const name of names.sort().reverse()) pending.push(join(path, name));
    } else {
      fingerprints[path] = fingerprintEntry(path, stats);
    }
  }
  return fingerprints;
}

function fingerprintEntry(path: string, stats: Stats): string {
  if (stats.isSymbolicLink()) return `link:${(readlinkOrUndefined(path) ?? '?')}`;
  if (!stats.isFile()) return describeStats(stats);
  const executable = (stats.mode & 0o111) !== 0 ? 'x' : '-';
  if (stats.size > HASHED_BYTES) return `file:${executable}:${stats.size}:${stats.mtimeMs}:${stats.ctimeMs}`;
  return settledFiles.remember(path, stats, () => {
    const content = readBytesOrUndefined(path);
    return content === undefined ? 'unreadable' : `file:${executable}:${createHash('sha256').update(content).digest('hex')}`;
  });
}

/** A parsed index, read again only when the index file's stat says it may have changed. */
function readGitIndexCached(indexPath: string): GitIndexEntry[] | undefined {
  const stats = lstatOrUndefined(indexPath);
  if (stats === undefined || !stats.isFile()) return undefined;
  return settledIndexes.remember(indexPath, stats, () => readGitIndex(indexPath));
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
    const stats = lstatOrUndefined(absolute);
    if (stats?.isSymbolicLink() !== true) continue;
    const target = readlinkOrUndefined(absolute);
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
    if (existsSync(absolute)) return realpathSync.native(absolute);
  } catch {
    // a link loop: resolve what can be resolved
  }
  const parent = dirname(absolute);
  return parent === absolute ? absolute : join(realPath(parent), basename(absolute));
}
