import { changedNpmPackages, compareDependencyManifests, dependencyChangeFindings, directoryOf, isDependencyManifest, vulnerabilityFindings, type DependencyChange, type ManifestVersions } from '../domain/dependency-changes.js';
import { scanAddedLinesForDangerousPatterns } from '../domain/dangerous-patterns.js';
import { mergeSecurityFindings } from '../domain/merge-security-findings.js';
import { scanTicketForPromptInjection } from '../domain/prompt-injection.js';
import { riskyPathRulesFromGlobs } from '../domain/risky-path-rules.js';
import { buildSarifLog, formatSarifLog } from '../domain/sarif-report.js';
import { countSecurityFlags, flagRiskyPaths, scanAddedLinesForSecrets, type SecurityFinding } from '../domain/secret-scan.js';
import type { Ticket } from '../domain/ticket.js';
import type { ParsedDiff } from '../domain/unified-diff.js';
import type { PipelineDependencies, PipelineSettings } from './pipeline-dependencies.js';
import { TicketLog } from './ticket-log.js';

/** What the security checks of one MR look at. */
export interface SecurityCheckRequest {
  batchId: string;
  ticket: Ticket;
  /** The MR's worktree, checked out at the commit being gated. */
  worktreePath: string;
  /** The MR's diff against its target branch, parsed. */
  diff: ParsedDiff;
  /** The branch the MR goes into (the base branch, or the branch of a ticket it is stacked on). */
  targetBranch: string;
}

/** What the checks found for one MR, and where its SARIF log is. */
export interface SecurityCheckReport {
  /** Every finding, masked, merged and sorted (most severe first). */
  findings: SecurityFinding[];
  /** Where the SARIF log was written (absolute). */
  sarifPath: string;
}

/** The ports and settings the checks use; a full {@link PipelineDependencies} fits. */
export type SecurityCheckDependencies = Pick<PipelineDependencies, 'secretScanner' | 'dependencyAuditor' | 'changedFileReader' | 'artifacts' | 'clock'> & {
  settings: Pick<PipelineSettings, 'security' | 'gateTimeoutMinutes'>;
};

/** Where an MR's SARIF log lives, relative to `.nightshift/`. */
export function sarifReportPath(batchId: string, ticketId: string): string {
  return `batches/${batchId}/sarif/${ticketId}.sarif`;
}

/**
 * The security part of the gates for one MR: secrets in added lines (the secret
 * scanner on the changed files, with the built-in rules as fallback), risky paths,
 * dependencies added or changed and their audit, dangerous code patterns, and
 * prompt-injection markers in the ticket. Writes the findings as a SARIF log and
 * returns them; the caller stores them and renders the review summary. Nothing here
 * ever holds a raw secret: scanners return masked values only.
 */
export async function runSecurityChecks(dependencies: SecurityCheckDependencies, request: SecurityCheckRequest): Promise<SecurityCheckReport> {
  const { settings, clock } = dependencies;
  const log = new TicketLog(dependencies.artifacts, request.batchId, request.ticket.id);
  log.write({ type: 'security-start', at: clock.now().toISOString() });

  const findings: SecurityFinding[] = [
    ...(await scanSecrets(dependencies, request, log)),
    ...scanAddedLinesForSecrets(request.diff),
    ...flagRiskyPaths(request.diff, riskyPathRulesFromGlobs(settings.security.riskyPaths)),
    ...(await checkDependencies(dependencies, request, log)),
    ...(settings.security.dangerousPatterns ? scanAddedLinesForDangerousPatterns(request.diff) : []),
    ...scanTicketForPromptInjection(request.ticket),
  ];
  const merged = mergeSecurityFindings(findings);

  const relativeSarifPath = sarifReportPath(request.batchId, request.ticket.id);
  const sarif = buildSarifLog({ findings: merged, automationId: `nightshift/${request.batchId}/${request.ticket.id}/` });
  const sarifPath = await dependencies.artifacts.writeText(relativeSarifPath, formatSarifLog(sarif));
  const bySeverity = Object.fromEntries((['high', 'medium', 'low'] as const).map((severity) => [severity, merged.filter((finding) => finding.severity === severity).length]));
  log.write({ type: 'security-end', findings: merged.length, flags: countSecurityFlags(merged), bySeverity, sarif: relativeSarifPath, at: clock.now().toISOString() });
  await log.flush();
  return { findings: merged, sarifPath };
}

