import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomically } from './write-file-atomically.js';

describe('writeFileAtomically', () => {
  let directory: string;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'nightshift-atomic-'));
  });
  afterEach(() => rm(directory, { recursive: true, force: true }));

  it('creates a new file and replaces an existing one, leaving no temporary file behind', async () => {
    const path = join(directory, 'record.json');
    await writeFileAtomically(path, 'first');
    await writeFileAtomically(path, 'second');
    expect(await readFile(path, 'utf8')).toBe('second');
    expect(await readdir(directory)).toEqual(['record.json']);
  });

  it('gives the new file the mode it is told', async () => {
    const path = join(directory, 'ticket.md');
    await writeFile(path, 'old');
    await chmod(path, 0o600);
    await writeFileAtomically(path, 'new', { mode: (await stat(path)).mode });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('replaces a symbolic link at the target instead of writing through it', async () => {
    const outside = join(directory, 'outside.txt');
    await writeFile(outside, 'untouched');
    const path = join(directory, 'link.txt');
    await symlink(outside, path);
    await writeFileAtomically(path, 'new');
    expect(await readFile(outside, 'utf8')).toBe('untouched');
    expect(await readFile(path, 'utf8')).toBe('new');
  });

  it('removes the temporary file and throws when the rename fails', async () => {
    const path = join(directory, 'taken');
    await mkdir(path);
    await writeFile(join(path, 'inside'), 'keeps the directory non-empty');
    await expect(writeFileAtomically(path, 'text')).rejects.toThrow();
    expect(await readdir(directory)).toEqual(['taken']);
  });

  it('throws when the directory does not exist', async () => {
    await expect(writeFileAtomically(join(directory, 'missing', 'file.txt'), 'text')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readdir(directory)).toEqual([]);
  });
});
