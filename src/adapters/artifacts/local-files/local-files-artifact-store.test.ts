import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalFilesArtifactStore } from './local-files-artifact-store.js';

describe('LocalFilesArtifactStore', () => {
  let parent: string;
  let root: string;
  let store: LocalFilesArtifactStore;

  beforeEach(() => {
    parent = mkdtempSync(join(tmpdir(), 'nightshift-artifacts-'));
    root = join(parent, '.nightshift');
    store = new LocalFilesArtifactStore(root);
  });
  afterEach(() => rmSync(parent, { recursive: true, force: true }));

  it('writes a file, creating its directories, and returns its absolute path', async () => {
    const path = await store.writeText('batches/2024-01-15-overnight/manifest.yaml', 'batch_id: "2024-01-15-overnight"\n');
    expect(path).toBe(join(root, 'batches', '2024-01-15-overnight', 'manifest.yaml'));
    expect(readFileSync(path, 'utf8')).toBe('batch_id: "2024-01-15-overnight"\n');
    expect(await store.readText('batches/2024-01-15-overnight/manifest.yaml')).toBe('batch_id: "2024-01-15-overnight"\n');
  });

  it('replaces a file whole and leaves no temporary file behind', async () => {
    await store.writeText('summary.md', 'first version, rather long\n');
    await Promise.all(Array.from({ length: 20 }, (_, index) => store.writeText('summary.md', `v${index}\n`)));
    expect(readFileSync(join(root, 'summary.md'), 'utf8')).toMatch(/^v\d+\n$/);
    expect(readdirSync(root)).toEqual(['summary.md']);
  });

  it('appends lines, creating the file and its parents', async () => {
    await store.appendLine('logs/PROJ-142.jsonl', '{"type":"agent-start"}');
    await store.appendLine('logs/PROJ-142.jsonl', '{"type":"agent-end"}\n');
    expect(readFileSync(join(root, 'logs', 'PROJ-142.jsonl'), 'utf8')).toBe('{"type":"agent-start"}\n{"type":"agent-end"}\n');
  });

  it('answers undefined for a file that does not exist', async () => {
    expect(await store.readText('missing.txt')).toBeUndefined();
    expect(await store.readText('missing/deeper.txt')).toBeUndefined();
  });

  it.each(['../escape.txt', 'logs/../../escape.txt', '..', '.', '', '/etc/passwd', 'C:\\Windows\\x', 'a\0b'])(
    'refuses the path %j',
    async (relativePath) => {
      expect(() => store.absolutePath(relativePath)).toThrow(/artifact store/);
      await expect(store.writeText(relativePath, 'x')).rejects.toThrow(/artifact store/);
      await expect(store.appendLine(relativePath, 'x')).rejects.toThrow(/artifact store/);
      await expect(store.readText(relativePath)).rejects.toThrow(/artifact store/);
      await expect(store.readLinesFrom(relativePath, 0)).rejects.toThrow(/artifact store/);
      await expect(store.measure(relativePath)).rejects.toThrow(/artifact store/);
      await expect(store.remove(relativePath)).rejects.toThrow(/artifact store/);
    },
  );

  it('checks at a directory boundary, so a sibling sharing the prefix is outside', async () => {
    expect(() => store.absolutePath('../.nightshift-evil/x')).toThrow(/leaves/);
    expect(store.absolutePath('logs/../summary.md')).toBe(join(root, 'summary.md'));
  });

  it('refuses to follow a symbolic link out of the root', async () => {
    const outside = join(parent, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'secret.txt'), 'secret');
    mkdirSync(root, { recursive: true });
    symlinkSync(outside, join(root, 'link'));
    await expect(store.writeText('link/new.txt', 'x')).rejects.toThrow(/symbolic link/);
    await expect(store.readText('link/secret.txt')).rejects.toThrow(/symbolic link/);
    await expect(store.appendLine('link/log.txt', 'x')).rejects.toThrow(/symbolic link/);
    await expect(store.remove('link/secret.txt')).rejects.toThrow(/symbolic link/);
    await expect(store.measure('link/secret.txt')).rejects.toThrow(/symbolic link/);
    expect(readdirSync(outside)).toEqual(['secret.txt']);
  });

  describe('readLinesFrom', () => {
    it('returns only complete lines and the offset to go on from, across multi-byte characters', async () => {
      expect(await store.readLinesFrom('logs/a.ndjson', 0)).toBeUndefined();
      await store.appendLine('logs/a.ndjson', '{"text":"é✓"}');
      const path = join(root, 'logs', 'a.ndjson');
      appendFileSync(path, '{"text":"half');
      const first = await store.readLinesFrom('logs/a.ndjson', 0);
      expect(first).toEqual({ lines: ['{"text":"é✓"}'], nextOffset: Buffer.byteLength('{"text":"é✓"}\n') });
      expect(await store.readLinesFrom('logs/a.ndjson', first?.nextOffset ?? -1)).toEqual({ lines: [], nextOffset: first?.nextOffset });
      appendFileSync(path, ' done"}\n{"n":2}\n');
      const second = await store.readLinesFrom('logs/a.ndjson', first?.nextOffset ?? -1);
      expect(second?.lines).toEqual(['{"text":"half done"}', '{"n":2}']);
      expect(second?.nextOffset).toBe(readFileSync(path).length);
    });

    it('starts again from the beginning when the file was replaced by a shorter one', async () => {
      await store.writeText('a.txt', 'one\ntwo\nthree\n');
      await store.writeText('a.txt', 'new\n');
      expect(await store.readLinesFrom('a.txt', 14)).toEqual({ lines: ['new'], nextOffset: 4 });
    });

    it('refuses an offset that is not a whole number of bytes', async () => {
      await expect(store.readLinesFrom('a.txt', -1)).rejects.toThrow(/offset/);
      await expect(store.readLinesFrom('a.txt', 1.5)).rejects.toThrow(/offset/);
    });
  });

  describe('measure and remove', () => {
    it('measures a file, a tree and nothing, counting links without following them', async () => {
      const outside = join(parent, 'outside');
      mkdirSync(outside);
      writeFileSync(join(outside, 'big.bin'), Buffer.alloc(10_000));
      await store.writeText('worktrees/PROJ-1/src/a.txt', '12345');
      await store.writeText('worktrees/PROJ-1/b.txt', '123');
      symlinkSync(outside, join(root, 'worktrees', 'PROJ-1', 'link'));
      const linkSize = Buffer.byteLength(outside);
      expect(await store.measure('worktrees/PROJ-1')).toEqual({ bytes: 8 + linkSize, files: 3 });
      expect(await store.measure('worktrees/PROJ-1/b.txt')).toEqual({ bytes: 3, files: 1 });
      expect(await store.measure('worktrees/PROJ-2')).toBeUndefined();
    });

    it('removes a tree, never what a link inside it points to, and accepts a path that is not there', async () => {
      const outside = join(parent, 'outside');
      mkdirSync(outside);
      writeFileSync(join(outside, 'keep.txt'), 'keep');
      await store.writeText('agent-homes/b/PROJ-1/.claude/settings.json', '{}');
      symlinkSync(outside, join(root, 'agent-homes', 'b', 'PROJ-1', 'link'));
      await store.remove('agent-homes/b/PROJ-1');
      expect(existsSync(join(root, 'agent-homes', 'b', 'PROJ-1'))).toBe(false);
      expect(existsSync(join(root, 'agent-homes', 'b'))).toBe(true);
      expect(readFileSync(join(outside, 'keep.txt'), 'utf8')).toBe('keep');
      await store.remove('agent-homes/b/PROJ-1');
    });
  });
});
