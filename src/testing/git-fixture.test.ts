import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createGitFixture, FIXTURE_AUTHOR } from './git-fixture.js';

describe('createGitFixture', () => {
  it('makes a repository with the files in one commit, on main, with a local identity', () => {
    const fixture = createGitFixture({ files: { 'README.md': '# Demo\n', 'src/deep/file.ts': 'export {};\n' } });
    try {
      expect(readFileSync(join(fixture.root, 'src/deep/file.ts'), 'utf8')).toBe('export {};\n');
      expect(fixture.git(['branch', '--show-current'])).toBe('main');
      expect(fixture.git(['log', '--format=%an <%ae>'])).toBe(`${FIXTURE_AUTHOR.name} <${FIXTURE_AUTHOR.email}>`);
      expect(fixture.git(['ls-files']).split('\n')).toEqual(['README.md', 'src/deep/file.ts']);
      expect(fixture.git(['status', '--porcelain'])).toBe('');
    } finally {
      fixture.cleanup();
    }
    expect(existsSync(fixture.root)).toBe(false);
  });

  it('uses the branch it is given, and commits even without files', () => {
    const fixture = createGitFixture({ files: {}, branch: 'trunk' });
    try {
      expect(fixture.git(['branch', '--show-current'])).toBe('trunk');
      expect(fixture.git(['rev-list', '--count', 'HEAD'])).toBe('1');
    } finally {
      fixture.cleanup();
    }
  });
});
