/**
 * The git side of generation: one worktree and branch per ticket, commits with our
 * own author, and the diff the gates look at.
 */
export interface Workspace {
  /** Fails with a clear message when the directory is not a git repository. */
  checkRepository(): Promise<{ ok: true; root: string } | { ok: false; problem: string }>;
  branchExists(branch: string): Promise<boolean>;
  /** Creates (or reopens, after a crash) the branch's worktree, starting from `startPoint`. */
  prepareWorktree(request: { branch: string; startPoint: string; directoryName: string }): Promise<{ path: string; headCommit: string }>;
  /** Files changed in the worktree, committed or not, relative to `baseRef`. */
  changedFiles(worktreePath: string, baseRef: string): Promise<ChangedFile[]>;
  /** Paths changed in the worktree and not committed (untracked included): one cheap look, for read-only checks. */
  uncommittedChanges(worktreePath: string): Promise<string[]>;
  /** Stages everything and commits; returns undefined when there was nothing to commit. */
  commitAll(worktreePath: string, message: string, author: CommitAuthor): Promise<string | undefined>;
  /** The unified diff of the branch against `baseRef`. */
  diff(worktreePath: string, baseRef: string): Promise<string>;
  headCommit(worktreePath: string): Promise<string>;
  removeWorktree(worktreePath: string): Promise<void>;
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
