import { lstatSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SETTLED_AFTER_MILLISECONDS, SettledFileCache } from './settled-file-cache.js';

const directories: string[] = [];
afterEach(() => directories.splice(0).forEach((directory) => rmSync(directory, { recursive: true, force: true })));

function fileWith(content: string): string {
  const directory = mkdtempSync(join(tmpdir(), 'nightshift-settled-'));
  directories.push(directory);
  const path = join(directory, 'file.txt');
  writeFileSync(path, content);
  return path;
}

describe('SettledFileCache', () => {
  it('derives once while a settled file stays put, and again after any write', () => {
    const path = fileWith('first');
    const cache = new SettledFileCache<string>(() => Date.now() + 10 * SETTLED_AFTER_MILLISECONDS);
    let derivations = 0;
    const read = (): string => cache.remember(path, lstatSync(path), () => `derived ${(derivations += 1)}`);
    expect(read()).toBe('derived 1');
    expect(read()).toBe('derived 1');
    writeFileSync(path, 'second');
    expect(read()).toBe('derived 2');
    // Same size, times set back by hand: the change time still moved, so it is derived again.
    const { atime, mtime } = lstatSync(path);
    writeFileSync(path, 'thirds');
    utimesSync(path, atime, mtime);
    expect(read()).toBe('derived 3');
    expect(derivations).toBe(3);
  });

  it('never remembers a file changed within the settling time: a write in the same clock tick could go unseen', () => {
    const path = fileWith('fresh');
    const cache = new SettledFileCache<string>(() => lstatSync(path).ctimeMs + SETTLED_AFTER_MILLISECONDS / 2);
    let derivations = 0;
    for (let index = 0; index < 3; index += 1) cache.remember(path, lstatSync(path), () => String((derivations += 1)));
    expect(derivations).toBe(3);
  });
});
