import type { SecuritySeverity } from '../domain/secret-scan.js';

/**
 * Looks for credentials in files (secretlint, or any scanner a team prefers). The gates
 * give it the files a change touched and keep only what it finds on added lines.
 * Adapters never return a secret's value: only its masked form leaves the adapter,
 * because findings are stored, logged, written into MR descriptions and SARIF files.
 */
export interface SecretScanner {
  /** The scanner's name, e.g. `secretlint`, for logs. */
  readonly name: string;
  /**
   * Scans files given relative to `directory`. Files that are missing, binary, too large,
   * symbolic links or outside the directory are skipped and named in `skipped`.
   */
  scanFiles(request: { directory: string; paths: readonly string[] }): Promise<SecretScanOutcome>;
}

/** What a scan found, and which files it could not look at. */
export interface SecretScanOutcome {
  secrets: DetectedSecret[];
  skipped: SkippedFile[];
}

/** One secret in one file. */
export interface DetectedSecret {
  /** Relative to the scanned directory, with `/` separators. */
  path: string;
  /** 1-based line where the secret starts. */
  line: number;
  /** The scanner's rule, e.g. `secretlint/github`. */
  rule: string;
  severity: SecuritySeverity;
  /** What kind of secret, for people: `GitHub token`, `PostgreSQL connection string`. */
  kind: string;
  /** Enough to find it again, never enough to use it (see `maskSecret`). */
  maskedValue: string;
}

/** A file the scanner did not read, and why (`binary`, `missing`, `a symbolic link …`). */
export interface SkippedFile {
  path: string;
  reason: string;
}
