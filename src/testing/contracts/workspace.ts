import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Workspace } from '../../ports/workspace.js';
import { createGitFixture } from '../git-fixture.js';
import type { GitFixture } from '../git-fixture.js';
import { describeOutsideSnapshotContract } from './workspace-outside-snapshot.js';

/** Where a workspace under test finds its repository and puts its worktrees. */
export interface WorkspaceLocation {
  repositoryRoot: string;
  worktreesDirectory: string;
}

const AUTHOR = { name: 'Nightshift Bot', email: 'nightshift@example.test' };

const COMMIT_MESSAGE = [
  'feat(PROJ-142): implement user authentication',
  '',
  '- Add login endpoint with JWT tokens',
  '- Add logout endpoint with token invalidation',
  '',
  'Agent: batch-2024-01-15',
  'Checkpoint: C2-complete',
  'Quality-Score: pending-gates',
].join('\n');

/**
 * The behaviour every {@link Workspace} adapter must show, against real git
 * repositories in temp directories. `createWorkspace` builds the adapter for a location.
 */
export function describeWorkspaceContract(name: string, createWorkspace: (location: WorkspaceLocation) => Workspace): void {
  describe(`Workspace contract: ${name}`, () => {
    let fixture: GitFixture;
    let worktreesDirectory: string;
    let workspace: Workspace;

    beforeEach(() => {
      fixture = createGitFixture({
        files: {
          'README.md': '# Demo\n',
          'src/auth.ts': 'export const a = 1;\nexport const b = 2;\nexport const c = 3;\n',
          'src/old-name.ts': 'export const moved = true;\n'.repeat(20),
          'src/obsolete.ts': 'export {};\n',
          '.gitignore': 'node_modules/\n',
        },
      });
      worktreesDirectory = join(fixture.root, '.nightshift', 'worktrees');
      workspace = createWorkspace({ repositoryRoot: fixture.root, worktreesDirectory });
    });
    afterEach(() => fixture.cleanup());

    describeOutsideSnapshotContract(createWorkspace);

    const prepare = (ticketId: string, startPoint = 'main') =>
      workspace.prepareWorktree({ branch: `agent/${ticketId}`, startPoint, directoryName: ticketId });

    describe('repository', () => {
      it('accepts a git checkout and reports its root', async () => {
        expect(await workspace.checkRepository()).toEqual({ ok: true, root: fixture.root });
      });

      it('explains a directory that is not a git repository', async () => {
        const plain = mkdtempSync(join(tmpdir(), 'nightshift-plain-'));
        try {
          const result = await createWorkspace({ repositoryRoot: plain, worktreesDirectory: join(plain, '.nightshift', 'worktrees') }).checkRepository();
          expect(result.ok).toBe(false);
          if (!result.ok) {
            expect(result.problem).toContain(plain);
            expect(result.problem).toContain('is not a git repository');
            expect(result.problem).toContain('git init');
          }
        } finally {
          rmSync(plain, { recursive: true, force: true });
        }
      });

      it('tells whether a branch exists', async () => {
        expect(await workspace.branchExists('main')).toBe(true);
        expect(await workspace.branchExists('agent/PROJ-142')).toBe(false);
      });

      it('refuses branch names git would misread', async () => {
        await expect(workspace.branchExists('--all')).rejects.toThrow();
        await expect(workspace.prepareWorktree({ branch: 'agent/a..b', startPoint: 'main', directoryName: 'PROJ-1' })).rejects.toThrow();
      });
    });

    describe('worktrees', () => {
      it('creates the branch at the start point in its own worktree', async () => {
        const first = fixture.git(['rev-parse', 'HEAD']);
        fixture.writeFile('README.md', '# Demo, later\n');
        fixture.git(['commit', '-qam', 'later']);
        const prepared = await workspace.prepareWorktree({ branch: 'agent/PROJ-142', startPoint: first, directoryName: 'PROJ-142' });
        expect(prepared.path).toBe(join(worktreesDirectory, 'PROJ-142'));
        expect(prepared.headCommit).toBe(first);
        expect(readFileSync(join(prepared.path, 'README.md'), 'utf8')).toBe('# Demo\n');
        expect(await workspace.branchExists('agent/PROJ-142')).toBe(true);
        expect(fixture.git(['rev-parse', 'main'])).not.toBe(first);
      });

      it('keeps the main checkout clean while worktrees live inside it', async () => {
        await prepare('PROJ-142');
        expect(fixture.git(['status', '--porcelain'])).toBe('');
      });

      it('reopens an existing worktree after a crash, keeping its commits and files', async () => {
        const prepared = await prepare('PROJ-142');
        writeFileSync(join(prepared.path, 'src/feature.ts'), 'export const feature = 1;\n');
        const commit = await workspace.commitAll(prepared.path, 'feat(PROJ-142): part one', AUTHOR);
        writeFileSync(join(prepared.path, 'src/unsaved.ts'), 'work in progress\n');

        const reopened = await prepare('PROJ-142');
        expect(reopened).toEqual({ path: prepared.path, headCommit: commit, created: false });
        expect(existsSync(join(prepared.path, 'src/unsaved.ts'))).toBe(true);
      });

      it('recreates a worktree whose directory vanished, from the existing branch', async () => {
        const prepared = await prepare('PROJ-142');
        writeFileSync(join(prepared.path, 'src/feature.ts'), 'export const feature = 1;\n');
        const commit = await workspace.commitAll(prepared.path, 'feat(PROJ-142): part one', AUTHOR);
        rmSync(prepared.path, { recursive: true, force: true });

        const reopened = await prepare('PROJ-142');
        expect(reopened.headCommit).toBe(commit);
        expect(readFileSync(join(reopened.path, 'src/feature.ts'), 'utf8')).toBe('export const feature = 1;\n');
      });

      it('stacks a branch on another ticket’s branch', async () => {
        const parent = await prepare('PROJ-142');
        writeFileSync(join(parent.path, 'src/auth.ts'), 'export const a = 10;\nexport const b = 2;\nexport const c = 3;\n');
        const parentCommit = await workspace.commitAll(parent.path, 'feat(PROJ-142): auth', AUTHOR);

        const child = await prepare('PROJ-145', 'agent/PROJ-142');
        expect(child.headCommit).toBe(parentCommit);
        expect(readFileSync(join(child.path, 'src/auth.ts'), 'utf8')).toContain('a = 10');
        writeFileSync(join(child.path, 'src/api.ts'), 'export const api = true;\n');
        await workspace.commitAll(child.path, 'feat(PROJ-145): api', AUTHOR);

        expect((await workspace.changedFiles(child.path, 'agent/PROJ-142')).map((file) => file.path)).toEqual(['src/api.ts']);
        expect((await workspace.changedFiles(child.path, 'main')).map((file) => file.path).sort()).toEqual(['src/api.ts', 'src/auth.ts']);
      });

      it('prepares several worktrees at once', async () => {
        const ids = ['PROJ-1', 'PROJ-2', 'PROJ-3', 'PROJ-4'];
        const prepared = await Promise.all(ids.map((id) => prepare(id)));
        expect(prepared.map((worktree) => worktree.path)).toEqual(ids.map((id) => join(worktreesDirectory, id)));
        for (const id of ids) expect(await workspace.branchExists(`agent/${id}`)).toBe(true);
        expect(fixture.git(['worktree', 'list', '--porcelain']).match(/^worktree /gm)).toHaveLength(5);
      });

      it('removes a worktree but keeps its branch, and can prepare it again', async () => {
        const prepared = await prepare('PROJ-142');
        writeFileSync(join(prepared.path, 'src/feature.ts'), 'export const feature = 1;\n');
        const commit = await workspace.commitAll(prepared.path, 'feat(PROJ-142): feature', AUTHOR);
        writeFileSync(join(prepared.path, 'scratch.txt'), 'uncommitted\n');

        await workspace.removeWorktree(prepared.path);
        expect(existsSync(prepared.path)).toBe(false);
        expect(fixture.git(['worktree', 'list'])).not.toContain('PROJ-142');
        expect(await workspace.branchExists('agent/PROJ-142')).toBe(true);
        await workspace.removeWorktree(prepared.path);

        expect((await prepare('PROJ-142')).headCommit).toBe(commit);
      });

      it('refuses worktree paths outside the worktrees directory', async () => {
        await expect(workspace.prepareWorktree({ branch: 'agent/PROJ-1', startPoint: 'main', directoryName: '../escape' })).rejects.toThrow();
        await expect(workspace.prepareWorktree({ branch: 'agent/PROJ-1', startPoint: 'main', directoryName: '..' })).rejects.toThrow();
        await expect(workspace.commitAll(fixture.root, 'message', AUTHOR)).rejects.toThrow(/outside/);
        await expect(workspace.changedFiles(fixture.root, 'main')).rejects.toThrow(/outside/);
        await expect(workspace.removeWorktree(`${worktreesDirectory}-evil/PROJ-1`)).rejects.toThrow(/outside/);
        await expect(workspace.removeWorktree(worktreesDirectory)).rejects.toThrow(/outside/);
        expect(existsSync(fixture.root)).toBe(true);
      });
    });

    describe('changes', () => {
      it('lists committed, staged, unstaged, untracked, deleted, renamed and binary changes with line counts', async () => {
        const { path } = await prepare('PROJ-142');
        writeFileSync(join(path, 'src/auth.ts'), 'export const a = 1;\nexport const b = 20;\nexport const c = 3;\nexport const d = 4;\n');
        await workspace.commitAll(path, 'feat(PROJ-142): committed part', AUTHOR);
        writeFileSync(join(path, 'src/staged.ts'), 'one\ntwo\n');
        fixture.git(['add', 'src/staged.ts'], path);
        writeFileSync(join(path, 'README.md'), '# Demo\n\nMore.\n');
        writeFileSync(join(path, 'notes.txt'), 'untracked\n');
        fixture.git(['rm', '-q', 'src/obsolete.ts'], path);
        fixture.git(['mv', 'src/old-name.ts', 'src/new-name.ts'], path);
        writeFileSync(join(path, 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0x02, 0x00, 0xff]));
        writeFileSync(join(path, 'node_modules-ignored.txt'), 'x\n');
        fixture.writeFile('node_modules/pkg/index.js', 'ignored\n', path);
        const statusBefore = fixture.git(['status', '--porcelain'], path);

        const changed = await workspace.changedFiles(path, 'main');
        const byPath = Object.fromEntries(changed.map((file) => [file.path, file]));
        expect(byPath['src/auth.ts']).toEqual({ path: 'src/auth.ts', status: 'modified', linesAdded: 2, linesDeleted: 1 });
        expect(byPath['src/staged.ts']).toEqual({ path: 'src/staged.ts', status: 'added', linesAdded: 2, linesDeleted: 0 });
        expect(byPath['README.md']).toEqual({ path: 'README.md', status: 'modified', linesAdded: 2, linesDeleted: 0 });
        expect(byPath['notes.txt']).toEqual({ path: 'notes.txt', status: 'added', linesAdded: 1, linesDeleted: 0 });
        expect(byPath['src/obsolete.ts']).toEqual({ path: 'src/obsolete.ts', status: 'deleted', linesAdded: 0, linesDeleted: 1 });
        expect(byPath['src/new-name.ts']).toEqual({ path: 'src/new-name.ts', status: 'renamed', linesAdded: 0, linesDeleted: 0 });
        expect(byPath['logo.png']).toEqual({ path: 'logo.png', status: 'added', linesAdded: 0, linesDeleted: 0 });
        expect(byPath['node_modules/pkg/index.js']).toBeUndefined();
        expect(changed).toHaveLength(8);
        expect(fixture.git(['status', '--porcelain'], path)).toBe(statusBefore);
      });

      it('lists nothing for a fresh worktree', async () => {
        const { path } = await prepare('PROJ-142');
        expect(await workspace.changedFiles(path, 'main')).toEqual([]);
        expect(await workspace.diff(path, 'main')).toBe('');
        expect(await workspace.uncommittedChanges(path)).toEqual([]);
      });

      it('lists uncommitted changes, untracked files included, and nothing once committed', async () => {
        const { path } = await prepare('PROJ-142');
        fixture.writeFile('src/new dir/untracked file.ts', 'export {};\n', path);
        fixture.writeFile('README.md', '# changed\n', path);
        expect((await workspace.uncommittedChanges(path)).sort()).toEqual(['README.md', 'src/new dir/untracked file.ts']);
        await workspace.commitAll(path, 'feat(PROJ-142): work', { name: 'Nightshift', email: 'nightshift@localhost' });
        expect(await workspace.uncommittedChanges(path)).toEqual([]);
        expect(await workspace.commitAll(path, 'feat(PROJ-142): again', { name: 'Nightshift', email: 'nightshift@localhost' })).toBeUndefined();
      });

      it('sets uncommitted changes aside in a stash that keeps them, untracked files included', async () => {
        const { path, created } = await prepare('PROJ-143');
        expect(created).toBe(true);
        expect(await workspace.setAsideUncommittedChanges(path, 'nightshift: left by an earlier run')).toBeUndefined();
        fixture.writeFile('src/left behind.ts', 'export const left = 1;\n', path);
        fixture.writeFile('README.md', '# half done\n', path);
        const stash = await workspace.setAsideUncommittedChanges(path, 'nightshift: left by an earlier run of PROJ-143');
        expect(stash).toMatch(/^[0-9a-f]{40}$/);
        expect(await workspace.uncommittedChanges(path)).toEqual([]);
        expect((await prepare('PROJ-143')).created).toBe(false);
        expect(fixture.git(['stash', 'list', '--format=%H %s'], path)).toContain(`${stash} On agent/PROJ-143: nightshift: left by an earlier run of PROJ-143`);
        expect(fixture.git(['show', `${stash}^3:src/left behind.ts`], path)).toBe('export const left = 1;');
        expect(fixture.git(['show', `${stash}:README.md`], path)).toBe('# half done');
        await expect(workspace.setAsideUncommittedChanges(path, 'two\nlines')).rejects.toThrow(/one non-empty line/);
      });

      it('leaves out what the base branch did after the branch started', async () => {
        const { path } = await prepare('PROJ-142');
        fixture.writeFile('src/elsewhere.ts', 'export const elsewhere = 1;\n');
        fixture.git(['add', '--all']);
        fixture.git(['commit', '-qm', 'main moves on']);
        writeFileSync(join(path, 'src/feature.ts'), 'export const feature = 1;\n');
        expect((await workspace.changedFiles(path, 'main')).map((file) => file.path)).toEqual(['src/feature.ts']);
        expect(await workspace.diff(path, 'main')).not.toContain('elsewhere');
      });

      it('shows the unified diff of committed and uncommitted work', async () => {
        const { path } = await prepare('PROJ-142');
        writeFileSync(join(path, 'src/auth.ts'), 'export const a = 1;\nexport const b = 22;\nexport const c = 3;\n');
        await workspace.commitAll(path, 'feat(PROJ-142): b', AUTHOR);
        writeFileSync(join(path, 'src/new.ts'), 'brand new line\n');
        const diff = await workspace.diff(path, 'main');
        expect(diff).toContain('diff --git a/src/auth.ts b/src/auth.ts');
        expect(diff).toContain('-export const b = 2;');
        expect(diff).toContain('+export const b = 22;');
        expect(diff).toContain('+++ b/src/new.ts');
        expect(diff).toContain('+brand new line');
      });

      it('refuses a base that is not a commit', async () => {
        const { path } = await prepare('PROJ-142');
        await expect(workspace.changedFiles(path, 'no-such-branch')).rejects.toThrow(/no-such-branch/);
        await expect(workspace.diff(path, '--output=/tmp/x')).rejects.toThrow();
      });
    });

    describe('commits', () => {
      it('commits everything, untracked included, as our author and committer, message and trailers intact', async () => {
        const { path } = await prepare('PROJ-142');
        writeFileSync(join(path, 'src/auth.ts'), 'changed\n');
        writeFileSync(join(path, 'src/login.ts'), 'export const login = true;\n');
        const sha = await workspace.commitAll(path, COMMIT_MESSAGE, AUTHOR);

        expect(sha).toMatch(/^[0-9a-f]{40}$/);
        expect(sha).toBe(await workspace.headCommit(path));
        expect(fixture.git(['log', '-1', '--format=%an <%ae>|%cn <%ce>', sha!], path)).toBe(
          'Nightshift Bot <nightshift@example.test>|Nightshift Bot <nightshift@example.test>',
        );
        expect(fixture.git(['log', '-1', '--format=%B', sha!], path)).toBe(COMMIT_MESSAGE);
        const trailers = fixture.git(['log', '-1', '--format=%(trailers:only,unfold)', sha!], path);
        expect(trailers).toBe('Agent: batch-2024-01-15\nCheckpoint: C2-complete\nQuality-Score: pending-gates');
        expect(fixture.git(['status', '--porcelain'], path)).toBe('');
        expect(fixture.git(['show', '--name-only', '--format=', sha!], path).split('\n').sort()).toEqual(['src/auth.ts', 'src/login.ts']);
      });

      it('keeps shell characters and comment-like lines of the message as they are', async () => {
        const { path } = await prepare('PROJ-142');
        writeFileSync(join(path, 'x.txt'), 'x\n');
        const message = 'fix(PROJ-142): quote "$(id)" `uname` $HOME; rm -rf /\n\n#1 keeps this line';
        const sha = await workspace.commitAll(path, message, AUTHOR);
        expect(fixture.git(['log', '-1', '--format=%B', sha!], path)).toBe(message);
      });

      it('answers undefined when there is nothing to commit', async () => {
        const { path, headCommit } = await prepare('PROJ-142');
        expect(await workspace.commitAll(path, 'feat(PROJ-142): nothing', AUTHOR)).toBeUndefined();
        expect(await workspace.headCommit(path)).toBe(headCommit);
      });
    });

    describe('merges', () => {
      const MERGE_MESSAGE = 'Merge agent/PROJ-142 into main: PROJ-142 Auth\n\nApproved-by: ada\nMerged-by: ada\n';

      async function branchWithWork(ticketId: string, file: string, content: string): Promise<string> {
        const { path } = await prepare(ticketId);
        writeFileSync(join(path, file), content);
        const commit = await workspace.commitAll(path, `feat(${ticketId}): work`, AUTHOR);
        if (commit === undefined) throw new Error('nothing committed');
        return commit;
      }

      it('merges the exact commit into the checked-out target with a real merge commit, even when a fast-forward would do', async () => {
        const commit = await branchWithWork('PROJ-142', 'src/login.ts', 'export const login = true;\n');
        const before = fixture.git(['rev-parse', 'main']);
        const result = await workspace.mergeBranch({ sourceBranch: 'agent/PROJ-142', commit, targetBranch: 'main', message: MERGE_MESSAGE, author: AUTHOR });

        expect(result).toEqual({ ok: true, mergeCommit: fixture.git(['rev-parse', 'main']), alreadyMerged: false });
        if (!result.ok) return;
        expect(fixture.git(['rev-list', '--parents', '-n', '1', result.mergeCommit]).split(' ')).toEqual([result.mergeCommit, before, commit]);
        expect(fixture.git(['log', '-1', '--format=%an <%ae>', result.mergeCommit])).toBe('Nightshift Bot <nightshift@example.test>');
        expect(fixture.git(['log', '-1', '--format=%B', result.mergeCommit])).toBe(MERGE_MESSAGE.trimEnd());
        expect(readFileSync(join(fixture.root, 'src/login.ts'), 'utf8')).toBe('export const login = true;\n');
        expect(fixture.git(['status', '--porcelain'])).toBe('');
      });

      it('answers the same merge again, doing nothing, when the commit is already in the target', async () => {
        const commit = await branchWithWork('PROJ-142', 'src/login.ts', 'export const login = true;\n');
        const request = { sourceBranch: 'agent/PROJ-142', commit, targetBranch: 'main', message: MERGE_MESSAGE, author: AUTHOR };
        const first = await workspace.mergeBranch(request);
        const again = await workspace.mergeBranch(request);
        expect(first.ok && again.ok).toBe(true);
        if (!first.ok || !again.ok) return;
        expect(again).toEqual({ ok: true, mergeCommit: first.mergeCommit, alreadyMerged: true });
        expect(fixture.git(['rev-parse', 'main'])).toBe(first.mergeCommit);
      });

      it('merges into a branch checked out nowhere through a throw-away worktree, and leaves none behind', async () => {
        fixture.git(['branch', 'release']);
        const commit = await branchWithWork('PROJ-142', 'src/login.ts', 'export const login = true;\n');
        const worktreesBefore = fixture.git(['worktree', 'list', '--porcelain']);
        const result = await workspace.mergeBranch({ sourceBranch: 'agent/PROJ-142', commit, targetBranch: 'release', message: MERGE_MESSAGE, author: AUTHOR });
        expect(result.ok).toBe(true);
        expect(fixture.git(['rev-parse', 'release^2'])).toBe(commit);
        expect(fixture.git(['show', 'release:src/login.ts'])).toBe('export const login = true;');
        expect(fixture.git(['worktree', 'list', '--porcelain'])).toBe(worktreesBefore);
        expect(existsSync(join(fixture.root, 'src/login.ts'))).toBe(false);
      });

      it('refuses a branch that moved on from the commit the gates checked, and merges nothing', async () => {
        const gated = await branchWithWork('PROJ-142', 'src/login.ts', 'export const login = true;\n');
        const { path } = await prepare('PROJ-142');
        writeFileSync(join(path, 'src/login.ts'), 'export const login = false;\n');
        await workspace.commitAll(path, 'feat(PROJ-142): later', AUTHOR);
        const before = fixture.git(['rev-parse', 'main']);
        const result = await workspace.mergeBranch({ sourceBranch: 'agent/PROJ-142', commit: gated, targetBranch: 'main', message: MERGE_MESSAGE, author: AUTHOR });
        expect(result).toMatchObject({ ok: false, reason: 'source-moved' });
        if (!result.ok) expect(result.message).toContain(gated.slice(0, 12));
        expect(fixture.git(['rev-parse', 'main'])).toBe(before);
      });

      it('refuses a conflicting merge and leaves the target as it was, with no merge in progress', async () => {
        const commit = await branchWithWork('PROJ-142', 'src/auth.ts', 'export const a = 100;\n');
        fixture.writeFile('src/auth.ts', 'export const a = 200;\n');
        fixture.git(['commit', '-qam', 'main changes auth too']);
        const before = fixture.git(['rev-parse', 'main']);
        const result = await workspace.mergeBranch({ sourceBranch: 'agent/PROJ-142', commit, targetBranch: 'main', message: MERGE_MESSAGE, author: AUTHOR });
        expect(result).toMatchObject({ ok: false, reason: 'conflict' });
        if (!result.ok) expect(result.message).toContain('src/auth.ts');
        expect(fixture.git(['rev-parse', 'main'])).toBe(before);
        expect(fixture.git(['status', '--porcelain'])).toBe('');
        expect(existsSync(join(fixture.root, '.git', 'MERGE_HEAD'))).toBe(false);
      });

      it('refuses a branch that does not exist', async () => {
        const commit = await branchWithWork('PROJ-142', 'src/login.ts', 'x\n');
        const result = await workspace.mergeBranch({ sourceBranch: 'agent/PROJ-142', commit, targetBranch: 'no-such-branch', message: MERGE_MESSAGE, author: AUTHOR });
        expect(result).toMatchObject({ ok: false, reason: 'unknown-branch' });
      });
    });

    describe('files in a worktree and notes on commits', () => {
      it('reads a file the checks wrote, says when it is missing, and removes it', async () => {
        const { path } = await prepare('PROJ-142');
        fixture.writeFile('reports/junit.xml', '<testsuites/>\n', path);
        expect(await workspace.readFile(path, 'reports/junit.xml')).toEqual({ status: 'read', text: '<testsuites/>\n' });
        expect(await workspace.readFile(path, './reports/../reports/junit.xml')).toEqual({ status: 'read', text: '<testsuites/>\n' });
        expect(await workspace.readFile(path, 'reports/junit.xml', { maximumBytes: 4 })).toMatchObject({ status: 'refused', reason: expect.stringMatching(/more than the 4/) });
        expect(await workspace.removeFile(path, 'reports/junit.xml')).toEqual({ status: 'removed' });
        expect(await workspace.readFile(path, 'reports/junit.xml')).toEqual({ status: 'missing' });
        expect(await workspace.removeFile(path, 'reports/junit.xml')).toEqual({ status: 'missing' });
        expect(await workspace.readFile(path, 'reports')).toMatchObject({ status: 'refused', reason: expect.stringMatching(/not a regular file/) });
      });

      it('refuses paths that lead outside the worktree, by name or through a symbolic link', async () => {
        const { path } = await prepare('PROJ-142');
        const outside = mkdtempSync(join(tmpdir(), 'nightshift-outside-'));
        try {
          writeFileSync(join(outside, 'secret.txt'), 'do not read\n');
          symlinkSync(join(outside, 'secret.txt'), join(path, 'report.xml'));
          symlinkSync(outside, join(path, 'reports'));
          for (const relativePath of ['../PROJ-142/../../secret.txt', '/etc/passwd', 'report.xml', 'reports/secret.txt', '']) {
            expect(await workspace.readFile(path, relativePath)).toMatchObject({ status: 'refused' });
          }
          expect(await workspace.removeFile(path, 'reports/secret.txt')).toMatchObject({ status: 'refused', reason: expect.stringMatching(/symbolic link/) });
          expect(existsSync(join(outside, 'secret.txt'))).toBe(true);
          expect(await workspace.removeFile(path, 'report.xml')).toEqual({ status: 'removed' });
          expect(existsSync(join(outside, 'secret.txt'))).toBe(true);
          await expect(workspace.readFile(fixture.root, 'README.md')).rejects.toThrow(/outside/);
        } finally {
          rmSync(outside, { recursive: true, force: true });
        }
      });

      it('attaches a note to a commit under a ref, replacing the previous one, without changing the commit', async () => {
        const { path } = await prepare('PROJ-142');
        writeFileSync(join(path, 'src/login.ts'), 'export const login = true;\n');
        const commit = (await workspace.commitAll(path, COMMIT_MESSAGE, AUTHOR))!;
        await workspace.addNote({ commit, ref: 'refs/notes/nightshift', text: 'Quality-Score: 80\n', author: AUTHOR });
        await workspace.addNote({ commit, ref: 'refs/notes/nightshift', text: 'Quality-Score: 94\n', author: AUTHOR });
        expect(fixture.git(['notes', '--ref=refs/notes/nightshift', 'show', commit])).toBe('Quality-Score: 94');
        expect(fixture.git(['log', '-1', '--format=%an <%ae>', 'refs/notes/nightshift'])).toBe('Nightshift Bot <nightshift@example.test>');
        expect(fixture.git(['rev-parse', 'agent/PROJ-142'])).toBe(commit);
        expect(fixture.git(['log', '-1', '--format=%(trailers:key=Quality-Score,valueonly)', commit])).toBe('pending-gates');
        await Promise.all(['a', 'b', 'c'].map((text) => workspace.addNote({ commit, ref: 'refs/notes/parallel', text, author: AUTHOR })));
        expect(['a', 'b', 'c']).toContain(fixture.git(['notes', '--ref=refs/notes/parallel', 'show', commit]));
      });

      it('refuses a notes ref outside refs/notes and a commit that is not there', async () => {
        const { headCommit } = await prepare('PROJ-142');
        await expect(workspace.addNote({ commit: headCommit, ref: 'refs/heads/main', text: 'x', author: AUTHOR })).rejects.toThrow(/refs\/notes/);
        await expect(workspace.addNote({ commit: 'f'.repeat(40), ref: 'refs/notes/nightshift', text: 'x', author: AUTHOR })).rejects.toThrow(/not in/);
        await expect(workspace.addNote({ commit: '--all', ref: 'refs/notes/nightshift', text: 'x', author: AUTHOR })).rejects.toThrow(/not a commit id/);
      });
    });
  });
}
