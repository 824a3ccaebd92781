/**
 * Reads a file of an MR as it was before the change and as the change leaves it, so
 * the gates can compare dependency manifests entry by entry. Paths are relative to the
 * worktree; an absent file (added, deleted, or not a regular file) reads as undefined.
 */
export interface ChangedFileReader {
  /** The file at the merge base of the worktree's HEAD and `baseRef`: what the MR starts from. */
  readBefore(request: { worktreePath: string; baseRef: string; path: string }): Promise<string | undefined>;
  /** The file in the worktree now, committed or not: what the MR's diff shows. */
  readAfter(request: { worktreePath: string; path: string }): Promise<string | undefined>;
}
