import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createGitFixture, type GitFixture } from '../../../testing/git-fixture.js';
import { readGitIndex } from './git-index-reader.js';
import { readGitRefs } from './git-ref-reader.js';

let fixture: GitFixture | undefined;
afterEach(() => fixture?.cleanup());

/** `git ls-files --stage` as the reader's entries: the reference the in-process reader must equal. */
function entriesByGit(repository: GitFixture): { path: string; mode: number; objectId: string }[] {
  return repository
    .git(['ls-files', '--stage', '-z'])
    .split('\0')
    .filter((line) => line !== '')
    .map((line) => {
      const [meta, path] = line.split('\t') as [string, string];
      const [mode, objectId] = meta.split(' ') as [string, string];
      return { path, mode: Number.parseInt(mode, 8), objectId };
    });
}

describe('readGitIndex', () => {
  it('reads what git ls-files --stage reads: long and odd names, an executable, a symbolic link', async () => {
    fixture = createGitFixture({
      files: { 'README.md': '# x\n', [`deep/${'very-long-directory-name/'.repeat(12)}file.ts`]: 'x\n', 'odd name ünïcode.txt': 'x\n', 'run.sh': '#!/bin/sh\n' },
    });
    fixture.git(['update-index', '--chmod=+x', 'run.sh']);
    symlinkSync('README.md', join(fixture.root, 'link'));
    fixture.git(['add', 'link']);
    fixture.git(['commit', '-qm', 'more']);
    expect(readGitIndex(join(fixture.root, '.git', 'index'))).toEqual(entriesByGit(fixture));
  });

  it('reads a version 3 index with an intent-to-add entry, and declines version 4 and a split index', async () => {
    fixture = createGitFixture({ files: { 'a.txt': 'a\n' } });
    writeFileSync(join(fixture.root, 'later.txt'), 'later\n');
    fixture.git(['add', '--intent-to-add', 'later.txt']);
    expect((readGitIndex(join(fixture.root, '.git', 'index')))?.map((entry) => entry.path)).toEqual(['a.txt', 'later.txt']);
    fixture.git(['update-index', '--index-version', '4']);
    expect(readGitIndex(join(fixture.root, '.git', 'index'))).toBeUndefined();
    fixture.git(['update-index', '--index-version', '2']);
    expect(readGitIndex(join(fixture.root, '.git', 'index'))).toHaveLength(2);
    fixture.git(['update-index', '--split-index']);
    expect(readGitIndex(join(fixture.root, '.git', 'index'))).toBeUndefined();
    expect(readGitIndex(join(fixture.root, '.git', 'missing-index'))).toBeUndefined();
  });
});

describe('readGitRefs', () => {
  it('reads packed and loose refs as git for-each-ref does, the loose one winning, and skips a directory when told', async () => {
    fixture = createGitFixture({ files: { 'a.txt': 'a\n' } });
    fixture.git(['branch', 'agent/T-1']);
    fixture.git(['tag', 'v1']);
    fixture.git(['pack-refs', '--all']);
    fixture.git(['commit', '--allow-empty', '-qm', 'moves main after packing']);
    fixture.git(['branch', 'agent/T-2']);
    const byGit = new Map(
      fixture
        .git(['for-each-ref', '--format=%(refname) %(objectname)'])
        .split('\n')
        .map((line) => line.split(' ') as [string, string]),
    );
    const refs = readGitRefs(join(fixture.root, '.git'));
    expect(refs).toEqual(byGit);
    const skipped = readGitRefs(join(fixture.root, '.git'), (directory) => directory === 'refs/heads/agent');
    expect([...(skipped?.keys() ?? [])].sort()).toEqual(['refs/heads/agent/T-1', 'refs/heads/main', 'refs/tags/v1']);
  });
});
