import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AcpFileAccess, resolveRealPath } from './acp-file-access.js';

describe('AcpFileAccess', () => {
  let root: string;
  let worktree: string;

  beforeEach(() => {
    root = realpathSync(mkdtempSync(join(tmpdir(), 'nightshift-acp-files-')));
    worktree = join(root, 'ws');
    mkdirSync(join(worktree, '.git'), { recursive: true });
    mkdirSync(join(root, 'ws-evil'));
    writeFileSync(join(worktree, 'lines.txt'), 'one\ntwo\nthree\nfour');
    writeFileSync(join(root, 'ws-evil', 'secret.txt'), 'secret');
    symlinkSync(join(root, 'ws-evil'), join(worktree, 'link-out'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const access = (stage: 'read-only' | 'edit-worktree'): AcpFileAccess => new AcpFileAccess({ access: stage, worktreeRealPath: worktree });

  it('reads inside the worktree, whole or from a 1-based line for a number of lines', async () => {
    expect(await access('read-only').read(join(worktree, 'lines.txt'))).toEqual({ ok: true, content: 'one\ntwo\nthree\nfour' });
    expect(await access('read-only').read(join(worktree, 'lines.txt'), 2, 2)).toEqual({ ok: true, content: 'two\nthree' });
  });

  it('refuses reads outside the worktree, through a sibling with a shared prefix, .. or a symbolic link', async () => {
    for (const path of [join(root, 'ws-evil', 'secret.txt'), join(worktree, '..', 'ws-evil', 'secret.txt'), join(worktree, 'link-out', 'secret.txt')]) {
      expect(await access('edit-worktree').read(path)).toEqual({ ok: false, kind: 'refused', reason: `${join(root, 'ws-evil', 'secret.txt')} is outside the worktree` });
    }
    expect(await access('edit-worktree').read('lines.txt')).toEqual({ ok: false, kind: 'refused', reason: 'lines.txt is not an absolute path' });
  });

  it('tells a missing file (which agents read before creating it) from a refusal', async () => {
    expect(await access('read-only').read(join(worktree, 'missing.txt'))).toMatchObject({ ok: false, kind: 'missing', reason: expect.stringContaining('ENOENT') });
  });

  it('writes inside the worktree at C2, creating missing directories, and refuses at C0/C1', async () => {
    expect(await access('read-only').write(join(worktree, 'new.txt'), 'no')).toMatchObject({ ok: false, kind: 'refused', reason: expect.stringContaining('read-only') });
    expect(existsSync(join(worktree, 'new.txt'))).toBe(false);
    expect(await access('edit-worktree').write(join(worktree, 'deep', 'new.txt'), 'yes')).toEqual({ ok: true });
    expect(readFileSync(join(worktree, 'deep', 'new.txt'), 'utf8')).toBe('yes');
  });

  it('refuses writes through a link out of the worktree and into .git', async () => {
    expect(await access('edit-worktree').write(join(worktree, 'link-out', 'planted.txt'), 'x')).toMatchObject({ ok: false, reason: expect.stringContaining('outside the worktree') });
    expect(existsSync(join(root, 'ws-evil', 'planted.txt'))).toBe(false);
    expect(await access('edit-worktree').write(join(worktree, '.git', 'hooks', 'pre-commit'), 'x')).toMatchObject({ ok: false, reason: expect.stringContaining('.git') });
  });
});

describe('resolveRealPath', () => {
  it('resolves links in the existing part of a path and keeps the missing rest', async () => {
    const root = realpathSync(mkdtempSync(join(tmpdir(), 'nightshift-real-path-')));
    try {
      mkdirSync(join(root, 'target'));
      symlinkSync(join(root, 'target'), join(root, 'link'));
      expect(await resolveRealPath(join(root, 'link', 'missing', 'file.txt'))).toBe(join(root, 'target', 'missing', 'file.txt'));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
