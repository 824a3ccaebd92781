import type { Stats } from 'node:fs';

/**
 * How long after its last change a file must have stayed put before what was read from it
 * is reused. File times move in coarse ticks (a few milliseconds), so a write in the same
 * tick as the read could leave size and times as they were; git calls such files "racy"
 * and looks at them again. Two seconds is far beyond any tick.
 */
export const SETTLED_AFTER_MILLISECONDS = 2_000;

/** Past this many files the cache starts over, so a walk of a huge directory cannot grow it without bound. */
const MAXIMUM_ENTRIES = 20_000;

/**
 * Remembers what was derived from a file's content (a hash, a parsed index) for as long as
 * the file's identity and times stay the same: inode, size, mode, modification and change
 * time. Any write moves the change time, which no process can set back, so a file whose
 * stat is unchanged still holds the content the value was derived from. Files changed in
 * the last {@link SETTLED_AFTER_MILLISECONDS} are never remembered. The confinement
 * snapshots read the same hooks, config and index files several times per ticket; this
 * lets them read each one once.
 */
export class SettledFileCache<T> {
  private readonly entries = new Map<string, { key: string; value: T }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The value derived from `path` as it is now: remembered when its stat is unchanged, otherwise `derive()`. */
  remember(path: string, stats: Stats, derive: () => T): T {
    const key = `${stats.dev}:${stats.ino}:${stats.size}:${stats.mode}:${stats.mtimeMs}:${stats.ctimeMs}`;
    const known = this.entries.get(path);
    if (known !== undefined && known.key === key) return known.value;
    const value = derive();
    if (this.now() - Math.max(stats.mtimeMs, stats.ctimeMs) > SETTLED_AFTER_MILLISECONDS) {
      if (this.entries.size >= MAXIMUM_ENTRIES) this.entries.clear();
      this.entries.set(path, { key, value });
    } else {
      this.entries.delete(path);
    }
    return value;
  }
}
