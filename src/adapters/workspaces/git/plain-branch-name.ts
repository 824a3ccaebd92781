/**
 * A branch name `git check-ref-format --branch` certainly accepts — letters, digits, `.`, `_`,
 * `-` and single `/` between components that neither start with `.` nor end with `.lock` — so the
 * usual `agent/PROJ-142` needs no git process; anything else is left for git to judge.
 */
export function isPlainBranchName(branch: string): boolean {
  if (!/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(branch) || branch === 'HEAD') return false;
  return branch.split('/').every((component) => component !== '' && !component.startsWith('.') && !component.endsWith('.lock') && !component.endsWith('.')) && !branch.includes('..');
}
