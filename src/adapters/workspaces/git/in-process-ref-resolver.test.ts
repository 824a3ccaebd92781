import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createGitFixture, type GitFixture } from '../../../testing/git-fixture.js';
import { InProcessRefResolver } from './in-process-ref-resolver.js';

const fixtures: GitFixture[] = [];
afterEach(() => fixtures.splice(0).forEach((fixture) => fixture.cleanup()));

function repository(): { fixture: GitFixture; resolver: InProcessRefResolver; gitSays: (revision: string, cwd?: string) => string } {
  const fixture = createGitFixture({ files: { 'a.txt': 'a\n' } });
  fixtures.push(fixture);
  return {
    fixture,
    resolver: new InProcessRefResolver(join(fixture.root, '.git')),
    gitSays: (revision, cwd) => fixture.git(['rev-parse', '--verify', `${revision}^{commit}`], cwd),
  };
}

describe('InProcessRefResolver', () => {
  it('resolves a branch, loose or only packed, nested or not, as git rev-parse does', () => {
    const { fixture, resolver, gitSays } = repository();
    fixture.git(['branch', 'agent/PROJ-1']);
    fixture.writeFile('b.txt', 'b\n');
    fixture.git(['add', '--all']);
    fixture.git(['commit', '--quiet', '-m', 'second']);
    expect(resolver.branchCommit('main')).toBe(gitSays('main'));
    expect(resolver.branchCommit('agent/PROJ-1')).toBe(gitSays('agent/PROJ-1'));
    expect(resolver.branchCommit('agent/PROJ-1')).not.toBe(resolver.branchCommit('main'));
    fixture.git(['pack-refs', '--all']);
    expect(resolver.branchCommit('main')).toBe(gitSays('main'));
    expect(resolver.branchCommit('agent/PROJ-1')).toBe(gitSays('agent/PROJ-1'));
    expect(resolver.branchCommit('no-such-branch')).toBeUndefined();
  });

  it('leaves to git what it cannot be sure of: a tag or a top-level ref shadowing the branch, HEAD-like names, odd names, a peeled packed ref', () => {
    const { fixture, resolver, gitSays } = repository();
    const first = gitSays('main');
    fixture.git(['branch', 'release']);
    fixture.writeFile('b.txt', 'b\n');
    fixture.git(['add', '--all']);
    fixture.git(['commit', '--quiet', '-m', 'second']);
    fixture.git(['tag', 'main', first]);
    // git warns that "main" is ambiguous and takes the tag: the resolver must not answer the branch.
    expect(resolver.branchCommit('main')).toBeUndefined();
    fixture.git(['update-ref', 'refs/release', first]);
    expect(resolver.branchCommit('release')).toBeUndefined();
    for (const name of ['HEAD', 'ORIG_HEAD', 'main^', 'main~1', '-main', 'a..b', '']) expect(resolver.branchCommit(name)).toBeUndefined();
    fixture.git(['tag', '-a', '-m', 'annotated', 'v1']);
    fixture.git(['pack-refs', '--all']);
    expect(resolver.branchCommit('v1')).toBeUndefined();
  });

  it('follows a symbolic branch, and refuses a packed-refs file it cannot parse', () => {
    const { fixture, resolver, gitSays } = repository();
    fixture.git(['symbolic-ref', 'refs/heads/alias', 'refs/heads/main']);
    expect(resolver.branchCommit('alias')).toBe(gitSays('alias'));
    writeFileSync(join(fixture.root, '.git', 'packed-refs'), 'not a packed ref line\n');
    expect(resolver.branchCommit('main')).toBeUndefined();
  });

  it("reads a linked worktree's HEAD after a commit, and a detached one", () => {
    const { fixture, resolver, gitSays } = repository();
    const worktree = join(fixture.root, '..', 'worktree');
    fixture.git(['worktree', 'add', '--quiet', '-b', 'agent/T-1', worktree]);
    fixture.writeFile('c.txt', 'c\n', worktree);
    fixture.git(['add', '--all'], worktree);
    fixture.git(['commit', '--quiet', '-m', 'in the worktree'], worktree);
    expect(resolver.worktreeHeadCommit(worktree)).toBe(gitSays('HEAD', worktree));
    expect(resolver.worktreeHeadCommit(worktree)).not.toBe(gitSays('main'));
    fixture.git(['checkout', '--quiet', '--detach', 'main'], worktree);
    expect(resolver.worktreeHeadCommit(worktree)).toBe(gitSays('main'));
    // A directory that is not a linked worktree of this repository: ask git.
    mkdirSync(join(fixture.root, '..', 'plain'));
    expect(resolver.worktreeHeadCommit(join(fixture.root, '..', 'plain'))).toBeUndefined();
    expect(resolver.worktreeHeadCommit(fixture.root)).toBeUndefined();
  });
});
