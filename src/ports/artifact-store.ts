/**
 * Files Nightshift writes for people to read (the batch manifest, review summaries,
 * per-ticket logs), under `.nightshift/` of the target repository. Paths are relative
 * and never built from unchecked ticket text.
 */
export interface ArtifactStore {
  /** Writes the whole file atomically (write to a temporary name, then rename). */
  writeText(relativePath: string, content: string): Promise<string>;
  appendLine(relativePath: string, line: string): Promise<void>;
  readText(relativePath: string): Promise<string | undefined>;
  /** The absolute path a relative artifact path maps to, for telling the user. */
  absolutePath(relativePath: string): string;
}
