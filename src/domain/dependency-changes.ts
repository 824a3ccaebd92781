import { dependencyManifestKindOf, ecosystemOf, readDeclaredDependencies, type DeclaredDependency, type DependencyEcosystem } from './dependency-manifests.js';
import type { SecurityFinding, SecuritySeverity } from './secret-scan.js';
import { flattenUntrustedText } from './untrusted-text.js';

/**
 * What a change did to a repository's dependencies, manifest by manifest, and the
 * findings a reviewer sees for it: every dependency a manifest adds or changes (new
 * third-party code in the build), and every known vulnerability the audit found in a
 * package the change brought in or moved. Lock files feed the audit but get no
 * finding of their own: the risky-path check already flags a changed lock file.
 */

/** One dependency a change added, changed or removed, in one manifest or lock file. */
export interface DependencyChange {
  /** The manifest or lock file, relative to the repository root. */
  file: string;
  ecosystem: DependencyEcosystem;
  fromLockFile: boolean;
  kind: 'added' | 'changed' | 'removed';
  name: string;
  section: string;
  before?: string;
  after?: string;
  /** The entry's line in the new file (for removals, in the old one). */
  line?: number;
}

/** A manifest's text before and after the change; undefined when the file did not (or no longer does) exist. */
export interface ManifestVersions {
  path: string;
  before?: string;
  after?: string;
}

/** What {@link compareDependencyManifests} found: the changes, and findings for manifests it could not read. */
export interface DependencyComparison {
  changes: DependencyChange[];
  /** Manifests that could not be read after the change (e.g. package.json is no longer valid JSON). */
  findings: SecurityFinding[];
}

/** Whether a path is a manifest or lock file whose dependencies the gates compare. */
export function isDependencyManifest(path: string): boolean {
  return dependencyManifestKindOf(path) !== undefined;
}

/**
 * Compares the dependencies of each manifest before and after the change. A manifest
 * that cannot be read after the change is reported as a finding; one that could not be
 * read before counts as empty, so everything in it is new.
 */
export function compareDependencyManifests(manifests: readonly ManifestVersions[]): DependencyComparison {
  const changes: DependencyChange[] = [];
  const findings: SecurityFinding[] = [];
  for (const manifest of manifests) {
    const kind = dependencyManifestKindOf(manifest.path);
    if (kind === undefined) continue;
    const read = (content: string | undefined) => (content === undefined ? { ok: true as const, dependencies: [] } : readDeclaredDependencies(kind, content));
    const before = read(manifest.before);
    const after = read(manifest.after);
    if (!after.ok) {
      findings.push({ rule: 'dependency-manifest-unreadable', severity: 'low', file: manifest.path, message: `the changed manifest cannot be read: ${after.problem}` });
      continue;
    }
    const context = { file: manifest.path, ecosystem: ecosystemOf(kind), fromLockFile: kind === 'package-lock' };
    changes.push(...compareDeclared(context, before.ok ? before.dependencies : [], after.dependencies));
  }
  return { changes, findings };
}

function compareDeclared(
  context: Pick<DependencyChange, 'file' | 'ecosystem' | 'fromLockFile'>,
  before: readonly DeclaredDependency[],
  after: readonly DeclaredDependency[],
): DependencyChange[] {
  const previous = new Map(before.map((dependency) => [dependency.key, dependency]));
  const current = new Map(after.map((dependency) => [dependency.key, dependency]));
  const changes: DependencyChange[] = [];
  const located = (change: DependencyChange, line: number | undefined): DependencyChange => (line === undefined ? change : { ...change, line });
  for (const dependency of after) {
    const old = previous.get(dependency.key);
    const base = { ...context, name: dependency.name, section: dependency.section, after: dependency.spec };
    if (old === undefined) changes.push(located({ ...base, kind: 'added' }, dependency.line));
    else if (old.spec !== dependency.spec) changes.push(located({ ...base, kind: 'changed', before: old.spec }, dependency.line));
  }
  for (const dependency of before) {
    if (current.has(dependency.key)) continue;
    changes.push(located({ ...context, kind: 'removed', name: dependency.name, section: dependency.section, before: dependency.spec }, dependency.line));
  }
  return changes;
}

