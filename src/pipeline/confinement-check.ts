import { describeConfinementBreaches, findConfinementBreaches } from '../domain/confinement-breach.js';
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

/** The outcome of a stage, or the security reason that replaces it. */
export type ConfinedStage<T> = { outcome: T; breach?: undefined } | { outcome: T; breach: string };

/**
 * The check after every stage that the agent stayed in its worktree. The agents' own
 * sandboxes and permission modes are the first layer; this one does not depend on them:
 * it compares snapshots of everything around the worktree (git internals and refs, the
 * main checkout, the worktrees directory, the orchestrator's dotfiles) taken before and
 * after the stage, plus the symbolic links the stage left in the worktree. Any
 * difference replaces the stage's outcome with a `security:` reason, whatever the stage
 * answered — a rate limit or a crash included.
 */
export class ConfinementCheck {
  private readonly request: OutsideSnapshotRequest;

  constructor(
    private readonly target: { workspace: Workspace; worktreePath: string; branch: string; branchPrefix: string; settings?: ConfinementSettings; log: TicketLog; clock: Clock },
  ) {
    this.request = {
      branch: target.branch,
      concurrentBranchPrefix: target.branchPrefix,
      watchedPaths: target.settings?.watchedPaths ?? [],
      unwatchedCheckoutPaths: target.settings?.unwatchedCheckoutPaths ?? [],
      // Other tickets' gates attach score notes, and their fresh starts stash what an earlier run left, while this stage runs.
      unwatchedRefs: [SCORE_NOTES_REF, 'refs/stash'],
    };
  }

  /** Runs one stage between two snapshots. */
  async around<T>(stage: Stage, runStage: () => Promise<T>): Promise<ConfinedStage<T>> {
    const { workspace, worktreePath, log, clock } = this.target;
    const before = await workspace.snapshotOutside(worktreePath, this.request);
    const outcome = await runStage();
    const after = await workspace.snapshotOutside(worktreePath, this.request);
    const breaches = findConfinementBreaches(before, after, stageMayEdit(stage) ? 'edit-worktree' : 'read-only');
    if (breaches.length === 0) return { outcome };
    log.write({ type: 'confinement-breach', stage, breaches, at: clock.now().toISOString() });
    return { outcome, breach: describeConfinementBreaches(stage, breaches) };
  }
}
