import { describe, expect, it } from 'vitest';
import { choosePermissionOutcome, collectToolCallPaths, decideToolPermission, type StagePolicy } from './acp-permission-policy.js';

const C2: StagePolicy = { access: 'edit-worktree', worktreeRealPath: '/ws' };
const C0: StagePolicy = { access: 'read-only', worktreeRealPath: '/ws' };

describe('collectToolCallPaths', () => {
  it('reads locations, diff paths, path fields and a Codex changes map, relative ones against the worktree', () => {
    const paths = collectToolCallPaths(
      {
        locations: [{ path: '/ws/a.txt' }, { path: 42 }],
        content: [{ type: 'diff', path: '/ws/b.txt' }, { type: 'content', path: '/ignored' }],
        rawInput: { file_path: 'notes/c.txt', cwd: '/ws', changes: { '/elsewhere/d.txt': { type: 'add' } }, command: 'rm -rf /' },
      },
      '/ws',
    );
    expect(paths).toEqual(['/ws/a.txt', '/ws/b.txt', '/ws/notes/c.txt', '/ws', '/elsewhere/d.txt']);
  });

  it('resolves .. lexically, so a path that climbs out is seen outside', () => {
    expect(collectToolCallPaths({ rawInput: { path: '../ws-evil/x' } }, '/ws')).toEqual(['/ws-evil/x']);
  });
});

describe('decideToolPermission', () => {
  it('allows reads and searches inside the worktree at every stage, and nothing outside it', () => {
    expect(decideToolPermission('read', ['/ws/src/a.ts'], C0)).toEqual({ allowed: true });
    expect(decideToolPermission('search', [], C0)).toEqual({ allowed: true });
    expect(decideToolPermission('read', ['/ws-evil/secret'], C2)).toEqual({ allowed: false, reason: '/ws-evil/secret is outside the worktree' });
  });

  it('refuses edits and commands at C0/C1', () => {
    expect(decideToolPermission('edit', ['/ws/a.txt'], C0)).toEqual({ allowed: false, reason: 'the stage is read-only: no changes to files at C0/C1' });
    expect(decideToolPermission('execute', [], C0)).toEqual({ allowed: false, reason: 'the stage is read-only: no commands at C0/C1' });
  });

  it('allows edits and commands inside the worktree at C2, never outside it or in .git', () => {
    expect(decideToolPermission('edit', ['/ws/a.txt'], C2)).toEqual({ allowed: true });
    expect(decideToolPermission('move', ['/ws/a.txt', '/ws/b.txt'], C2)).toEqual({ allowed: true });
    expect(decideToolPermission('execute', ['/ws'], C2)).toEqual({ allowed: true });
    expect(decideToolPermission('execute', ['/tmp'], C2)).toEqual({ allowed: false, reason: '/tmp is outside the worktree' });
    expect(decideToolPermission('edit', ['/ws/a.txt', '/ws-evil/b.txt'], C2)).toMatchObject({ allowed: false });
    expect(decideToolPermission('delete', ['/ws/.git/hooks/pre-commit'], C2)).toEqual({ allowed: false, reason: '/ws/.git/hooks/pre-commit is inside the worktree\'s .git directory' });
    expect(decideToolPermission('edit', [], C2)).toMatchObject({ allowed: false, reason: expect.stringContaining('names no file') });
  });

  it('refuses web access, mode changes and kinds it does not know', () => {
    expect(decideToolPermission('fetch', [], C2)).toEqual({ allowed: false, reason: 'agents get no web access' });
    expect(decideToolPermission('switch_mode', [], C2)).toMatchObject({ allowed: false });
    expect(decideToolPermission('other', [], C2)).toEqual({ allowed: false, reason: 'a tool of kind "other" is not allowed' });
    expect(decideToolPermission(undefined, [], C2)).toEqual({ allowed: false, reason: 'a tool of kind "unknown" is not allowed' });
  });
});

describe('choosePermissionOutcome', () => {
  const claude = [
    { kind: 'allow_always', optionId: 'allow_always' },
    { kind: 'allow_once', optionId: 'allow' },
    { kind: 'reject_once', optionId: 'reject' },
  ];

  it('picks the agent’s own option, once rather than always', () => {
    expect(choosePermissionOutcome(claude, { allowed: true })).toEqual({ outcome: 'selected', optionId: 'allow' });
    expect(choosePermissionOutcome(claude, { allowed: false, reason: 'r' })).toEqual({ outcome: 'selected', optionId: 'reject' });
    expect(choosePermissionOutcome([{ kind: 'allow_always', optionId: 'yes' }], { allowed: true })).toEqual({ outcome: 'selected', optionId: 'yes' });
  });

  it('cancels when the agent offers no option of the needed kind', () => {
    expect(choosePermissionOutcome([{ kind: 'allow_once', optionId: 'approved' }], { allowed: false, reason: 'r' })).toEqual({ outcome: 'cancelled' });
  });
});
