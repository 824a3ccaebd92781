import { posix } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isInsideDirectory, normalizeAbsolutePath } from './path-containment.js';

describe('isInsideDirectory', () => {
  it.each([
    ['/ws', '/ws', true],
    ['/ws/src/a.ts', '/ws', true],
    ['/ws/', '/ws', true],
    ['/ws//src/./a.ts', '/ws/', true],
    ['/ws/..hidden', '/ws', true],
    ['/anything', '/', true],
    ['/ws-evil', '/ws', false],
    ['/ws-evil/a.ts', '/ws', false],
    ['/w', '/ws', false],
    ['/ws/../etc/passwd', '/ws', false],
    ['/ws/src/../../ws-evil', '/ws', false],
    ['/', '/ws', false],
    ['/other/ws', '/ws', false],
    ['/repo/.nightshift/worktrees/outside.txt', '/repo/.nightshift/worktrees/PROJ-1', false],
  ])('%s inside %s: %s', (candidate, directory, expected) => {
    expect(isInsideDirectory(candidate, directory)).toBe(expected);
  });

  it('refuses relative paths, which would make the answer depend on a working directory', () => {
    expect(() => isInsideDirectory('ws/a', '/ws')).toThrow(/candidateRealPath must be an absolute path/);
    expect(() => isInsideDirectory('/ws/a', 'ws')).toThrow(/directoryRealPath must be an absolute path/);
    expect(() => isInsideDirectory('/ws/a\0', '/ws')).toThrow(/NUL/);
  });

  const segment = fc.oneof(
    fc.constantFrom('.', '..', 'ws', 'ws-evil', '..x', 'a', 'b'),
    fc.stringMatching(/^[A-Za-z0-9._-]{1,8}$/),
  );
  const absolutePath = fc.array(segment, { maxLength: 6 }).map((segments) => `/${segments.join('/')}`);

  it('agrees with a relative-path oracle on random paths, dots and look-alike names included', () => {
    fc.assert(
      fc.property(absolutePath, absolutePath, (candidate, directory) => {
        const relative = posix.relative(posix.normalize(directory), posix.normalize(candidate));
        const oracle = relative === '' || (relative !== '..' && !relative.startsWith('../') && !posix.isAbsolute(relative));
        expect(isInsideDirectory(candidate, directory)).toBe(oracle);
      }),
      { numRuns: 2000 },
    );
  });

  it('puts everything below a directory inside it, and nothing that merely starts with its name', () => {
    fc.assert(
      fc.property(absolutePath, fc.array(fc.stringMatching(/^[A-Za-z0-9_-]{1,8}$/), { minLength: 1, maxLength: 4 }), fc.stringMatching(/^[A-Za-z0-9_-]{1,6}$/), (directory, below, suffix) => {
        const normalized = normalizeAbsolutePath(directory);
        expect(isInsideDirectory(`${normalized}/${below.join('/')}`, directory)).toBe(true);
        if (normalized !== '/') expect(isInsideDirectory(`${normalized}${suffix}`, directory)).toBe(false);
      }),
    );
  });
});

describe('normalizeAbsolutePath', () => {
  it('resolves dots and slashes lexically, never above the root', () => {
    expect(normalizeAbsolutePath('/a//b/../c/')).toBe('/a/c');
    expect(normalizeAbsolutePath('/../../etc')).toBe('/etc');
    expect(normalizeAbsolutePath('/')).toBe('/');
  });

  it('matches node:path on random absolute paths', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('.', '..', 'a', 'b', '', 'c.d'), { maxLength: 8 }), (segments) => {
        const path = `/${segments.join('/')}`;
        expect(normalizeAbsolutePath(path)).toBe(posix.normalize(path).replace(/(.)\/$/, '$1'));
      }),
    );
  });
});
