import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileExclusively } from './create-file-exclusively.js';

describe('createFileExclusively', () => {
  let directory: string;
  beforeEach(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'nightshift-exclusive-'));
  });
  afterEach(() => rm(directory, { recursive: true, force: true }));

  it('creates a new file and leaves no temporary file', async () => {
    expect(await createFileExclusively(path.join(directory, 'PROJ-2.md'), 'new\n')).toBe(true);
    expect(await readFile(path.join(directory, 'PROJ-2.md'), 'utf8')).toBe('new\n');
    expect(await readdir(directory)).toEqual(['PROJ-2.md']);
  });

  it('answers false and changes nothing when the name is taken', async () => {
    await writeFile(path.join(directory, 'PROJ-2.md'), 'theirs\n');
    expect(await createFileExclusively(path.join(directory, 'PROJ-2.md'), 'mine\n')).toBe(false);
    expect(await readFile(path.join(directory, 'PROJ-2.md'), 'utf8')).toBe('theirs\n');
    expect(await readdir(directory)).toEqual(['PROJ-2.md']);
  });

  it('lets exactly one of many simultaneous writers have the name', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, index) => createFileExclusively(path.join(directory, 'PROJ-2.md'), `writer ${index}\n`)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await readFile(path.join(directory, 'PROJ-2.md'), 'utf8')).toBe(`writer ${results.indexOf(true)}\n`);
    expect(await readdir(directory)).toEqual(['PROJ-2.md']);
  });
});
