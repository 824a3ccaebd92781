import type { ChangedFile } from '../../../ports/workspace.js';

/** One entry of `git worktree list --porcelain -z`. */
export interface WorktreeEntry {
  path: string;
  head?: string;
  /** The full ref, e.g. `refs/heads/agent/PROJ-142`; absent when detached. */
  branch?: string;
  bare: boolean;
  prunable: boolean;
}

/** Parses `git worktree list --porcelain -z`: NUL-terminated lines, records separated by an empty one. */
export function parseWorktreeList(output: string): WorktreeEntry[] {
  const entries: WorktreeEntry[] = [];
  let current: WorktreeEntry | undefined;
  for (const line of output.split('\0')) {
    if (line === '') {
      if (current !== undefined) entries.push(current);
      current = undefined;
      continue;
    }
    const space = line.indexOf(' ');
    const key = space === -1 ? line : line.slice(0, space);
    const value = space === -1 ? '' : line.slice(space + 1);
    if (key === 'worktree') {
      if (current !== undefined) entries.push(current);
      current = { path: value, bare: false, prunable: false };
    } else if (current !== undefined) {
      if (key === 'HEAD') current.head = value;
      else if (key === 'branch') current.branch = value;
      else if (key === 'bare') current.bare = true;
      else if (key === 'prunable') current.prunable = true;
    }
  }
  if (current !== undefined) entries.push(current);
  return entries;
}

const STATUS_BY_LETTER: Record<string, ChangedFile['status']> = {
  A: 'added',
  C: 'added',
  M: 'modified',
  T: 'modified',
  D: 'deleted',
  R: 'renamed',
};

/** Parses `git diff --name-status -z`: a status token, then one path (two for renames and copies). */
export function parseNameStatus(output: string): Map<string, ChangedFile['status']> {
  const statuses = new Map<string, ChangedFile['status']>();
  const tokens = output.split('\0');
  let index = 0;
  while (index < tokens.length) {
    const token = tokens[index] ?? '';
    index += 1;
    if (token === '') continue;
    const letter = token.charAt(0);
    const paired = letter === 'R' || letter === 'C';
    const path = paired ? tokens[index + 1] : tokens[index];
    index += paired ? 2 : 1;
    if (path !== undefined) statuses.set(path, STATUS_BY_LETTER[letter] ?? 'modified');
  }
  return statuses;
}

/**
 * Parses `git diff --numstat -z`. Binary files report `-` for both counts and become 0/0;
 * a rename is `added\tdeleted\t` followed by the old and new paths as separate tokens.
 */
export function parseNumstat(output: string): Map<string, { linesAdded: number; linesDeleted: number }> {
  const counts = new Map<string, { linesAdded: number; linesDeleted: number }>();
  const tokens = output.split('\0');
  let index = 0;
  while (index < tokens.length) {
    const token = tokens[index] ?? '';
    index += 1;
    if (token === '') continue;
    const [added = '-', deleted = '-', ...rest] = token.split('\t');
    let path = rest.join('\t');
    if (path === '') {
      path = tokens[index + 1] ?? '';
      index += 2;
    }
    counts.set(path, { linesAdded: toCount(added), linesDeleted: toCount(deleted) });
  }
  return counts;
}

function toCount(text: string): number {
  const value = Number.parseInt(text, 10);
  return Number.isNaN(value) ? 0 : value;
}