/** One finding per dependency a manifest adds or changes; removals and lock files yield none. */
export function dependencyChangeFindings(changes: readonly DependencyChange[]): SecurityFinding[] {
  return changes
    .filter((change) => !change.fromLockFile && change.kind !== 'removed')
    .map((change) => {
      const finding: SecurityFinding = {
        rule: change.kind === 'added' ? 'dependency-added' : 'dependency-changed',
        severity: 'low',
        file: change.file,
        message:
          change.kind === 'added'
            ? `new ${change.ecosystem} dependency ${flattenUntrustedText(change.name, 120)} ${flattenUntrustedText(change.after ?? '', 80)} (${change.section})`
            : `${change.ecosystem} dependency ${flattenUntrustedText(change.name, 120)} changed from ${flattenUntrustedText(change.before ?? '', 80)} to ${flattenUntrustedText(change.after ?? '', 80)} (${change.section})`,
      };
      if (change.line !== undefined) finding.line = change.line;
      return finding;
    });
}

/** npm's severities, as an audit reports them. */
export type AdvisorySeverity = 'info' | 'low' | 'moderate' | 'high' | 'critical';

/** One known vulnerability the audit found, in our terms (the port's adapters translate their tool's report into it). */
export interface DependencyVulnerability {
  packageName: string;
  severity: AdvisorySeverity;
  /** Whether the project depends on the package directly. */
  direct: boolean;
  /** The installed versions' locations, e.g. `node_modules/a/node_modules/b`. */
  installPaths: string[];
  advisories: DependencyAdvisory[];
  fixAvailable: boolean;
}

/** One advisory behind a vulnerability, as the advisory database describes it (untrusted text). */
export interface DependencyAdvisory {
  id?: string;
  title: string;
  url?: string;
  /** The vulnerable version range, e.g. `<1.4.0`. */
  vulnerableVersions?: string;
  cwe: string[];
  cvssScore?: number;
}

const ADVISORY_SEVERITY: Record<AdvisorySeverity, SecuritySeverity> = { critical: 'high', high: 'high', moderate: 'medium', low: 'low', info: 'low' };

/** The names of the npm packages a change added or changed (in a manifest or a lock file), the ones worth auditing. */
export function changedNpmPackages(changes: readonly DependencyChange[]): Set<string> {
  return new Set(changes.filter((change) => change.ecosystem === 'npm' && change.kind !== 'removed').map((change) => change.name));
}

/**
 * One finding per vulnerable package the change brought in or moved (pre-existing
 * vulnerabilities belong to the base branch, not to this MR), placed on the manifest
 * line that declares it, else on its lock file entry.
 */
export function vulnerabilityFindings(vulnerabilities: readonly DependencyVulnerability[], changes: readonly DependencyChange[], auditedDirectory: string): SecurityFinding[] {
  const changed = changes.filter((change) => change.ecosystem === 'npm' && change.kind !== 'removed' && directoryOf(change.file) === auditedDirectory);
  const findings: SecurityFinding[] = [];
  for (const vulnerability of vulnerabilities) {
    const related = changed.filter((change) => change.name === vulnerability.packageName);
    if (related.length === 0) continue;
    const location = related.find((change) => !change.fromLockFile) ?? (related[0] as DependencyChange);
    const version = related.find((change) => change.fromLockFile)?.after ?? location.after ?? '';
    const advisories = vulnerability.advisories.slice(0, 3).map(describeAdvisory).join('; ');
    const more = vulnerability.advisories.length > 3 ? `; and ${vulnerability.advisories.length - 3} more` : '';
    const finding: SecurityFinding = {
      rule: 'dependency-vulnerability',
      severity: ADVISORY_SEVERITY[vulnerability.severity],
      file: location.file,
      message: `${flattenUntrustedText(vulnerability.packageName, 120)} ${flattenUntrustedText(version, 40)} has known vulnerabilities (${vulnerability.severity}): ${advisories}${more}${vulnerability.fixAvailable ? ' — a fix is available' : ''}`,
    };
    if (location.line !== undefined) finding.line = location.line;
    findings.push(finding);
  }
  return findings;
}

function describeAdvisory(advisory: DependencyAdvisory): string {
  const details = [
    advisory.vulnerableVersions === undefined ? undefined : `affects ${advisory.vulnerableVersions}`,
    advisory.cwe.length === 0 ? undefined : advisory.cwe.join(', '),
    advisory.cvssScore === undefined || advisory.cvssScore === 0 ? undefined : `CVSS ${advisory.cvssScore}`,
    advisory.url,
  ].filter((detail): detail is string => detail !== undefined);
  const text = details.length === 0 ? advisory.title : `${advisory.title} (${details.join(', ')})`;
  return flattenUntrustedText(text, 240);
}

/** The directory of a repository-relative path, `''` for the root. */
export function directoryOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}
