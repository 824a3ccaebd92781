import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { describeWorkspaceContract } from '../../../testing/contracts/workspace.js';
import { createGitFixture } from '../../../testing/git-fixture.js';
import { GitWorkspace } from './git-workspace.js';

describeWorkspaceContract('GitWorkspace', (location) => new GitWorkspace(location));

describe('GitWorkspace', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const name of ['GIT_AUTHOR_NAME', 'GIT_COMMITTER_EMAIL', 'GIT_DIR']) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  it('commits as the configured author even when the environment names another identity or repository', async () => {
    const fixture = createGitFixture({ files: { 'a.txt': 'a\n' } });
    const elsewhere = createGitFixture({ files: {} });
    try {
      const workspace = new GitWorkspace({ repositoryRoot: fixture.root, worktreesDirectory: join(fixture.root, '.nightshift', 'worktrees') });
      const { path } = await workspace.prepareWorktree({ branch: 'agent/PROJ-1', startPoint: 'main', directoryName: 'PROJ-1' });
      process.env.GIT_AUTHOR_NAME = 'Somebody Else';
      process.env.GIT_COMMITTER_EMAIL = 'else@example.test';
      process.env.GIT_DIR = join(elsewhere.root, '.git');
      fixture.writeFile('a.txt', 'b\n', path);
      const sha = await workspace.commitAll(path, 'feat(PROJ-1): b', { name: 'Night Shift', email: 'night@example.test' });
      delete process.env.GIT_DIR;
      expect(fixture.git(['log', '-1', '--format=%an <%ae> %cn <%ce>', sha!], path)).toBe('Night Shift <night@example.test> Night Shift <night@example.test>');
    } finally {
      fixture.cleanup();
      elsewhere.cleanup();
    }
  });

  it('refuses an author that would break the commit header', async () => {
    const fixture = createGitFixture({ files: { 'a.txt': 'a\n' } });
    try {
      const workspace = new GitWorkspace({ repositoryRoot: fixture.root, worktreesDirectory: join(fixture.root, '.nightshift', 'worktrees') });
      const { path } = await workspace.prepareWorktree({ branch: 'agent/PROJ-1', startPoint: 'main', directoryName: 'PROJ-1' });
      fixture.writeFile('a.txt', 'b\n', path);
      await expect(workspace.commitAll(path, 'm', { name: 'Evil <x@y>', email: 'e@x' })).rejects.toThrow(/author name/);
      await expect(workspace.commitAll(path, '   ', { name: 'N', email: 'e@x' })).rejects.toThrow(/empty/);
    } finally {
      fixture.cleanup();
    }
  });

  it('reports a repository without commits', async () => {
    const fixture = createGitFixture({ files: {} });
    try {
      const empty = join(fixture.root, 'nested-empty');
      fixture.git(['init', '-q', empty]);
      const result = await new GitWorkspace({ repositoryRoot: empty, worktreesDirectory: join(empty, '.nightshift', 'worktrees') }).checkRepository();
      expect(result).toEqual({ ok: false, problem: expect.stringContaining('has no commits yet') });
    } finally {
      fixture.cleanup();
    }
  });

  it('refuses a worktree directory that exists but is not a worktree', async () => {
    const fixture = createGitFixture({ files: { 'a.txt': 'a\n' } });
    try {
      const worktreesDirectory = join(fixture.root, '.nightshift', 'worktrees');
      fixture.writeFile('.nightshift/worktrees/PROJ-1/leftover.txt', 'x');
      const workspace = new GitWorkspace({ repositoryRoot: fixture.root, worktreesDirectory });
      await expect(workspace.prepareWorktree({ branch: 'agent/PROJ-1', startPoint: 'main', directoryName: 'PROJ-1' })).rejects.toThrow(
        /not a registered worktree/,
      );
    } finally {
      fixture.cleanup();
    }
  });
});
