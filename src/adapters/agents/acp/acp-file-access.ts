import { mkdir, readFile, realpath, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { decideToolPermission, type PermissionDecision, type StagePolicy } from './acp-permission-policy.js';

/**
 * The real path of a file that may not exist yet: the deepest existing ancestor with its
 * symbolic links resolved, and the missing rest appended. A link inside the worktree that
 * points outside it therefore resolves outside it, which is the point.
 */
export async function resolveRealPath(absolutePath: string): Promise<string> {
  const missing: string[] = [];
  let current = resolve(absolutePath);
  for (;;) {
    try {
      return join(await realpath(current), ...missing.reverse());
    } catch {
      const parent = dirname(current);
      if (parent === current) return join(current, ...missing.reverse());
      missing.push(basename(current));
      current = parent;
    }
  }
}

/** Why a file request failed: the policy refused it, the file does not exist, or the file system failed. */
export type FileAccessFailure = { ok: false; kind: 'refused' | 'missing' | 'error'; reason: string };
export type FileReadResult = { ok: true; content: string } | FileAccessFailure;
export type FileWriteResult = { ok: true } | FileAccessFailure;

/**
 * The ACP client's file methods (`fs/read_text_file`, `fs/write_text_file`) under the stage's
 * policy: reads inside the worktree at every stage, writes inside it (not in `.git`) at C2 only,
 * both judged on the real path, so neither `..` nor a symbolic link leads outside.
 */
export class AcpFileAccess {
  constructor(private readonly policy: StagePolicy) {}

  /** Reads a text file, from a 1-based `line` and for `limit` lines when given. */
  async read(path: string, line?: number | null, limit?: number | null): Promise<FileReadResult> {
    const checked = await this.check('read', path);
    if (!checked.ok) return checked;
    let content: string;
    try {
      content = await readFile(checked.realPath, 'utf8');
    } catch (error) {
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      return { ok: false, kind: missing ? 'missing' : 'error', reason: `cannot read ${path}: ${(error as Error).message}` };
    }
    if ((line === undefined || line === null) && (limit === undefined || limit === null)) return { ok: true, content };
    const start = Math.max(1, line ?? 1) - 1;
    const lines = content.split('\n');
    return { ok: true, content: lines.slice(start, limit === undefined || limit === null ? undefined : start + Math.max(0, limit)).join('\n') };
  }

  /** Writes a text file, creating it and its missing parent directories. */
  async write(path: string, content: string): Promise<FileWriteResult> {
    const checked = await this.check('edit', path);
    if (!checked.ok) return checked;
    try {
      await mkdir(dirname(checked.realPath), { recursive: true });
      await writeFile(checked.realPath, content, 'utf8');
      return { ok: true };
    } catch (error) {
      return { ok: false, kind: 'error', reason: `cannot write ${path}: ${(error as Error).message}` };
    }
  }

  private async check(kind: 'read' | 'edit', path: string): Promise<{ ok: true; realPath: string } | FileAccessFailure> {
    if (!isAbsolute(path)) return { ok: false, kind: 'refused', reason: `${path} is not an absolute path` };
    const realPath = await resolveRealPath(path);
    const decision: PermissionDecision = decideToolPermission(kind, [realPath], this.policy);
    return decision.allowed ? { ok: true, realPath } : { ok: false, kind: 'refused', reason: decision.reason };
  }
}
