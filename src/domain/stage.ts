/**
 * The seed's checkpoints: C0 understands scope, C1 plans and names risks,
 * C2 implements and tests. C0 and C1 only read; C2 may edit inside the worktree.
 */
export const STAGES = ['C0', 'C1', 'C2'] as const;
export type Stage = (typeof STAGES)[number];

export const STAGE_PURPOSE: Record<Stage, string> = {
  C0: 'understand scope, identify files',
  C1: 'plan approach, identify risks',
  C2: 'implement and test',
};

/** Whether the agent may change files at this stage. */
export function stageMayEdit(stage: Stage): boolean {
  return stage === 'C2';
}
