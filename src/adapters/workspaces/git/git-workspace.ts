import { existsSync, realpathSync } from 'node:fs';
import { appendFile, copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { ChangedFile, CommitAuthor, MergeBranchRequest, MergeBranchResult, Workspace, WorktreeFileRead, WorktreeFileRemoval } from '../../../ports/workspace.js';
import { git, runGit } from './git-command.js';
import { addGitNote } from './git-notes.js';
import { mergeCommitIntoBranch } from './git-merge.js';
import { parseNameStatus, parseNumstat, parseWorktreeList } from './git-output-parsing.js';
import type { WorktreeEntry } from './git-output-parsing.js';
import { readWorktreeFile, removeWorktreeFile } from './worktree-files.js';
import { completeOutsideSnapshot, readRepositorySurroundings, takeOutsideSnapshot, type OutsideSnapshotContext } from './outside-snapshot.js';
import { InProcessRefResolver } from './in-process-ref-resolver.js';
import { isPlainBranchName } from './plain-branch-name.js';
import type { OutsideSnapshot } from '../../../domain/confinement-breach.js';
import type { OutsideSnapshotRequest, PreparedWorktree } from '../../../ports/workspace.js';

/** Where the repository is and where its ticket worktrees go (normally `.nightshift/worktrees`). */
export interface GitWorkspaceOptions {
  repositoryRoot: string;
  worktreesDirectory: string;
}

/**
 * Worktree bookkeeping (prune, add, remove, the exclude file) is serialized per
 * repository inside a process, since parallel agents prepare their worktrees at once.
 */
const bookkeepingByRepository = new Map<string, Promise<unknown>>();

function serialized<T>(repositoryRoot: string, action: () => Promise<T>): Promise<T> {
  const previous = bookkeepingByRepository.get(repositoryRoot) ?? Promise.resolve();
  const next = previous.then(action, action);
  const settled = next.catch(() => undefined);
  bookkeepingByRepository.set(repositoryRoot, settled);
  void settled.then(() => {
    if (bookkeepingByRepository.get(repositoryRoot) === settled) bookkeepingByRepository.delete(repositoryRoot);
  });
  return next;
}

/** Flags that keep a diff about content, whatever the user's git config says. */
const PLAIN_DIFF = ['--no-ext-diff', '--no-textconv', '--no-color', '-M'];

/**
 * The {@link Workspace} over plain `git` (argument arrays, never a shell): one worktree
 * per ticket under `worktreesDirectory`, commits with the configured identity, and
 * diffs that include what the agent has not committed yet. Every method that takes a
 * worktree path refuses one outside `worktreesDirectory`.
 */
export class GitWorkspace implements Workspace {
  private readonly repositoryRoot: string;
  private readonly worktreesDirectory: string;
  /** Branch names already checked by git, so each is checked once per process. */
  private readonly validBranchNames = new Set<string>();
  private excludeWritten = false;
  /** Reads refs without git for the per-ticket cases; created once the common directory is known. */
  private refResolver: InProcessRefResolver | undefined;
  private knownWorktreesRealPath: string | undefined;

  constructor(options: GitWorkspaceOptions) {
    this.repositoryRoot = resolve(options.repositoryRoot);
    this.worktreesDirectory = resolve(options.worktreesDirectory);
  }

  async checkRepository(): Promise<{ ok: true; root: string } | { ok: false; problem: string }> {
    const root = this.repositoryRoot;
    if (!existsSync(root)) return { ok: false, problem: `${root} does not exist: point --repo at a git checkout` };
    const topLevel = await runGit(['rev-parse', '--show-toplevel'], { cwd: root });
    if (topLevel.exitCode !== 0) {
      return { ok: false, problem: `${root} is not a git repository (git rev-parse failed): run \`git init\` or point --repo at a checkout` };
    }
    const head = await runGit(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], { cwd: root });
    if (head.exitCode !== 0) {
      return { ok: false, problem: `${root} has no commits yet: commit the base branch first, so that ticket branches have a start point` };
    }
    return { ok: true, root: topLevel.stdout.trim() };
  }

  async branchExists(branch: string): Promise<boolean> {
    await this.requireBranchName(branch);
    const result = await runGit(['show-ref', '--verify', '--quiet', `refs/heads/${branch}`], { cwd: this.repositoryRoot });
    return result.exitCode === 0;
  }

  async prepareWorktree(request: { branch: string; startPoint: string; directoryName: string; snapshot?: OutsideSnapshotRequest }): Promise<PreparedWorktree> {
    const { branch, startPoint, directoryName } = request;
    await this.requireBranchName(branch);
    requireRevision(startPoint, 'startPoint');
    if (directoryName === '' || directoryName === '.' || directoryName === '..' || /[/\\\0]/.test(directoryName)) {
      throw new Error(`workspace: directoryName ${JSON.stringify(directoryName)} must be a single directory name (no "/", "\\", "." or "..")`);
    }
    const path = join(this.worktreesDirectory, directoryName);
    this.requireInsideWorktrees(path);
    return serialized(this.repositoryRoot, () => this.openWorktree(branch, startPoint, path, request.snapshot));
  }

  private async openWorktree(branch: string, startPoint: string, path: string, snapshotRequest: OutsideSnapshotRequest | undefined): Promise<PreparedWorktree> {
    const cwd = this.repositoryRoot;
    // The common case — a new ticket — costs one git process; anything unusual takes the careful path below.
    if (!existsSync(path)) {
      await this.excludeWorktreesDirectory();
      const known = (await this.inProcessRefs()).branchCommit(startPoint);
      const start = known !== undefined ? { exitCode: 0, stdout: known } : await runGit(['rev-parse', '--verify', '--quiet', `${startPoint}^{commit}`], { cwd });
      if (start.exitCode === 0) {
        const commit = start.stdout.trim();
        const adding = runGit(['worktree', 'add', '--quiet', '-b', branch, path, commit], { cwd });
        // The repository's side of the snapshot is read while git adds the worktree (a turn later, once git has started).
        const surroundings = snapshotRequest === undefined ? undefined : afterATurn(() => readRepositorySurroundings(this.snapshotContext(), snapshotRequest));
        surroundings?.catch(() => undefined);
        const added = await adding;
        if (added.exitCode === 0) {
          if (surroundings === undefined || snapshotRequest === undefined) return { path, headCommit: commit, created: true };
          const outsideSnapshot = await completeOutsideSnapshot(this.snapshotContext(), resolve(path), snapshotRequest, await surroundings);
          return { path, headCommit: commit, created: true, outsideSnapshot };
        }
        await surroundings?.catch(() => undefined);
      }
    }

    await git(['worktree', 'prune'], { cwd });
    const worktrees = await this.listWorktrees();
    const atPath = worktrees.find((entry) => samePath(entry.path, path));
    const branchRef = `refs/heads/${branch}`;
    if (atPath !== undefined) {
      if (atPath.branch !== branchRef) {
        throw new Error(`workspace: ${path} is already a worktree of ${atPath.branch ?? 'a detached HEAD'}, not of ${branch}: remove it first`);
      }
      return { path, headCommit: await this.headCommit(path), created: false };
    }
    const elsewhere = worktrees.find((entry) => entry.branch === branchRef);
    if (elsewhere !== undefined) {
      throw new Error(`workspace: branch ${branch} is already checked out in ${elsewhere.path}; it cannot also be checked out in ${path}`);
    }
    if (existsSync(path) && (await readdir(path)).length > 0) {
      throw new Error(`workspace: ${path} exists but is not a registered worktree of ${cwd}: remove the directory and run again`);
    }

    await mkdir(this.worktreesDirectory, { recursive: true });
    await this.excludeWorktreesDirectory();
    if (await this.branchExists(branch)) {
      await git(['worktree', 'add', path, branch], { cwd });
    } else {
      await git(['worktree', 'add', '-b', branch, path, `${startPoint}^{commit}`], { cwd });
    }
    return { path, headCommit: await this.headCommit(path), created: true };
  }

  async changedFiles(worktreePath: string, baseRef: string): Promise<ChangedFile[]> {
    this.requireInsideWorktrees(worktreePath);
    const base = await this.mergeBase(worktreePath, baseRef);
    return this.withSnapshotIndex(worktreePath, async (environment) => {
      const options = { cwd: worktreePath, environment };
      const statuses = parseNameStatus(await git(['diff', '--cached', ...PLAIN_DIFF, '--name-status', '-z', base, '--'], options));
      const counts = parseNumstat(await git(['diff', '--cached', ...PLAIN_DIFF, '--numstat', '-z', base, '--'], options));
      return [...statuses].map(([path, status]) => ({
        path,
        status,
        linesAdded: counts.get(path)?.linesAdded ?? 0,
        linesDeleted: counts.get(path)?.linesDeleted ?? 0,
      }));
    });
  }

  async setAsideUncommittedChanges(worktreePath: string, message: string): Promise<string | undefined> {
    this.requireInsideWorktrees(worktreePath);
    if (message.trim() === '' || /[\n\r\0]/.test(message)) throw new Error('workspace: the stash message must be one non-empty line');
    if ((await this.uncommittedChanges(worktreePath)).length === 0) return undefined;
    await git(['-c', 'user.name=Nightshift', '-c', 'user.email=nightshift@localhost', 'stash', 'push', '--include-untracked', '--quiet', '--message', message], { cwd: worktreePath });
    return (await git(['rev-parse', '--verify', 'refs/stash'], { cwd: worktreePath })).trim();
  }

  async commitAll(worktreePath: string, message: string, author: CommitAuthor): Promise<string | undefined> {
    this.requireInsideWorktrees(worktreePath);
    if (message.trim() === '') throw new Error('workspace: the commit message is empty');
    for (const [field, value] of Object.entries(author)) {
      if (value.trim() === '' || /[<>\n\r\0]/.test(value)) {
        throw new Error(`workspace: commit author ${field} ${JSON.stringify(value)} must be non-empty, on one line, without "<" or ">"`);
      }
    }
    await git(['add', '--all'], { cwd: worktreePath });
    const identity = {
      GIT_AUTHOR_NAME: author.name,
      GIT_AUTHOR_EMAIL: author.email,
      GIT_COMMITTER_NAME: author.name,
      GIT_COMMITTER_EMAIL: author.email,
    };
    const committed = await runGit(
      [
        '-c', `user.name=${author.name}`,
        '-c', `user.email=${author.email}`,
        '-c', 'commit.gpgsign=false',
        // --quiet: no summary, whose diffstat costs a diff per commit; "nothing to commit" is still said.
        'commit', '--quiet', '--no-verify', '--cleanup=whitespace', '--file=-',
      ],
      { cwd: worktreePath, input: message, environment: identity },
    );
    if (committed.exitCode !== 0) {
      if (/nothing to commit|no changes added to commit/.test(committed.stdout + committed.stderr)) return undefined;
      throw new Error(`workspace: git commit failed in ${worktreePath}: ${(committed.stderr || committed.stdout).trim()}`);
    }
    return this.headCommit(worktreePath);
  }

  async uncommittedChanges(worktreePath: string): Promise<string[]> {
    this.requireInsideWorktrees(worktreePath);
    const status = await git(['status', '--porcelain=v1', '-z', '--untracked-files=all', '--no-renames'], { cwd: worktreePath });
    return status
      .split('\0')
      .filter((entry) => entry.length > 3)
      .map((entry) => entry.slice(3));
  }

  async diff(worktreePath: string, baseRef: string): Promise<string> {
    this.requireInsideWorktrees(worktreePath);
    const base = await this.mergeBase(worktreePath, baseRef);
    return this.withSnapshotIndex(worktreePath, (environment) =>
      git(['diff', '--cached', ...PLAIN_DIFF, base, '--'], { cwd: worktreePath, environment }),
    );
  }

  async headCommit(worktreePath: string): Promise<string> {
    this.requireInsideWorktrees(worktreePath);
    return (await this.inProcessRefs()).worktreeHeadCommit(worktreePath) ?? (await git(['rev-parse', '--verify', 'HEAD^{commit}'], { cwd: worktreePath })).trim();
  }

  private async inProcessRefs(): Promise<InProcessRefResolver> {
    if (this.refResolver === undefined) {
      const commonDirectory = resolve(this.repositoryRoot, (await git(['rev-parse', '--git-common-dir'], { cwd: this.repositoryRoot })).trim());
      this.refResolver = new InProcessRefResolver(commonDirectory);
    }
    return this.refResolver;
  }

  async removeWorktree(worktreePath: string): Promise<void> {
    const path = resolve(worktreePath);
    this.requireInsideWorktrees(path);
    await serialized(this.repositoryRoot, () => this.deleteWorktree(path));
  }

  async mergeBranch(request: MergeBranchRequest): Promise<MergeBranchResult> {
    await this.requireBranchName(request.sourceBranch);
    await this.requireBranchName(request.targetBranch);
    if (request.message.trim() === '') throw new Error('workspace: the merge message is empty');
    const context = { repositoryRoot: this.repositoryRoot, worktreesDirectory: this.worktreesDirectory, listWorktrees: () => this.listWorktrees() };
    return serialized(this.repositoryRoot, () => mergeCommitIntoBranch(context, request));
  }

  async readFile(worktreePath: string, relativePath: string, options: { maximumBytes?: number } = {}): Promise<WorktreeFileRead> {
    this.requireInsideWorktrees(worktreePath);
    return readWorktreeFile(worktreePath, relativePath, options.maximumBytes);
  }

  async removeFile(worktreePath: string, relativePath: string): Promise<WorktreeFileRemoval> {
    this.requireInsideWorktrees(worktreePath);
    return removeWorktreeFile(worktreePath, relativePath);
  }

  /** Serialized with the worktree bookkeeping: parallel gates would race on the notes ref. */
  async addNote(request: { commit: string; ref: string; text: string; author: CommitAuthor }): Promise<void> {
    await serialized(this.repositoryRoot, () => addGitNote(this.repositoryRoot, request));
  }

  /** Serialized with the worktree bookkeeping, so that no worktree is half added or removed while it looks. */
  async snapshotOutside(worktreePath: string, request: OutsideSnapshotRequest): Promise<OutsideSnapshot> {
    this.requireInsideWorktrees(worktreePath);
    return serialized(this.repositoryRoot, () => takeOutsideSnapshot(this.snapshotContext(), resolve(worktreePath), request));
  }

  private snapshotContext(): OutsideSnapshotContext {
    return { repositoryRoot: this.repositoryRoot, worktreesDirectory: this.worktreesDirectory, listWorktrees: () => this.listWorktrees() };
  }

  private async deleteWorktree(path: string): Promise<void> {
    const cwd = this.repositoryRoot;
    if ((await runGit(['worktree', 'remove', '--force', '--force', path], { cwd })).exitCode === 0) return;
    const registered = (await this.listWorktrees()).some((entry) => samePath(entry.path, path));
    if (registered) await git(['worktree', 'remove', '--force', '--force', path], { cwd });
    else await rm(path, { recursive: true, force: true });
    await git(['worktree', 'prune'], { cwd });
  }

  private async listWorktrees(): Promise<WorktreeEntry[]> {
    return parseWorktreeList(await git(['worktree', 'list', '--porcelain', '-z'], { cwd: this.repositoryRoot }));
  }

  /** The commit the branch started from, so a base branch that moved on does not show up as reverse changes. */
  private async mergeBase(worktreePath: string, baseRef: string): Promise<string> {
    requireRevision(baseRef, 'baseRef');
    const resolved = await runGit(['rev-parse', '--verify', '--quiet', `${baseRef}^{commit}`], { cwd: worktreePath });
    if (resolved.exitCode !== 0) throw new Error(`workspace: baseRef ${JSON.stringify(baseRef)} is not a commit in ${worktreePath}`);
    const base = await runGit(['merge-base', 'HEAD', resolved.stdout.trim()], { cwd: worktreePath });
    return base.exitCode === 0 ? base.stdout.trim() : resolved.stdout.trim();
  }

  /**
   * Runs `action` with a throw-away copy of the worktree's index holding every change,
   * untracked files included, so diffs see the whole working tree without touching
   * the real index the agent may be using.
   */
  private async withSnapshotIndex<T>(worktreePath: string, action: (environment: Record<string, string>) => Promise<T>): Promise<T> {
    const directory = await mkdtemp(join(tmpdir(), 'nightshift-index-'));
    try {
      const indexPath = join(directory, 'index');
      const realIndex = resolve(worktreePath, (await git(['rev-parse', '--git-path', 'index'], { cwd: worktreePath })).trim());
      const environment = { GIT_INDEX_FILE: indexPath };
      if (existsSync(realIndex)) await copyFile(realIndex, indexPath);
      else await git(['read-tree', 'HEAD'], { cwd: worktreePath, environment });
      await git(['add', '--all'], { cwd: worktreePath, environment });
      return await action(environment);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  }

  /** Keeps the nested worktrees out of the main checkout's `git status` (local exclude, never committed). */
  private async excludeWorktreesDirectory(): Promise<void> {
    if (this.excludeWritten) return;
    this.excludeWritten = true;
    const inside = relative(realPath(this.repositoryRoot), realPath(this.worktreesDirectory));
    if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) return;
    const pattern = `/${inside.split(sep).join('/')}/`;
    const excludeFile = resolve(this.repositoryRoot, (await git(['rev-parse', '--git-path', 'info/exclude'], { cwd: this.repositoryRoot })).trim());
    const current = existsSync(excludeFile) ? await readFile(excludeFile, 'utf8') : '';
    if (current.split('\n').includes(pattern)) return;
    await mkdir(dirname(excludeFile), { recursive: true });
    await appendFile(excludeFile, `${current === '' || current.endsWith('\n') ? '' : '\n'}${pattern}\n`);
  }

  private requireInsideWorktrees(path: string): void {
    const inside = relative(this.worktreesRealPath(), realPath(resolve(path)));
    if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
      throw new Error(`workspace: ${path} is outside the worktrees directory ${this.worktreesDirectory}; Nightshift only works in its own worktrees`);
    }
  }

  /**
   * The worktrees directory's real path, resolved once it exists. Kept: if the directory
   * were later swapped for a link elsewhere, paths through it would resolve elsewhere
   * too and fail the check, which is the safe way round.
   */
  private worktreesRealPath(): string {
    if (this.knownWorktreesRealPath !== undefined) return this.knownWorktreesRealPath;
    const found = realPath(this.worktreesDirectory);
    if (existsSync(this.worktreesDirectory)) this.knownWorktreesRealPath = found;
    return found;
  }

  private async requireBranchName(branch: string): Promise<void> {
    if (this.validBranchNames.has(branch)) return;
    const valid = isPlainBranchName(branch) || (!branch.startsWith('-') && (await runGit(['check-ref-format', '--branch', branch], { cwd: this.repositoryRoot })).exitCode === 0);
    if (!valid) throw new Error(`workspace: ${JSON.stringify(branch)} is not a valid branch name`);
    this.validBranchNames.add(branch);
  }
}

/** Runs `action` on the next turn of the event loop, so that a git command just issued has been handed to git first. */
function afterATurn<T>(action: () => Promise<T>): Promise<T> {
  return new Promise<void>((resolveTurn) => setImmediate(resolveTurn)).then(action);
}

function requireRevision(revision: string, field: string): void {
  if (revision === '' || revision.startsWith('-') || /[\s\0]/.test(revision)) {
    throw new Error(`workspace: ${field} ${JSON.stringify(revision)} is not a usable git revision`);
  }
}

/** The real path of `path`, or of its closest existing ancestor with the rest appended, so symlinks cannot hide an escape. */
function realPath(path: string): string {
  const absolute = resolve(path);
  if (existsSync(absolute)) return realpathSync.native(absolute);
  const parent = dirname(absolute);
  return parent === absolute ? absolute : join(realPath(parent), basename(absolute));
}

function samePath(left: string, right: string): boolean {
  return realPath(left) === realPath(right);
}
