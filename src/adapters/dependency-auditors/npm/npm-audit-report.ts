import type { AdvisorySeverity, DependencyAdvisory, DependencyVulnerability } from '../../../domain/dependency-changes.js';
import type { DependencyAuditOutcome } from '../../../ports/dependency-auditor.js';

/**
 * Translates `npm audit --json` output into our vulnerabilities: the npm 7+ report
 * (`auditReportVersion: 2`, a `vulnerabilities` object keyed by package), the npm 6
 * report (an `advisories` object, also what `pnpm audit --json` prints), and npm's
 * error object (`{ error: { code, summary } }`, e.g. ENOLOCK or a network failure).
 * Packages that are vulnerable only through another package (their `via` lists names,
 * not advisories) are left out: the package that holds the advisory is reported.
 */

const SEVERITIES: readonly AdvisorySeverity[] = ['info', 'low', 'moderate', 'high', 'critical'];

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;
}

function severityOf(value: unknown): AdvisorySeverity {
  return SEVERITIES.includes(value as AdvisorySeverity) ? (value as AdvisorySeverity) : 'moderate';
}

function cweList(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return typeof value === 'string' && value !== '' ? [value] : [];
}

function advisoryOf(source: JsonObject, idKey: string, rangeKey: string): DependencyAdvisory {
  const advisory: DependencyAdvisory = { title: text(source.title) ?? 'untitled advisory', cwe: cweList(source.cwe) };
  const id = text(source[idKey]);
  if (id !== undefined) advisory.id = id;
  const url = text(source.url);
  if (url !== undefined) advisory.url = url;
  const range = text(source[rangeKey]);
  if (range !== undefined) advisory.vulnerableVersions = range;
  const score = isObject(source.cvss) && typeof source.cvss.score === 'number' ? source.cvss.score : undefined;
  if (score !== undefined) advisory.cvssScore = score;
  return advisory;
}

/** Reads the JSON an audit printed; undefined when it is not JSON at all (the caller reports the command's own output). */
export function parseNpmAuditReport(output: string): DependencyAuditOutcome | undefined {
  let report: unknown;
  try {
    report = JSON.parse(output);
  } catch {
    return undefined;
  }
  if (!isObject(report)) return undefined;
  if (isObject(report.error)) {
    const code = text(report.error.code);
    const summary = text(report.error.summary) ?? text(report.message) ?? text(report.error.detail) ?? 'no summary';
    return { ok: false, reason: code === undefined ? summary : `${code}: ${summary}` };
  }
  if (isObject(report.vulnerabilities)) return { ok: true, vulnerabilities: readVersion2(report.vulnerabilities) };
  if (isObject(report.advisories)) return { ok: true, vulnerabilities: readVersion1(report.advisories) };
  return { ok: false, reason: 'the audit printed JSON that is neither an npm audit report nor an npm error' };
}

function readVersion2(vulnerabilities: JsonObject): DependencyVulnerability[] {
  const found: DependencyVulnerability[] = [];
  for (const [key, entry] of Object.entries(vulnerabilities)) {
    if (!isObject(entry)) continue;
    const advisories = (Array.isArray(entry.via) ? entry.via : []).filter(isObject).map((via) => advisoryOf(via, 'source', 'range'));
    if (advisories.length === 0) continue;
    found.push({
      packageName: text(entry.name) ?? key,
      severity: severityOf(entry.severity),
      direct: entry.isDirect === true,
      installPaths: (Array.isArray(entry.nodes) ? entry.nodes : []).filter((node): node is string => typeof node === 'string'),
      advisories,
      fixAvailable: entry.fixAvailable === true || isObject(entry.fixAvailable),
    });
  }
  return found;
}

function readVersion1(advisories: JsonObject): DependencyVulnerability[] {
  const byPackage = new Map<string, DependencyVulnerability>();
  for (const advisory of Object.values(advisories)) {
    if (!isObject(advisory)) continue;
    const name = text(advisory.module_name);
    if (name === undefined) continue;
    const severity = severityOf(advisory.severity);
    const paths = (Array.isArray(advisory.findings) ? advisory.findings : []).filter(isObject).flatMap((finding) => (Array.isArray(finding.paths) ? finding.paths : []));
    const installPaths = paths.filter((path): path is string => typeof path === 'string').map((path) => path.split('>').map((part) => `node_modules/${part}`).join('/'));
    const current = byPackage.get(name) ?? { packageName: name, severity, direct: false, installPaths: [], advisories: [], fixAvailable: false };
    if (SEVERITIES.indexOf(severity) > SEVERITIES.indexOf(current.severity)) current.severity = severity;
    current.direct ||= installPaths.some((path) => path === `node_modules/${name}`);
    current.installPaths.push(...installPaths.filter((path) => !current.installPaths.includes(path)));
    current.advisories.push(advisoryOf(advisory, 'id', 'vulnerable_versions'));
    current.fixAvailable ||= text(advisory.patched_versions) !== undefined && advisory.patched_versions !== '<0.0.0';
    byPackage.set(name, current);
  }
  return [...byPackage.values()];
}
