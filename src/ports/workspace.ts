import type { OutsideSnapshot } from '../domain/confinement-breach.js';

/**
 * The git side of generation: one worktree and branch per ticket, commits with our
 * own author, and the diff the gates look at.
 */
export interface Workspace {
  /** Fails with a clear message when the directory is not a git repository. */
  checkRepository(): Promise<{ ok: true; root: string } | { ok: false; problem: string }>;
  branchExists(branch: string): Promise<boolean>;
  /**
   * Creates (or reopens, after a crash) the branch's worktree, starting from `startPoint`.
   * With `snapshot`, a new worktree comes with its {@link snapshotOutside} snapshot, as it
   * would be taken right after (a workspace may read the repository's side of it while it
   * creates the worktree); a reopened one comes without.
   */
  prepareWorktree(request: { branch: string; startPoint: string; directoryName: string; snapshot?: OutsideSnapshotRequest }): Promise<PreparedWorktree>;
  /** Files changed in the worktree, committed or not, relative to `baseRef`. */
  changedFiles(worktreePath: string, baseRef: string): Promise<ChangedFile[]>;
  /** Paths changed in the worktree and not committed (untracked included): one cheap look, for read-only checks. */
  uncommittedChanges(worktreePath: string): Promise<string[]>;
  /**
   * Moves uncommitted changes (untracked files included) out of the worktree into a git stash
   * with this message, so a ticket that starts again begins clean without losing what an earlier,
   * failed run left; returns the stash commit, or undefined when the worktree was clean.
   */
  setAsideUncommittedChanges(worktreePath: string, message: string): Promise<string | undefined>;
  /** Stages everything and commits; returns undefined when there was nothing to commit. */
  commitAll(worktreePath: string, message: string, author: CommitAuthor): Promise<string | undefined>;
  /** The unified diff of the branch against `baseRef`. */
  diff(worktreePath: string, baseRef: string): Promise<string>;
  headCommit(worktreePath: string): Promise<string>;
  removeWorktree(worktreePath: string): Promise<void>;
  /**
   * Fingerprints of what surrounds a worktree and no agent may change (the repository's
   * git internals and refs, its main checkout, strays in the worktrees directory, the
   * `watchedPaths`), and the symbolic links inside the worktree. Taken before and after
   * every stage; the pipeline compares the two with `findConfinementBreaches`.
   */
  snapshotOutside(worktreePath: string, request: OutsideSnapshotRequest): Promise<OutsideSnapshot>;
  /**
   * A file in a worktree (e.g. the report a check wrote), read as UTF-8. The path is
   * relative to the worktree; one that leads outside it — `..`, an absolute path, or a
   * symbolic link pointing out — is refused, since the worktree holds code an agent wrote.
   */
  readFile(worktreePath: string, relativePath: string, options?: { maximumBytes?: number }): Promise<WorktreeFileRead>;
  /** Deletes a file in a worktree (a stale check report) under the same path rules. */
  removeFile(worktreePath: string, relativePath: string): Promise<WorktreeFileRemoval>;
  /**
   * Attaches `text` to `commit` as a git note under `ref` (e.g. `refs/notes/nightshift`),
   * replacing the note already there, so facts learned after a commit (its quality
   * score) travel with it without rewriting it.
   */
  addNote(request: { commit: string; ref: string; text: string; author: CommitAuthor }): Promise<void>;
  /**
   * Merges `commit` — which must still be the head of `sourceBranch` — into
   * `targetBranch` with a merge commit (`git merge --no-ff`), authored by `author`.
   * Where the target is checked out (the main checkout, usually) the merge happens
   * there; otherwise in a throw-away worktree. Refusals (the source moved, a conflict,
   * local changes in the way) are values, and leave both branches as they were.
   */
  mergeBranch(request: MergeBranchRequest): Promise<MergeBranchResult>;
}

export interface MergeBranchRequest {
  sourceBranch: string;
  /** The commit the gates checked: the merge is refused when the branch moved on from it. */
  commit: string;
  targetBranch: string;
  message: string;
  author: CommitAuthor;
}

export type MergeBranchResult =
  | {
      ok: true;
      /** The merge commit on the target branch. */
      mergeCommit: string;
      /**
       * True when `commit` was already in the target branch (a merge retried after a
       * crash): nothing was done, and `mergeCommit` is the merge that brought it in,
       * or `commit` itself when it got there without one.
       */
      alreadyMerged: boolean;
    }
  | { ok: false; reason: MergeRefusalReason; message: string };

export type MergeRefusalReason = 'unknown-branch' | 'source-moved' | 'conflict' | 'local-changes';

/** What {@link Workspace.readFile} found; a refusal is a value because the worktree's content is untrusted. */
export type WorktreeFileRead =
  | { status: 'read'; text: string }
  | { status: 'missing' }
  | { status: 'refused'; reason: string };

/** What {@link Workspace.removeFile} did. */
export type WorktreeFileRemoval = { status: 'removed' } | { status: 'missing' } | { status: 'refused'; reason: string };

/** What {@link Workspace.snapshotOutside} watches besides the repository itself. */
export interface OutsideSnapshotRequest {
  /** The ticket's branch, e.g. `agent/PROJ-1`: its commit is reported apart, since C2 may move it. */
  branch: string;
  /** Branches under this prefix belong to the other tickets, which Nightshift commits to meanwhile: not watched. */
  concurrentBranchPrefix: string;
  /** Absolute files and directories outside the repository that no agent may change (the orchestrator's dotfiles). */
  watchedPaths: readonly string[];
  /** Directories of the main checkout (relative to the repository) that Nightshift itself writes meanwhile: the files tracker's. */
  unwatchedCheckoutPaths: readonly string[];
  /** Refs Nightshift itself writes meanwhile for other tickets (score notes, set-aside stashes): not watched. */
  unwatchedRefs?: readonly string[];
  /**
   * Which symbolic links of the worktree to list: `all` (tracked and untracked, what a commit
   * would take; the default) or `tracked` (from the index alone, no git process) — enough
   * where the worktree must not change at all, since any new link is then a change anyway.
   */
  symlinks?: 'all' | 'tracked';
  /** Also fingerprint the worktree's own files, so a read-only stage can tell it left them alone without asking git. */
  fingerprintWorktree?: boolean;
}

/** A worktree ready for a ticket; `created` is false when it was already there (an earlier run's, maybe with its files). */
export interface PreparedWorktree {
  path: string;
  headCommit: string;
  created: boolean;
  /** The snapshot asked for with `snapshot`, when the worktree was new. */
  outsideSnapshot?: OutsideSnapshot;
}

export interface CommitAuthor {
  name: string;
  email: string;
}

export interface ChangedFile {
  path: string;
  status: 'added' | 'modified' | 'deleted' | 'renamed';
  linesAdded: number;
  linesDeleted: number;
}
