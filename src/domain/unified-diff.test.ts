import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseUnifiedDiff, summarizeDiff, type DiffFile } from './unified-diff.js';

function byPath(files: DiffFile[], path: string): DiffFile {
  const file = files.find((candidate) => candidate.path === path);
  if (file === undefined) throw new Error(`no file ${path} in ${files.map((candidate) => candidate.path).join(', ')}`);
  return file;
}

describe('parseUnifiedDiff on a real git diff', () => {
  let repository: string;
  let diffText: string;

  beforeAll(() => {
    repository = mkdtempSync(join(tmpdir(), 'nightshift-unified-diff-'));
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repository, encoding: 'utf8' });
    const write = (path: string, content: string | Buffer) => {
      mkdirSync(join(repository, path, '..'), { recursive: true });
      writeFileSync(join(repository, path), content);
    };
    git('init', '--quiet');
    git('config', 'user.name', 'Nightshift Test');
    git('config', 'user.email', 'test@nightshift.invalid');
    write('src/keep.py', 'one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\n');
    write('src/old-name.py', 'a\nb\nc\nd\ne\nf\ng\nh\n');
    write('src/removed.py', 'gone 1\ngone 2\n');
    write('schema.sql', '-- comment\nselect 1;\n');
    write('image.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3, 0, 255]));
    write('no-newline.txt', 'last line');
    write('script.sh', 'echo hi\n');
    git('add', '-A');
    git('commit', '--quiet', '-m', 'base');

    write('src/keep.py', 'one\ntwo\nTHREE\nfour\nfive\nsix\nseven\neight\nnine\nten\neleven\n');
    git('mv', 'src/old-name.py', 'src/new-name.py');
    write('src/new-name.py', 'a\nb\nc\nd\ne\nf\ng\nh changed\n');
    unlinkSync(join(repository, 'src/removed.py'));
    write('schema.sql', '++ not a header\nselect 1;\n');
    write('image.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 9, 9, 9, 0, 255]));
    write('no-newline.txt', 'last line changed');
    write('docs/with space/café "quoted".md', 'hello\n');
    write('src/new.ts', 'export const x = 1;\n');
    chmodSync(join(repository, 'script.sh'), 0o755);
    git('add', '-A');
    diffText = git('diff', '--cached', '-M', '--no-color', '--no-ext-diff');
  });
  afterAll(() => rmSync(repository, { recursive: true, force: true }));

  it('lists every changed file once with its status', () => {
    const files = parseUnifiedDiff(diffText).files;
    expect(files.map((file) => [file.path, file.status]).sort()).toEqual(
      [
        ['docs/with space/café "quoted".md', 'added'],
        ['image.png', 'modified'],
        ['no-newline.txt', 'modified'],
        ['schema.sql', 'modified'],
        ['script.sh', 'modified'],
        ['src/keep.py', 'modified'],
        ['src/new-name.py', 'renamed'],
        ['src/new.ts', 'added'],
        ['src/removed.py', 'deleted'],
      ].sort(),
    );
  });

  it('records added lines with their new line numbers', () => {
    const keep = byPath(parseUnifiedDiff(diffText).files, 'src/keep.py');
    expect(keep.addedLines).toEqual([
      { lineNumber: 3, text: 'THREE' },
      { lineNumber: 11, text: 'eleven' },
    ]);
    expect(keep.deletedCount).toBe(1);
  });

  it('keeps the old path of a renamed file', () => {
    const renamed = byPath(parseUnifiedDiff(diffText).files, 'src/new-name.py');
    expect(renamed.oldPath).toBe('src/old-name.py');
    expect(renamed.addedLines).toEqual([{ lineNumber: 8, text: 'h changed' }]);
  });

  it('counts deleted files and new files', () => {
    const files = parseUnifiedDiff(diffText).files;
    expect(byPath(files, 'src/removed.py')).toMatchObject({ deletedCount: 2, addedLines: [] });
    expect(byPath(files, 'src/new.ts').addedLines).toEqual([{ lineNumber: 1, text: 'export const x = 1;' }]);
  });

  it('does not take content lines starting with --- or +++ for headers', () => {
    const schema = byPath(parseUnifiedDiff(diffText).files, 'schema.sql');
    expect(schema.addedLines).toEqual([{ lineNumber: 1, text: '++ not a header' }]);
    expect(schema.deletedCount).toBe(1);
  });

  it('marks binary files and ignores "No newline at end of file"', () => {
    const files = parseUnifiedDiff(diffText).files;
    expect(byPath(files, 'image.png')).toMatchObject({ binary: true, addedLines: [], deletedCount: 0 });
    expect(byPath(files, 'no-newline.txt')).toMatchObject({ addedLines: [{ lineNumber: 1, text: 'last line changed' }], deletedCount: 1 });
  });

  it('decodes quoted paths', () => {
    expect(byPath(parseUnifiedDiff(diffText).files, 'docs/with space/café "quoted".md').addedLines).toHaveLength(1);
  });

  it('summarizes line counts per file', () => {
    const summary = summarizeDiff(parseUnifiedDiff(diffText)).find((file) => file.path === 'src/keep.py');
    expect(summary).toEqual({ path: 'src/keep.py', status: 'modified', binary: false, addedCount: 2, deletedCount: 1 });
  });

  it('reads a binary patch (git diff --binary) without inventing lines', () => {
    const binaryDiff = execFileSync('git', ['diff', '--cached', '--binary', '--', 'image.png', 'src/new.ts'], { cwd: repository, encoding: 'utf8' });
    const files = parseUnifiedDiff(binaryDiff).files;
    expect(byPath(files, 'image.png')).toMatchObject({ binary: true, addedLines: [] });
    expect(byPath(files, 'src/new.ts').addedLines).toHaveLength(1);
  });
});

describe('parseUnifiedDiff on hand-written diffs', () => {
  it('reads a plain diff -u with timestamps and several files', () => {
    const text = [
      '--- a/one.txt\t2024-01-15 18:00:00',
      '+++ b/one.txt\t2024-01-15 18:05:00',
      '@@ -1,2 +1,2 @@',
      ' same',
      '-old',
      '+new',
      '--- /dev/null',
      '+++ b/two.txt',
      '@@ -0,0 +1 @@',
      '+created',
      '',
    ].join('\n');
    expect(parseUnifiedDiff(text).files).toEqual([
      { path: 'one.txt', status: 'modified', binary: false, addedLines: [{ lineNumber: 2, text: 'new' }], deletedCount: 1 },
      { path: 'two.txt', status: 'added', binary: false, addedLines: [{ lineNumber: 1, text: 'created' }], deletedCount: 0 },
    ]);
  });

  it('handles CRLF diffs and a binary file added without a patch', () => {
    const text = 'diff --git a/logo.png b/logo.png\r\nnew file mode 100644\r\nindex 0000000..1111111\r\nBinary files /dev/null and b/logo.png differ\r\n';
    expect(parseUnifiedDiff(text).files).toEqual([{ path: 'logo.png', status: 'added', binary: true, addedLines: [], deletedCount: 0 }]);
  });

  it('yields no files for text that is not a diff', () => {
    expect(parseUnifiedDiff('hello\n+world\n@@ nothing @@').files).toEqual([]);
    expect(parseUnifiedDiff('').files).toEqual([]);
  });
});
