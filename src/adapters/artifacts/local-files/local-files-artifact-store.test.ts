import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
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
    expect(readdirSync(outside)).toEqual(['secret.txt']);
  });
});
