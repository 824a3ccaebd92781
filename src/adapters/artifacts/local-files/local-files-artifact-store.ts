import { existsSync, realpathSync } from 'node:fs';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { ArtifactStore } from '../../../ports/artifact-store.js';
import { writeFileAtomically } from '../../shared/write-file-atomically.js';

/**
 * Artifacts as plain files under one root (normally `.nightshift/` of the target
 * repository). Every relative path is resolved and checked to stay inside the root,
 * symlinks included, before anything is read or written.
 */
export class LocalFilesArtifactStore implements ArtifactStore {
  private readonly root: string;

  constructor(rootDirectory: string) {
    this.root = resolve(rootDirectory);
  }

  absolutePath(relativePath: string): string {
    if (typeof relativePath !== 'string' || relativePath.trim() === '' || relativePath.includes('\0')) {
      throw new Error(`artifact store: path ${JSON.stringify(relativePath)} must be a non-empty relative path`);
    }
    if (isAbsolute(relativePath) || /^[A-Za-z]:[\\/]/.test(relativePath) || relativePath.startsWith('\\')) {
      throw new Error(`artifact store: path ${JSON.stringify(relativePath)} must be relative to ${this.root}, not absolute`);
    }
    const absolute = resolve(this.root, relativePath);
    if (!isStrictlyInside(this.root, absolute)) {
      throw new Error(`artifact store: path ${JSON.stringify(relativePath)} leaves the artifact directory ${this.root}`);
    }
    return absolute;
  }

  async writeText(relativePath: string, content: string): Promise<string> {
    const path = this.checkedPath(relativePath);
    await mkdir(dirname(path), { recursive: true });
    this.requireRealPathInside(path, relativePath);
    await writeFileAtomically(path, content);
    return path;
  }

  async appendLine(relativePath: string, line: string): Promise<void> {
    const path = this.checkedPath(relativePath);
    await mkdir(dirname(path), { recursive: true });
    this.requireRealPathInside(path, relativePath);
    await appendFile(path, line.endsWith('\n') ? line : `${line}\n`);
  }

  async readText(relativePath: string): Promise<string | undefined> {
    const path = this.checkedPath(relativePath);
    try {
      return await readFile(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw error;
    }
  }

  private checkedPath(relativePath: string): string {
    const path = this.absolutePath(relativePath);
    this.requireRealPathInside(path, relativePath);
    return path;
  }

  /** Refuses a path that only stays inside the root by name while a symlink on the way leads out. */
  private requireRealPathInside(path: string, relativePath: string): void {
    if (!existsSync(this.root)) return;
    if (!isStrictlyInside(realpathSync(this.root), realPathOfExistingPart(path))) {
      throw new Error(`artifact store: path ${JSON.stringify(relativePath)} leads out of ${this.root} through a symbolic link`);
    }
  }
}

function isStrictlyInside(parent: string, child: string): boolean {
  const inside = relative(parent, child);
  return inside !== '' && inside !== '..' && !inside.startsWith(`..${sep}`) && !isAbsolute(inside);
}

function realPathOfExistingPart(path: string): string {
  if (existsSync(path)) return realpathSync(path);
  const parent = dirname(path);
  return parent === path ? path : join(realPathOfExistingPart(parent), basename(path));
}
