import { existsSync, realpathSync } from 'node:fs';
import { appendFile, lstat, mkdir, open, readdir, readFile, rm } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { ArtifactLines, ArtifactSize, ArtifactStore } from '../../../ports/artifact-store.js';
import { writeFileAtomically } from '../../shared/write-file-atomically.js';

/**
 * Artifacts as plain files under one root (normally `.nightshift/` of the target
 * repository). Every relative path is resolved and checked to stay inside the root,
 * symlinks included, before anything is read or written.
 */
export class LocalFilesArtifactStore implements ArtifactStore {
  private readonly root: string;
  /** Directories this store has made (or found) and checked, so each is made once. */
  private readonly knownDirectories = new Set<string>();

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
    await this.withDirectory(path, relativePath, () => writeFileAtomically(path, content));
    return path;
  }

  async appendLine(relativePath: string, line: string): Promise<void> {
    const path = this.checkedPath(relativePath);
    await this.withDirectory(path, relativePath, () => appendFile(path, line.endsWith('\n') ? line : `${line}\n`));
  }

  /**
   * Runs `write` once the file's directory exists. A directory made once is not made again
   * for every log line; if it has gone since (`nightshift clean`), it is made again.
   */
  private async withDirectory(path: string, relativePath: string, write: () => Promise<void>): Promise<void> {
    const directory = dirname(path);
    if (this.knownDirectories.has(directory)) {
      try {
        return await write();
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        this.knownDirectories.delete(directory);
      }
    }
    await mkdir(directory, { recursive: true });
    this.requireRealPathInside(path, relativePath);
    this.knownDirectories.add(directory);
    await write();
  }

  async readText(relativePath: string): Promise<string | undefined> {
    const path = this.checkedPath(relativePath);
    try {
      return await readFile(path, 'utf8');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async readLinesFrom(relativePath: string, fromOffset: number): Promise<ArtifactLines | undefined> {
    if (!Number.isSafeInteger(fromOffset) || fromOffset < 0) {
      throw new Error(`artifact store: readLinesFrom(${JSON.stringify(relativePath)}) offset must be a whole number of bytes ≥ 0, got ${fromOffset}`);
    }
    const path = this.checkedPath(relativePath);
    let handle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
    try {
      const { size } = await handle.stat();
      // A file shorter than the offset was replaced, not appended to: read it again from the start.
      const start = size < fromOffset ? 0 : fromOffset;
      const buffer = Buffer.alloc(size - start);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, start);
      const complete = buffer.subarray(0, bytesRead).lastIndexOf(0x0a) + 1;
      if (complete === 0) return { lines: [], nextOffset: start };
      const lines = buffer.subarray(0, complete - 1).toString('utf8').split('\n');
      return { lines, nextOffset: start + complete };
    } finally {
      await handle.close();
    }
  }

  async measure(relativePath: string): Promise<ArtifactSize | undefined> {
    const path = this.checkedPath(relativePath);
    const size: ArtifactSize = { bytes: 0, files: 0 };
    const visit = async (entry: string): Promise<boolean> => {
      let stats;
      try {
        stats = await lstat(entry);
      } catch (error) {
        if (isMissing(error)) return false;
        throw error;
      }
      if (!stats.isDirectory()) {
        size.bytes += stats.size;
        size.files += 1;
        return true;
      }
      const names = await readdir(entry).catch((error: unknown) => {
        if (isMissing(error)) return [];
        throw error;
      });
      for (const name of names) await visit(join(entry, name));
      return true;
    };
    return (await visit(path)) ? size : undefined;
  }

  async remove(relativePath: string): Promise<void> {
    const path = this.checkedPath(relativePath);
    await rm(path, { recursive: true, force: true });
  }

  private checkedPath(relativePath: string): string {
    const path = this.absolutePath(relativePath);
    this.requireRealPathInside(path, relativePath);
    return path;
  }

  /** Refuses a path that only stays inside the root by name while a symlink on the way leads out. */
  private requireRealPathInside(path: string, relativePath: string): void {
    if (!existsSync(this.root)) return;
    if (!isStrictlyInside(realpathSync.native(this.root), realPathOfExistingPart(path))) {
      throw new Error(`artifact store: path ${JSON.stringify(relativePath)} leads out of ${this.root} through a symbolic link`);
    }
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function isStrictlyInside(parent: string, child: string): boolean {
  const inside = relative(parent, child);
  return inside !== '' && inside !== '..' && !inside.startsWith(`..${sep}`) && !isAbsolute(inside);
}

function realPathOfExistingPart(path: string): string {
  if (existsSync(path)) return realpathSync.native(path);
  const parent = dirname(path);
  return parent === path ? path : join(realPathOfExistingPart(parent), basename(path));
}
