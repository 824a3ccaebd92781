/**
 * Files Nightshift writes for people to read (the batch manifest, review summaries,
 * per-ticket logs), under `.nightshift/` of the target repository. Paths are relative
 * and never built from unchecked ticket text.
 */
export interface ArtifactStore {
  /** Writes the whole file atomically (write to a temporary name, then rename). */
  writeText(relativePath: string, content: string): Promise<string>;
  /** Appends `line` and a newline; `line` may hold several lines, written in one append so a follower sees them whole. */
  appendLine(relativePath: string, line: string): Promise<void>;
  readText(relativePath: string): Promise<string | undefined>;
  /**
   * The complete lines (without their newline) from byte `fromOffset` on, and the offset
   * just after the last of them, so a reader can follow a log being appended to without
   * reading it whole again or seeing half a line. Undefined when the file does not exist.
   */
  readLinesFrom(relativePath: string, fromOffset: number): Promise<ArtifactLines | undefined>;
  /**
   * What lies under a path (a file, or a directory and everything in it; symbolic links
   * are counted, never followed), so `nightshift clean` can say how much it frees.
   * Undefined when nothing is there.
   */
  measure(relativePath: string): Promise<ArtifactSize | undefined>;
  /** Deletes a file or a whole directory under the root; nothing there is not an error. */
  remove(relativePath: string): Promise<void>;
  /** The absolute path a relative artifact path maps to, for telling the user. */
  absolutePath(relativePath: string): string;
}

/** Lines read by {@link ArtifactStore.readLinesFrom}. */
export interface ArtifactLines {
  lines: string[];
  /** Where to read from next time: just after the last complete line returned. */
  nextOffset: number;
}

/** The size of a file or directory tree, as {@link ArtifactStore.measure} finds it. */
export interface ArtifactSize {
  /** The sum of the sizes of its files and links, in bytes. */
  bytes: number;
  /** How many files and links it holds (directories not counted). */
  files: number;
}
