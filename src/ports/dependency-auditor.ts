import type { DependencyVulnerability } from '../domain/dependency-changes.js';

export type { DependencyAdvisory, DependencyVulnerability } from '../domain/dependency-changes.js';

/**
 * Asks an advisory database which installed dependencies have known vulnerabilities
 * (`npm audit` by default; the command is the owner's configuration). An audit that
 * cannot run (no lock file, no network, a timeout) is a value with the reason, so the
 * gates can tell the reviewer the dependencies went unchecked.
 */
export interface DependencyAuditor {
  audit(request: DependencyAuditRequest): Promise<DependencyAuditOutcome>;
}

/** Which project of an MR's worktree to audit, and for how long at most. */
export interface DependencyAuditRequest {
  /** The worktree of the MR. */
  worktreePath: string;
  /** The project directory to audit, relative to the worktree (`''` for its root). */
  directory: string;
  timeoutMilliseconds: number;
}

/** The vulnerabilities the audit found, or why it could not tell. */
export type DependencyAuditOutcome = { ok: true; vulnerabilities: DependencyVulnerability[] } | { ok: false; reason: string };
