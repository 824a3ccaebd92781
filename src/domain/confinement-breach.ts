import { isInsideDirectory } from './path-containment.js';

/**
 * What lay around a ticket's worktree at one moment, as fingerprints: taken before and
 * after every stage, so that whatever an agent changed outside its worktree shows up as a
 * difference, whichever tool (or shell command) it used. The workspace adapter decides
 * what it watches; this module only compares.
 */
export interface OutsideSnapshot {
  /** The worktree's real path (symbolic links resolved). */
  worktreeRealPath: string;
  /**
   * One opaque fingerprint per watched thing outside the worktree, keyed by a location a
   * person can read: an absolute path (`/repo/.git/hooks/pre-commit`, `/repo/src/app.js`,
   * `/home/me/.bashrc`) or a ref (`ref refs/heads/main`). Absent key: the thing did not exist.
   */
  fingerprints: Record<string, string>;
  /** The commit of the ticket's own branch: it may move at C2 (the agent committed), never at C0/C1. */
  ownBranchCommit?: string;
  /** Symbolic links inside the worktree: path relative to it → the real path the link leads to. */
  symlinks: Record<string, string>;
  /**
   * One fingerprint of every file in the worktree, when asked for and cheap to take (a small
   * worktree): equal before and after a stage means the stage changed nothing in it.
   */
  worktreeFingerprint?: string;
}

/** Whether two snapshots prove the worktree itself unchanged; false when either could not tell. */
export function worktreeUnchanged(before: OutsideSnapshot, after: OutsideSnapshot): boolean {
  return before.worktreeFingerprint !== undefined && before.worktreeFingerprint === after.worktreeFingerprint;
}

export type ConfinementBreach =
  | { kind: 'changed-outside'; location: string; change: 'added' | 'removed' | 'modified' }
  | { kind: 'own-branch-moved'; from?: string; to?: string }
  | { kind: 'symlink-outside'; path: string; target: string };

/**
 * Everything a stage changed that it must not have: any difference in the fingerprints,
 * the ticket's own branch moving at a read-only stage, and every symbolic link added (or
 * re-pointed) inside the worktree whose target lies outside it — even before anything is
 * written through it, since the next tool (or reviewer) to follow it leaves the worktree.
 */
export function findConfinementBreaches(before: OutsideSnapshot, after: OutsideSnapshot, access: 'read-only' | 'edit-worktree'): ConfinementBreach[] {
  const breaches: ConfinementBreach[] = [];
  const changed: string[] = [];
  for (const location of Object.keys(before.fingerprints)) {
    if (before.fingerprints[location] !== after.fingerprints[location]) changed.push(location);
  }
  for (const location of Object.keys(after.fingerprints)) {
    if (!Object.hasOwn(before.fingerprints, location)) changed.push(location);
  }
  for (const location of changed.sort()) {
    const was = before.fingerprints[location];
    const is = after.fingerprints[location];
    breaches.push({ kind: 'changed-outside', location, change: was === undefined ? 'added' : is === undefined ? 'removed' : 'modified' });
  }
  if (access === 'read-only' && before.ownBranchCommit !== after.ownBranchCommit) {
    breaches.push({
      kind: 'own-branch-moved',
      ...(before.ownBranchCommit === undefined ? {} : { from: before.ownBranchCommit }),
      ...(after.ownBranchCommit === undefined ? {} : { to: after.ownBranchCommit }),
    });
  }
  for (const [path, target] of Object.entries(after.symlinks).sort(([left], [right]) => left.localeCompare(right))) {
    if (before.symlinks[path] === target) continue;
    if (!isInsideDirectory(target, after.worktreeRealPath)) breaches.push({ kind: 'symlink-outside', path, target });
  }
  return breaches;
}

/** How many breaches a reason names before it says "and N more" (the log has them all). */
export const BREACHES_NAMED_IN_REASON = 8;

/**
 * The ticket's failure reason, starting with `security:` so that every view of the run
 * (review box, queue, logs) treats it as a security finding.
 */
export function describeConfinementBreaches(stage: string, breaches: readonly ConfinementBreach[]): string {
  const named = breaches.slice(0, BREACHES_NAMED_IN_REASON).map(describeBreach);
  const more = breaches.length - named.length;
  return `security: during ${stage} the agent reached outside its worktree: ${named.join('; ')}${more > 0 ? `; and ${more} more (see the ticket's log)` : ''}`;
}

function describeBreach(breach: ConfinementBreach): string {
  switch (breach.kind) {
    case 'changed-outside':
      return `${breach.change} ${breach.location}`;
    case 'own-branch-moved':
      return `moved its own branch at a read-only stage (${shortCommit(breach.from)} → ${shortCommit(breach.to)})`;
    case 'symlink-outside':
      return `symbolic link ${breach.path} points outside the worktree, to ${breach.target}`;
  }
}

function shortCommit(commit: string | undefined): string {
  return commit === undefined ? 'none' : commit.slice(0, 12);
}
