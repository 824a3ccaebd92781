import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { buildReplacePatch, buildWritePatch } from './apply-patch-text.js';

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** Codex's native binary applies a patch when it is started under the name `apply_patch`. */
const codexNative = join(repositoryRoot, 'node_modules/@openai/codex-linux-x64/vendor/x86_64-unknown-linux-musl/bin/codex');
const directory = mkdtempSync(join(tmpdir(), 'nightshift-apply-patch-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function applyWithCodex(patch: string): void {
  const tool = join(directory, 'apply_patch');
  if (!existsSync(tool)) symlinkSync(codexNative, tool);
  execFileSync(tool, [patch], { cwd: directory, stdio: 'pipe' });
}

describe('buildWritePatch and buildReplacePatch', () => {
  it('write a file as Add File lines, and replace whole lines around the old text', () => {
    expect(buildWritePatch('a/b.txt', 'one\ntwo\n')).toBe('*** Begin Patch\n*** Add File: a/b.txt\n+one\n+two\n*** End Patch\n');
    expect(buildWritePatch('empty.txt', '')).toBe('*** Begin Patch\n*** Add File: empty.txt\n*** End Patch\n');
    expect(buildReplacePatch('f', 'a\nkeep old here\nz\n', 'old', 'new')).toBe('*** Begin Patch\n*** Update File: f\n-keep old here\n+keep new here\n*** End Patch\n');
    expect(buildReplacePatch('f', 'a\nb\n', 'absent', 'x')).toBeUndefined();
  });

  it('take the next line in when the new text removes a line break', () => {
    expect(buildReplacePatch('f', 'x\na\nb\n', 'a\n', 'a')).toBe('*** Begin Patch\n*** Update File: f\n-a\n-b\n+ab\n*** End Patch\n');
  });

  const sameAsCodex = existsSync(codexNative) ? it : it.skip;
  sameAsCodex('give the same file as a plain replacement when Codex applies them (newline-terminated, as Codex writes)', () => {
    const text = fc.array(fc.constantFrom('a', 'b', ' ', '\n', 'x y', '\t'), { maxLength: 30 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, fc.nat(), fc.integer({ min: 1, max: 6 }), text, (content, at, length, replacement) => {
        const file = join(directory, 'file.txt');
        writeFileSync(file, content);
        const start = content.length === 0 ? 0 : at % content.length;
        const oldText = content.slice(start, start + length);
        fc.pre(oldText.length > 0 && content.indexOf(oldText) === start);
        const patch = buildReplacePatch('file.txt', content, oldText, replacement);
        if (patch === undefined) throw new Error('no patch for text that is in the file');
        applyWithCodex(patch);
        const expected = content.slice(0, start) + replacement + content.slice(start + oldText.length);
        expect(readFileSync(file, 'utf8')).toBe(expected === '' || expected.endsWith('\n') ? expected : `${expected}\n`);
      }),
      { numRuns: 60 },
    );
    writeFileSync(join(directory, 'written.txt'), 'old content\n');
    applyWithCodex(buildWritePatch('written.txt', 'one\ntwo\n'));
    expect(readFileSync(join(directory, 'written.txt'), 'utf8')).toBe('one\ntwo\n');
  });
});
