import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { MergeBranchRequest, MergeBranchResult } from '../../../ports/workspace.js';
import { git, runGit } from './git-command.js';
import type { WorktreeEntry } from './git-output-parsing.js';

/** What the merge needs from the workspace that calls it. */
export interface MergeContext {
  repositoryRoot: string;
  worktreesDirectory: string;
  listWorktrees(): Promise<WorktreeEntry[]>;
}

/**
 * `git merge --no-ff` of an exact commit into a branch, for `GitWorkspace.mergeBranch`.
 * The caller has checked both branch names and serializes worktree bookkeeping.
 */
export async function mergeCommitIntoBranch(context: MergeContext, request: MergeBranchRequest): Promise<MergeBranchResult> {
  const cwd = context.repositoryRoot;
  const { sourceBranch, targetBranch } = request;
  if (!/^[0-9a-f]{7,64}$/.test(request.commit)) throw new Error(`workspace: commit ${JSON.stringify(request.commit)} must be a hexadecimal commit id`);
  const sourceHead = await resolveCommit(cwd, `refs/heads/${sourceBranch}`);
  if (sourceHead === undefined) return { ok: false, reason: 'unknown-branch', message: `branch ${sourceBranch} does not exist in ${cwd}` };
  const commit = await resolveCommit(cwd, request.commit);
  if (commit === undefined || sourceHead !== commit) {
    return {
      ok: false,
      reason: 'source-moved',
      message: `branch ${sourceBranch} is at ${sourceHead.slice(0, 12)}, not at ${request.commit.slice(0, 12)}, the commit the gates checked: it moved since the gates`,
    };
  }
  const targetHead = await resolveCommit(cwd, `refs/heads/${targetBranch}`);
  if (targetHead === undefined) return { ok: false, reason: 'unknown-branch', message: `branch ${targetBranch} does not exist in ${cwd}` };

  if ((await runGit(['merge-base', '--is-ancestor', commit, targetHead], { cwd })).exitCode === 0) {
    return { ok: true, mergeCommit: await mergeThatBroughtIn(cwd, commit, targetHead), alreadyMerged: true };
  }

  const checkedOut = (await context.listWorktrees()).find((entry) => entry.branch === `refs/heads/${targetBranch}` && !entry.bare && !entry.prunable);
  if (checkedOut !== undefined) return mergeInWorktree(checkedOut.path, commit, request);

  await mkdir(context.worktreesDirectory, { recursive: true });
  const path = join(context.worktreesDirectory, `merge-${randomBytes(6).toString('hex')}`);
  await git(['worktree', 'add', '--quiet', path, targetBranch], { cwd });
  try {
    return await mergeInWorktree(path, commit, request);
  } finally {
    if ((await runGit(['worktree', 'remove', '--force', '--force', path], { cwd })).exitCode !== 0) {
      await rm(path, { recursive: true, force: true });
      await git(['worktree', 'prune'], { cwd });
    }
  }
}

async function mergeInWorktree(path: string, commit: string, request: MergeBranchRequest): Promise<MergeBranchResult> {
  if ((await resolveCommit(path, 'MERGE_HEAD')) !== undefined) {
    return { ok: false, reason: 'local-changes', message: `a merge is already in progress in ${path}: finish or abort it (git merge --abort) first` };
  }
  const { name, email } = request.author;
  const merged = await runGit(
    [
      '-c', `user.name=${name}`,
      '-c', `user.email=${email}`,
      '-c', 'commit.gpgsign=false',
      'merge', '--no-ff', '--no-log', '--no-edit', '--no-verify', '--no-squash', '-m', request.message, commit,
    ],
    { cwd: path, environment: { GIT_AUTHOR_NAME: name, GIT_AUTHOR_EMAIL: email, GIT_COMMITTER_NAME: name, GIT_COMMITTER_EMAIL: email } },
  );
  if (merged.exitCode === 0) return { ok: true, mergeCommit: (await git(['rev-parse', '--verify', 'HEAD^{commit}'], { cwd: path })).trim(), alreadyMerged: false };
  if ((await resolveCommit(path, 'MERGE_HEAD')) !== undefined) {
    const conflicted = (await git(['diff', '--name-only', '--diff-filter=U', '-z'], { cwd: path })).split('\0').filter(Boolean);
    await git(['merge', '--abort'], { cwd: path });
    return {
      ok: false,
      reason: 'conflict',
      message: `${request.sourceBranch} does not merge cleanly into ${request.targetBranch}: conflicts in ${conflicted.join(', ') || 'some files'}; nothing was merged`,
    };
  }
  const said = (merged.stderr.trim() || merged.stdout.trim()).split('\n').slice(0, 6).join('\n');
  return { ok: false, reason: 'local-changes', message: `git refused to merge into ${request.targetBranch} checked out in ${path}: ${said}` };
}

/** The oldest merge on the target whose other parents include `commit`; `commit` itself when none does. */
async function mergeThatBroughtIn(cwd: string, commit: string, targetHead: string): Promise<string> {
  const merges = (await git(['rev-list', '--merges', '--parents', `${commit}..${targetHead}`], { cwd })).trim().split('\n').filter(Boolean);
  const bringing = merges.map((line) => line.split(' ')).filter(([, , ...others]) => others.includes(commit));
  return bringing.at(-1)?.[0] ?? commit;
}

async function resolveCommit(cwd: string, revision: string): Promise<string | undefined> {
  const result = await runGit(['rev-parse', '--verify', '--quiet', `${revision}^{commit}`], { cwd });
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}
