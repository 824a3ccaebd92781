import { describeConfinementBreaches, findConfinementBreaches, worktreeUnchanged, type OutsideSnapshot } from '../domain/confinement-breach.js';
import { SCORE_NOTES_REF } from '../domain/score-explanation.js';
import { stageMayEdit, type Stage } from '../domain/stage.js';
import type { Clock } from '../ports/clock.js';
import type { OutsideSnapshotRequest, Workspace } from '../ports/workspace.js';
import type { TicketLog } from './ticket-log.js';

/** What the confinement check watches beyond the repository; from the configuration and the orchestrator's environment. */
export interface ConfinementSettings {
  /** Absolute files and directories no agent may change: the orchestrator's dotfiles (`~/.ssh`, `~/.bashrc` …). */
  watchedPaths: string[];
  /** Directories of the main checkout (relative to the repository) that Nightshift itself writes during the night. */
  unwatchedCheckoutPaths: string[];
}

/**
 * The outcome of a stage, or the security reason that replaces it; `worktreeUnchanged` says
 * the snapshots prove the stage left the worktree's own files alone (false: they could not tell).
 */
export type ConfinedStage<T> = { outcome: T; worktreeUnchanged: boolean; breach?: undefined } | { outcome: T; worktreeUnchanged: boolean; breach: string };

/**
 * The check after every stage that the agent stayed in its worktree. The agents' own
 * sandboxes and permission modes are the first layer; this one does not depend on them:
 * it compares snapshots of everything around the worktree (git internals and refs, the
 * main checkout, the worktrees directory, the orchestrator's dotfiles) taken before and
 * after the stage, plus the symbolic links the stage left in the worktree. Any
 * difference replaces the stage's outcome with a `security:` reason, whatever the stage
 * answered — a rate limit or a crash included.
 *
 * The snapshot after one stage is the snapshot before the next: between two stages of a
 * ticket only Nightshift acts, and what it writes (store, logs, tracker, refs of other
 * tickets) is not watched. Only after a stage that may edit are the worktree's untracked
 * symbolic links listed (a git process); elsewhere any new link is a change in the worktree.
 */
export class ConfinementCheck {
  private readonly request: OutsideSnapshotRequest;
  private lastSnapshot: OutsideSnapshot | undefined;

  constructor(
    private readonly target: {
      workspace: Workspace;
      worktreePath: string;
      branch: string;
      branchPrefix: string;
      settings?: ConfinementSettings;
      log: TicketLog;
      clock: Clock;
      /** The snapshot the workspace took as it made the worktree (see {@link firstSnapshotRequest}): the one before the first stage. */
      initialSnapshot?: OutsideSnapshot;
    },
  ) {
    this.request = snapshotRequest(target.branch, target.branchPrefix, target.settings);
    this.lastSnapshot = target.initialSnapshot;
  }

  /** What to ask `prepareWorktree` for, so that the worktree comes with the snapshot before its first stage. */
  static firstSnapshotRequest(branch: string, branchPrefix: string, settings: ConfinementSettings | undefined): OutsideSnapshotRequest {
    return { ...snapshotRequest(branch, branchPrefix, settings), symlinks: 'tracked' };
  }

  /** Runs one stage between two snapshots. */
  async around<T>(stage: Stage, runStage: () => Promise<T>): Promise<ConfinedStage<T>> {
    const { workspace, worktreePath, log, clock } = this.target;
    const mayEdit = stageMayEdit(stage);
    const before = this.lastSnapshot ?? (await workspace.snapshotOutside(worktreePath, { ...this.request, symlinks: 'tracked' }));
    this.lastSnapshot = undefined;
    const outcome = await runStage();
    // After a stage that may edit, the worktree's own files are expected to change: only read-only stages fingerprint them.
    const after = await workspace.snapshotOutside(worktreePath, { ...this.request, symlinks: mayEdit ? 'all' : 'tracked', fingerprintWorktree: !mayEdit });
    if (!mayEdit) this.lastSnapshot = after;
    const unchanged = worktreeUnchanged(before, after);
    const breaches = findConfinementBreaches(before, after, mayEdit ? 'edit-worktree' : 'read-only');
    if (breaches.length === 0) return { outcome, worktreeUnchanged: unchanged };
    this.lastSnapshot = undefined;
    log.write({ type: 'confinement-breach', stage, breaches, at: clock.now().toISOString() });
    return { outcome, worktreeUnchanged: unchanged, breach: describeConfinementBreaches(stage, breaches) };
  }
}

function snapshotRequest(branch: string, branchPrefix: string, settings: ConfinementSettings | undefined): OutsideSnapshotRequest {
  return {
    branch,
    concurrentBranchPrefix: branchPrefix,
    watchedPaths: settings?.watchedPaths ?? [],
    unwatchedCheckoutPaths: settings?.unwatchedCheckoutPaths ?? [],
    // Other tickets' gates attach score notes, and their fresh starts stash what an earlier run left, while this stage runs.
    unwatchedRefs: [SCORE_NOTES_REF, 'refs/stash'],
    fingerprintWorktree: true,
  };
}
