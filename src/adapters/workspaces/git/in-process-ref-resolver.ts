import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { isPlainBranchName } from './plain-branch-name.js';
import { readTextOrUndefined } from '../../shared/quiet-file-reads.js';

const OBJECT_ID = /^[0-9a-f]{40}$/;
const MAXIMUM_SYMBOLIC_DEPTH = 5;

/**
 * Resolves the common cases of `git rev-parse` without a git process: a plain branch
 * name as a start point, and the HEAD of a linked worktree after a commit. Each git
 * process costs about as much as the rest of a ticket's bookkeeping, and these two run
 * for every ticket. Anything this does not read exactly — a name a tag or another ref
 * could shadow, a packed ref with a peeled line, the reftable format, SHA-256 ids, a
 * symbolic chain too long — answers undefined, and the caller asks git.
 */
export class InProcessRefResolver {
  constructor(private readonly commonDirectory: string) {}

  /**
   * The commit `refs/heads/<branch>` names, when `<branch>` would mean that ref to
   * `git rev-parse`: nothing earlier in git's lookup order (`$GIT_DIR/<name>`,
   * `refs/<name>`, `refs/tags/<name>`) exists.
   */
  branchCommit(branch: string): string | undefined {
    if (!isPlainBranchName(branch) || /^[A-Z_]+$/.test(branch) || this.usesReftable()) return undefined;
    for (const shadowing of [branch, `refs/${branch}`, `refs/tags/${branch}`]) {
      if (this.refExistsOrUnknown(shadowing)) return undefined;
    }
    return this.resolveRef(`refs/heads/${branch}`, 0);
  }

  /** The commit a linked worktree's HEAD names, from its `.git` file and its own HEAD. */
  worktreeHeadCommit(worktreePath: string): string | undefined {
    if (this.usesReftable()) return undefined;
    const link = /^gitdir:\s*(.+?)\s*$/m.exec(readTextOrUndefined(join(worktreePath, '.git')) ?? '')?.[1];
    if (link === undefined) return undefined;
    const administrative = resolve(worktreePath, link);
    const commonLink = readTextOrUndefined(join(administrative, 'commondir'))?.trim();
    if (commonLink === undefined || resolve(administrative, commonLink) !== resolve(this.commonDirectory)) return undefined;
    const head = readTextOrUndefined(join(administrative, 'HEAD'))?.trim();
    if (head === undefined) return undefined;
    if (OBJECT_ID.test(head)) return head;
    const target = /^ref: (refs\/heads\/\S+)$/.exec(head)?.[1];
    return target === undefined ? undefined : this.resolveRef(target, 0);
  }

  private resolveRef(name: string, depth: number): string | undefined {
    if (depth > MAXIMUM_SYMBOLIC_DEPTH || name.includes('..') || isAbsolute(name)) return undefined;
    const loose = readTextOrUndefined(join(this.commonDirectory, name));
    if (loose !== undefined) {
      const content = loose.trim();
      if (OBJECT_ID.test(content)) return content;
      const target = /^ref: (refs\/\S+)$/.exec(content)?.[1];
      return target === undefined ? undefined : this.resolveRef(target, depth + 1);
    }
    if (existsSync(join(this.commonDirectory, name))) return undefined;
    return this.packedRef(name);
  }

  /** True when the ref exists, loose or packed — or when that cannot be told for sure. */
  private refExistsOrUnknown(name: string): boolean {
    if (existsSync(join(this.commonDirectory, name))) return true;
    const packed = this.readPackedRefs();
    return packed === undefined || packed.has(name);
  }

  private packedRef(name: string): string | undefined {
    const packed = this.readPackedRefs();
    const entry = packed?.get(name);
    return entry?.peeled === false ? entry.objectId : undefined;
  }

  /** `packed-refs` as name → object id; `peeled` marks an entry followed by a `^` line (an annotated tag). */
  private readPackedRefs(): Map<string, { objectId: string; peeled: boolean }> | undefined {
    const text = readTextOrUndefined(join(this.commonDirectory, 'packed-refs'));
    const refs = new Map<string, { objectId: string; peeled: boolean }>();
    if (text === undefined) return existsSync(join(this.commonDirectory, 'packed-refs')) ? undefined : refs;
    let previous: { objectId: string; peeled: boolean } | undefined;
    for (const line of text.split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      if (line.startsWith('^')) {
        if (previous === undefined) return undefined;
        previous.peeled = true;
        continue;
      }
      const objectId = line.slice(0, 40);
      const name = line.slice(41);
      if (!OBJECT_ID.test(objectId) || line[40] !== ' ' || !name.startsWith('refs/')) return undefined;
      previous = { objectId, peeled: false };
      refs.set(name, previous);
    }
    return refs;
  }

  private usesReftable(): boolean {
    return existsSync(join(this.commonDirectory, 'reftable'));
  }
}
