import { lstat, readFile, realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { execa } from 'execa';
import type { ChangedFileReader } from '../../../ports/changed-file-reader.js';

/** Limits of the git reader. */
export interface GitChangedFileReaderOptions {
  /** Larger files read as absent (a manifest is never this big); 32 MiB unless told. */
  maximumFileBytes?: number;
}

/** Variables that would point git at another repository than the worktree's. */
const REPOSITORY_VARIABLES = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_ALTERNATE_OBJECT_DIRECTORIES', 'GIT_COMMON_DIR', 'GIT_NAMESPACE', 'GIT_PREFIX'];

/**
 * Reads an MR's files with git: the version before the change from the merge base's
 * tree (`git cat-file blob <base>:<path>`), the version after it from the worktree
 * itself. Symbolic links and paths leaving the worktree read as absent, so an agent
 * cannot make the gates read a file outside its worktree.
 */
export class GitChangedFileReader implements ChangedFileReader {
  private readonly maximumFileBytes: number;

  constructor(options: GitChangedFileReaderOptions = {}) {
    this.maximumFileBytes = options.maximumFileBytes ?? 32 * 1024 * 1024;
  }

  async readBefore(request: { worktreePath: string; baseRef: string; path: string }): Promise<string | undefined> {
    if (request.baseRef.startsWith('-') || !isRepositoryPath(request.path)) return undefined;
    const base = await git(['merge-base', 'HEAD', request.baseRef], request.worktreePath);
    if (base.exitCode !== 0) throw new Error(`changed-file reader: no merge base of HEAD and ${request.baseRef} in ${request.worktreePath}: ${base.stderr.trim()}`);
    const object = `${base.stdout.trim()}:${request.path}`;
    const type = await git(['cat-file', '-t', object], request.worktreePath);
    if (type.exitCode !== 0 || type.stdout.trim() !== 'blob') return undefined;
    const size = await git(['cat-file', '-s', object], request.worktreePath);
    if (Number(size.stdout.trim()) > this.maximumFileBytes) return undefined;
    const blob = await git(['cat-file', 'blob', object], request.worktreePath);
    return blob.exitCode === 0 ? blob.stdout : undefined;
  }

  async readAfter(request: { worktreePath: string; path: string }): Promise<string | undefined> {
    if (!isRepositoryPath(request.path)) return undefined;
    const root = await realpath(request.worktreePath);
    const absolutePath = resolve(root, request.path);
    try {
      const stats = await lstat(absolutePath);
      if (!stats.isFile() || stats.size > this.maximumFileBytes || !isInside(root, await realpath(absolutePath))) return undefined;
      return await readFile(absolutePath, 'utf8');
    } catch {
      return undefined;
    }
  }
}

/** A relative path inside the repository: no absolute paths, no `..` segments, nothing in `.git`. */
function isRepositoryPath(path: string): boolean {
  const segments = path.split(/[\\/]/);
  return path !== '' && !isAbsolute(path) && !segments.includes('..') && segments[0] !== '.git';
}

/** Whether a real path lies strictly inside a real directory (a linked parent directory may point elsewhere). */
function isInside(root: string, path: string): boolean {
  const inside = relative(root, path);
  return inside !== '' && inside !== '..' && !inside.startsWith(`..${sep}`) && !isAbsolute(inside);
}

async function git(gitArguments: string[], cwd: string): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const environment: Record<string, string> = { GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' };
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined && !REPOSITORY_VARIABLES.includes(name)) environment[name] ??= value;
  const result = await execa('git', gitArguments, { cwd, reject: false, env: environment, extendEnv: false, stripFinalNewline: false, maxBuffer: 64 * 1024 * 1024 });
  return { exitCode: result.exitCode ?? 1, stdout: String(result.stdout), stderr: String(result.stderr) };
}
