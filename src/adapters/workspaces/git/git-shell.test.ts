import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GitShell } from './git-shell.js';

const directories: string[] = [];
afterEach(() => directories.splice(0).forEach((directory) => rmSync(directory, { recursive: true, force: true })));

function emptyDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), "nightshift shell 'quoted' $HOME "));
  directories.push(directory);
  return directory;
}

const environment = () => ({ PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0' });

describe('GitShell', () => {
  it('runs git in the named directory, passing every word verbatim, with stdin, variables and exit codes', async () => {
    const shell = new GitShell(environment);
    const directory = emptyDirectory();
    expect(await shell.run(['init', '--quiet', '--initial-branch=main'], { cwd: directory })).toEqual({ exitCode: 0, stdout: '', stderr: '' });
    const hostile = "it's $(touch pwned) `id` ; rm -rf /\nsecond line";
    const committed = await shell.run(['-c', 'commit.gpgsign=false', 'commit', '--allow-empty', '--quiet', '--file=-'], {
      cwd: directory,
      input: hostile,
      environment: { GIT_AUTHOR_NAME: "O'Brien", GIT_AUTHOR_EMAIL: 'a@b.c', GIT_COMMITTER_NAME: "O'Brien", GIT_COMMITTER_EMAIL: 'a@b.c' },
    });
    expect(committed?.exitCode).toBe(0);
    const log = await shell.run(['log', '-1', '--format=%an|%B'], { cwd: directory });
    expect(log?.stdout).toBe(`O'Brien|${hostile}\n\n`);
    const missing = await shell.run(['rev-parse', '--verify', '--quiet', 'no-such-branch'], { cwd: directory });
    expect(missing).toEqual({ exitCode: 1, stdout: '', stderr: '' });
    const failing = await shell.run(['checkout', 'nowhere'], { cwd: directory });
    expect(failing?.exitCode).not.toBe(0);
    expect(failing?.stderr).toMatch(/nowhere/);
  });

  it('keeps commands in order when many are issued at once', async () => {
    const shell = new GitShell(environment);
    const directory = emptyDirectory();
    await shell.run(['init', '--quiet'], { cwd: directory });
    const results = await Promise.all(Array.from({ length: 20 }, (_, index) => shell.run(['config', '--get', `nightshift.missing${index}`], { cwd: directory })));
    expect(results.every((result) => result?.exitCode === 1)).toBe(true);
    const written = await Promise.all(Array.from({ length: 10 }, (_, index) => shell.run(['config', `nightshift.key${index}`, String(index)], { cwd: directory })));
    expect(written.every((result) => result?.exitCode === 0)).toBe(true);
    const read = await shell.run(['config', '--get-regexp', '^nightshift\\.key'], { cwd: directory });
    expect(read?.stdout.trim().split('\n')).toHaveLength(10);
  });

  it('returns output of any size and any bytes whole: megabytes over many pipe chunks, NUL separators, no final newline (the blob has none)', async () => {
    const shell = new GitShell(environment);
    const directory = emptyDirectory();
    await shell.run(['init', '--quiet'], { cwd: directory });
    const large = Array.from({ length: 60_000 }, (_, index) => `line ${index} ${'é'.repeat(index % 7)}`).join('\n');
    writeFileSync(join(directory, 'large.txt'), large);
    writeFileSync(join(directory, "odd name 'with' quotes.txt"), 'x');
    const blob = await shell.run(['hash-object', '-w', 'large.txt'], { cwd: directory });
    const shown = await shell.run(['cat-file', '-p', (blob?.stdout ?? '').trim()], { cwd: directory });
    expect(shown?.stdout).toBe(large);
    const listed = await shell.run(['ls-files', '-z', '--others'], { cwd: directory });
    expect(listed?.stdout.split('\0').filter(Boolean).sort()).toEqual(['large.txt', "odd name 'with' quotes.txt"]);
  });

  it('creates no file per call: only a command with input writes one, and removes it', async () => {
    const shell = new GitShell(environment);
    const directory = emptyDirectory();
    await shell.run(['init', '--quiet'], { cwd: directory });
    const before = readdirSync(tmpdir()).filter((name) => name.startsWith('nightshift-git-shell-'));
    for (let index = 0; index < 5; index += 1) await shell.run(['status', '--porcelain'], { cwd: directory });
    expect(readdirSync(tmpdir()).filter((name) => name.startsWith('nightshift-git-shell-'))).toEqual(before);
    await shell.run(['hash-object', '--stdin'], { cwd: directory, input: 'some input' });
    const created = readdirSync(tmpdir()).filter((name) => name.startsWith('nightshift-git-shell-') && !before.includes(name));
    expect(created).toHaveLength(1);
    expect(readdirSync(join(tmpdir(), created[0] as string))).toEqual([]);
  });

  it('passes input that ends with a newline as a here-document, byte for byte and uninterpreted, without a file', async () => {
    const shell = new GitShell(environment);
    const directory = emptyDirectory();
    await shell.run(['init', '--quiet'], { cwd: directory });
    const before = readdirSync(tmpdir()).filter((name) => name.startsWith('nightshift-git-shell-'));
    const hostile = "$(touch pwned) `id` ${HOME} \\\n'quoted' \"double\"\r\nEOF\n__NIGHTSHIFT_GIT_0123__\n\tindented\nünïcödé ✓\n\n";
    const hashed = await shell.run(['hash-object', '--stdin'], { cwd: directory, input: hostile });
    const expected = createHash('sha1').update(`blob ${Buffer.byteLength(hostile)}\0${hostile}`).digest('hex');
    expect(hashed?.stdout.trim()).toBe(expected);
    expect(readdirSync(directory)).not.toContain('pwned');
    expect(readdirSync(tmpdir()).filter((name) => name.startsWith('nightshift-git-shell-'))).toEqual(before);
    // The shell is still in step afterwards.
    expect((await shell.run(['rev-parse', '--is-inside-work-tree'], { cwd: directory }))?.stdout).toBe('true\n');
  });
});
