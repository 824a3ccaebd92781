import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BREACHES_NAMED_IN_REASON, describeConfinementBreaches, findConfinementBreaches, type OutsideSnapshot } from './confinement-breach.js';

const snapshot = (overrides: Partial<OutsideSnapshot> = {}): OutsideSnapshot => ({
  worktreeRealPath: '/repo/.nightshift/worktrees/PROJ-1',
  fingerprints: { '/repo/.git/config': 'file:aaa', '/repo/.git/hooks/pre-commit.sample': 'file:bbb', 'ref refs/heads/main': 'c1' },
  ownBranchCommit: 'c1',
  symlinks: {},
  ...overrides,
});

describe('findConfinementBreaches', () => {
  it('finds nothing when nothing changed', () => {
    expect(findConfinementBreaches(snapshot(), snapshot(), 'edit-worktree')).toEqual([]);
  });

  it('names what was added, removed and modified outside the worktree', () => {
    const after = snapshot({
      fingerprints: { '/repo/.git/config': 'file:changed', 'ref refs/heads/main': 'c1', '/repo/.nightshift/worktrees/outside.txt': 'file:x' },
    });
    expect(findConfinementBreaches(snapshot(), after, 'edit-worktree')).toEqual([
      { kind: 'changed-outside', location: '/repo/.git/config', change: 'modified' },
      { kind: 'changed-outside', location: '/repo/.git/hooks/pre-commit.sample', change: 'removed' },
      { kind: 'changed-outside', location: '/repo/.nightshift/worktrees/outside.txt', change: 'added' },
    ]);
  });

  it('lets the own branch move at C2 but not at a read-only stage', () => {
    const after = snapshot({ ownBranchCommit: 'c2' });
    expect(findConfinementBreaches(snapshot(), after, 'edit-worktree')).toEqual([]);
    expect(findConfinementBreaches(snapshot(), after, 'read-only')).toEqual([{ kind: 'own-branch-moved', from: 'c1', to: 'c2' }]);
  });

  it('flags a new or re-pointed link leading out, at a directory boundary, and keeps links inside and old links', () => {
    const before = snapshot({ symlinks: { 'vendor/lib': '/usr/share/lib' } });
    const after = snapshot({
      symlinks: {
        'vendor/lib': '/usr/share/lib',
        keys: '/home/me/.ssh',
        sibling: '/repo/.nightshift/worktrees/PROJ-1-evil/x',
        'docs/readme': '/repo/.nightshift/worktrees/PROJ-1/README.md',
      },
    });
    expect(findConfinementBreaches(before, after, 'edit-worktree')).toEqual([
      { kind: 'symlink-outside', path: 'keys', target: '/home/me/.ssh' },
      { kind: 'symlink-outside', path: 'sibling', target: '/repo/.nightshift/worktrees/PROJ-1-evil/x' },
    ]);
    const repointed = snapshot({ symlinks: { 'vendor/lib': '/etc' } });
    expect(findConfinementBreaches(before, repointed, 'edit-worktree')).toEqual([{ kind: 'symlink-outside', path: 'vendor/lib', target: '/etc' }]);
  });

  it('reports exactly the fingerprints that differ, whatever they are', () => {
    const fingerprints = fc.dictionary(fc.constantFrom('/a', '/b', '/c', 'ref refs/heads/x', '/repo/.git/HEAD'), fc.constantFrom('1', '2'));
    fc.assert(
      fc.property(fingerprints, fingerprints, (before, after) => {
        const breaches = findConfinementBreaches(snapshot({ fingerprints: before }), snapshot({ fingerprints: after }), 'edit-worktree');
        const differing = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((key) => before[key] !== after[key]).sort();
        expect(breaches.map((breach) => (breach.kind === 'changed-outside' ? breach.location : '?'))).toEqual(differing);
      }),
    );
  });
});

describe('describeConfinementBreaches', () => {
  it('starts with "security:", names the stage and each breach', () => {
    const reason = describeConfinementBreaches('C2', [
      { kind: 'changed-outside', location: '/repo/.git/hooks/post-commit', change: 'added' },
      { kind: 'symlink-outside', path: 'keys', target: '/home/me/.ssh' },
      { kind: 'own-branch-moved', from: '0123456789abcdef', to: 'fedcba9876543210' },
    ]);
    expect(reason).toBe(
      'security: during C2 the agent reached outside its worktree: added /repo/.git/hooks/post-commit; symbolic link keys points outside the worktree, to /home/me/.ssh; moved its own branch at a read-only stage (0123456789ab → fedcba987654)',
    );
  });

  it('keeps a long list short and says how many more the log has', () => {
    const breaches = Array.from({ length: BREACHES_NAMED_IN_REASON + 3 }, (_, index) => ({ kind: 'changed-outside' as const, location: `/x/${index}`, change: 'added' as const }));
    const reason = describeConfinementBreaches('C0', breaches);
    expect(reason).toMatch(/; and 3 more \(see the ticket's log\)$/);
    expect(reason).not.toContain(`/x/${BREACHES_NAMED_IN_REASON}`);
  });
});