async function scanSecrets(dependencies: SecurityCheckDependencies, request: SecurityCheckRequest, log: TicketLog): Promise<SecurityFinding[]> {
  const scanned = request.diff.files.filter((file) => file.status !== 'deleted' && !file.binary && file.addedLines.length > 0);
  if (scanned.length === 0) return [];
  const addedLines = new Map(scanned.map((file) => [file.path, new Set(file.addedLines.map((line) => line.lineNumber))]));
  const outcome = await dependencies.secretScanner.scanFiles({ directory: request.worktreePath, paths: scanned.map((file) => file.path) });
  if (outcome.skipped.length > 0) log.write({ type: 'security-secret-scan-skipped', scanner: dependencies.secretScanner.name, skipped: outcome.skipped, at: dependencies.clock.now().toISOString() });
  return outcome.secrets
    .filter((secret) => addedLines.get(secret.path)?.has(secret.line) === true)
    .map((secret) => ({ rule: secret.rule, severity: secret.severity, file: secret.path, line: secret.line, message: `possible secret added (${secret.kind}): ${secret.maskedValue}` }));
}

async function checkDependencies(dependencies: SecurityCheckDependencies, request: SecurityCheckRequest, log: TicketLog): Promise<SecurityFinding[]> {
  const { changedFileReader, settings } = dependencies;
  const manifests: ManifestVersions[] = [];
  for (const file of request.diff.files) {
    if (!isDependencyManifest(file.path) && (file.oldPath === undefined || !isDependencyManifest(file.oldPath))) continue;
    const versions: ManifestVersions = { path: file.path };
    if (file.status !== 'added') {
      const before = await changedFileReader.readBefore({ worktreePath: request.worktreePath, baseRef: request.targetBranch, path: file.oldPath ?? file.path });
      if (before !== undefined) versions.before = before;
    }
    if (file.status !== 'deleted') {
      const after = await changedFileReader.readAfter({ worktreePath: request.worktreePath, path: file.path });
      if (after !== undefined) versions.after = after;
    }
    manifests.push(versions);
  }
  if (manifests.length === 0) return [];
  const comparison = compareDependencyManifests(manifests);
  const findings = [...comparison.findings, ...dependencyChangeFindings(comparison.changes)];
  if (settings.security.auditDependencies) findings.push(...(await auditNpmChanges(dependencies, request, comparison.changes, log)));
  return findings;
}

/** Audits each project directory whose npm dependencies changed; unchanged directories are the base branch's business. */
async function auditNpmChanges(dependencies: SecurityCheckDependencies, request: SecurityCheckRequest, changes: readonly DependencyChange[], log: TicketLog): Promise<SecurityFinding[]> {
  const npmChanges = changes.filter((change) => change.ecosystem === 'npm' && change.kind !== 'removed');
  const directories = [...new Set(npmChanges.map((change) => directoryOf(change.file)))].sort();
  const findings: SecurityFinding[] = [];
  for (const directory of directories) {
    const audited = npmChanges.filter((change) => directoryOf(change.file) === directory);
    const outcome = await dependencies.dependencyAuditor.audit({
      worktreePath: request.worktreePath,
      directory,
      timeoutMilliseconds: dependencies.settings.gateTimeoutMinutes * 60_000,
    });
    const at = dependencies.clock.now().toISOString();
    if (!outcome.ok) {
      log.write({ type: 'security-audit', directory, ok: false, reason: outcome.reason, at });
      const file = audited.find((change) => change.fromLockFile)?.file ?? (audited[0] as DependencyChange).file;
      findings.push({ rule: 'dependency-audit-failed', severity: 'low', file, message: `the new or changed dependencies went unaudited: ${outcome.reason}` });
      continue;
    }
    const found = vulnerabilityFindings(outcome.vulnerabilities, changes, directory);
    log.write({ type: 'security-audit', directory, ok: true, packages: changedNpmPackages(audited).size, vulnerable: found.length, at });
    findings.push(...found);
  }
  return findings;
}
