import { existsSync, realpathSync } from 'node:fs';
import { lstat, readFile, rm, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { WorktreeFileRead, WorktreeFileRemoval } from '../../../ports/workspace.js';

/**
 * Reading and deleting single files inside a ticket's worktree (the reports checks
 * write), refusing any path that leads out of it: the worktree holds code an agent
 * wrote, which may have planted a symbolic link to a file of the user's.
 */

/** Files larger than this are not read unless the caller allows more. */
export const DEFAULT_MAXIMUM_READ_BYTES = 20 * 1024 * 1024;

type Located = { ok: true; path: string } | { ok: false; reason: string };

export async function readWorktreeFile(worktreePath: string, relativePath: string, maximumBytes = DEFAULT_MAXIMUM_READ_BYTES): Promise<WorktreeFileRead> {
  const located = locateInWorktree(worktreePath, relativePath, { followFinalLink: true });
  if (!located.ok) return { status: 'refused', reason: located.reason };
  const found = await stat(located.path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
    throw error;
  });
  if (found === undefined) return { status: 'missing' };
  if (!found.isFile()) return { status: 'refused', reason: `${relativePath} is not a regular file` };
  if (found.size > maximumBytes) return { status: 'refused', reason: `${relativePath} is ${found.size} bytes, more than the ${maximumBytes} that are read` };
  return { status: 'read', text: await readFile(located.path, 'utf8') };
}

export async function removeWorktreeFile(worktreePath: string, relativePath: string): Promise<WorktreeFileRemoval> {
  const located = locateInWorktree(worktreePath, relativePath, { followFinalLink: false });
  if (!located.ok) return { status: 'refused', reason: located.reason };
  const found = await lstat(located.path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
    throw error;
  });
  if (found === undefined) return { status: 'missing' };
  if (found.isDirectory()) return { status: 'refused', reason: `${relativePath} is a directory, not a file` };
  await rm(located.path, { force: true });
  return { status: 'removed' };
}

/**
 * The absolute path of `relativePath` inside the worktree, or why it is refused. The
 * directories on the way are resolved through their symbolic links; so is the file
 * itself when it is to be read (a link to a file inside is fine), but not when it is
 * to be deleted (deleting a link only removes the link).
 */
function locateInWorktree(worktreePath: string, relativePath: string, options: { followFinalLink: boolean }): Located {
  if (relativePath.trim() === '' || relativePath.includes('\0')) return { ok: false, reason: `${JSON.stringify(relativePath)} is not a file path` };
  if (isAbsolute(relativePath) || /^[A-Za-z]:/.test(relativePath)) return { ok: false, reason: `${relativePath} is absolute: paths are relative to the worktree` };
  const root = realPath(worktreePath);
  const lexical = resolve(root, relativePath);
  if (!isInside(root, lexical)) return { ok: false, reason: `${relativePath} leads outside the worktree` };
  const parent = realPath(dirname(lexical));
  const resolved = options.followFinalLink ? realPath(lexical) : join(parent, basename(lexical));
  if ((parent !== root && !isInside(root, parent)) || !isInside(root, resolved)) return { ok: false, reason: `${relativePath} leads outside the worktree through a symbolic link` };
  return { ok: true, path: resolved };
}

function isInside(root: string, path: string): boolean {
  const inside = relative(root, path);
  return inside !== '' && inside !== '..' && !inside.startsWith(`..${sep}`) && !isAbsolute(inside);
}

/** The real path of `path`, or of its closest existing ancestor with the rest appended. */
function realPath(path: string): string {
  const absolute = resolve(path);
  if (existsSync(absolute)) return realpathSync.native(absolute);
  const parent = dirname(absolute);
  return parent === absolute ? absolute : join(realPath(parent), basename(absolute));
}
