import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitFixture, type GitFixture } from '../../../testing/git-fixture.js';
import { GitChangedFileReader } from './git-changed-file-reader.js';

let repository: GitFixture;
let worktree: string;
beforeEach(() => {
  repository = createGitFixture({ files: { 'package.json': '{ "dependencies": {} }\n', 'old.txt': 'old\n' } });
  worktree = join(repository.root, '..', 'worktree');
  repository.git(['worktree', 'add', '--quiet', '-b', 'agent/X-1', worktree, 'main']);
  repository.writeFile('package.json', '{ "dependencies": { "a": "1.0.0" } }\n', worktree);
  repository.git(['rm', '--quiet', 'old.txt'], worktree);
  repository.git(['add', '--all'], worktree);
  repository.git(['commit', '--quiet', '-m', 'change'], worktree);
  repository.writeFile('new.txt', 'uncommitted\n', worktree);
  repository.writeFile('main-only.txt', 'later on main\n');
  repository.git(['add', '--all']);
  repository.git(['commit', '--quiet', '-m', 'main moves on']);
  repository.writeFile('package.json', '{ "dependencies": { "z": "9" } }\n');
  repository.git(['commit', '--quiet', '-am', 'main changes package.json too']);
});
afterEach(() => repository.cleanup());

describe('GitChangedFileReader', () => {
  const reader = new GitChangedFileReader();

  it('reads the version at the merge base and the version in the worktree', async () => {
    expect(await reader.readBefore({ worktreePath: worktree, baseRef: 'main', path: 'package.json' })).toBe('{ "dependencies": {} }\n');
    expect(await reader.readAfter({ worktreePath: worktree, path: 'package.json' })).toBe('{ "dependencies": { "a": "1.0.0" } }\n');
    expect(await reader.readAfter({ worktreePath: worktree, path: 'new.txt' })).toBe('uncommitted\n');
  });

  it('reads added and deleted files as absent on the side where they do not exist', async () => {
    expect(await reader.readBefore({ worktreePath: worktree, baseRef: 'main', path: 'new.txt' })).toBeUndefined();
    expect(await reader.readBefore({ worktreePath: worktree, baseRef: 'main', path: 'main-only.txt' })).toBeUndefined();
    expect(await reader.readBefore({ worktreePath: worktree, baseRef: 'main', path: 'old.txt' })).toBe('old\n');
    expect(await reader.readAfter({ worktreePath: worktree, path: 'old.txt' })).toBeUndefined();
  });

  it('never reads outside the worktree, through links, or directories', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'nightshift-outside-'));
    try {
      writeFileSync(join(outside, 'secret.txt'), 'do not read\n');
      symlinkSync(join(outside, 'secret.txt'), join(worktree, 'link.txt'));
      symlinkSync(outside, join(worktree, 'linked-directory'));
      expect(await reader.readAfter({ worktreePath: worktree, path: 'linked-directory/secret.txt' })).toBeUndefined();
      expect(await reader.readAfter({ worktreePath: worktree, path: 'link.txt' })).toBeUndefined();
      expect(await reader.readAfter({ worktreePath: worktree, path: '../repo/package.json' })).toBeUndefined();
      expect(await reader.readAfter({ worktreePath: worktree, path: join(outside, 'secret.txt') })).toBeUndefined();
      expect(await reader.readAfter({ worktreePath: worktree, path: '.git' })).toBeUndefined();
      expect(await reader.readBefore({ worktreePath: worktree, baseRef: 'main', path: '../x' })).toBeUndefined();
      expect(await reader.readBefore({ worktreePath: worktree, baseRef: '--output=/tmp/x', path: 'package.json' })).toBeUndefined();
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('fails loudly when the base does not exist (a defect of the caller)', async () => {
    await expect(reader.readBefore({ worktreePath: worktree, baseRef: 'no-such-branch', path: 'package.json' })).rejects.toThrow(/no merge base of HEAD and no-such-branch/);
  });
});
