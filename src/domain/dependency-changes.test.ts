import { describe, expect, it } from 'vitest';
import {
  changedNpmPackages,
  compareDependencyManifests,
  dependencyChangeFindings,
  directoryOf,
  isDependencyManifest,
  vulnerabilityFindings,
  type DependencyVulnerability,
} from './dependency-changes.js';

const packageJson = (dependencies: Record<string, string>) => JSON.stringify({ name: 'app', dependencies }, null, 2);
const lock = (packages: Record<string, string>) =>
  JSON.stringify({ name: 'app', lockfileVersion: 3, packages: { '': { name: 'app' }, ...Object.fromEntries(Object.entries(packages).map(([path, version]) => [path, { version }])) } }, null, 2);

describe('compareDependencyManifests', () => {
  it('lists added, changed and removed dependencies with the line in the new file', () => {
    const { changes, findings } = compareDependencyManifests([
      { path: 'package.json', before: packageJson({ a: '^1.0.0', b: '1.0.0', gone: '1.0.0' }), after: packageJson({ a: '^1.0.0', b: '2.0.0', fresh: '0.1.0' }) },
    ]);
    expect(findings).toEqual([]);
    expect(changes.map(({ kind, name, before, after, line }) => ({ kind, name, before, after, line }))).toEqual([
      { kind: 'changed', name: 'b', before: '1.0.0', after: '2.0.0', line: 5 },
      { kind: 'added', name: 'fresh', before: undefined, after: '0.1.0', line: 6 },
      { kind: 'removed', name: 'gone', before: '1.0.0', after: undefined, line: 6 },
    ]);
  });

  it('treats a new manifest as all new, a deleted one as all removed, and reports an unreadable one', () => {
    const result = compareDependencyManifests([
      { path: 'requirements.txt', after: 'flask==3.0\n' },
      { path: 'go.mod', before: 'module x\nrequire golang.org/x/net v0.1.0\n' },
      { path: 'web/package.json', before: packageJson({}), after: '{ broken' },
      { path: 'README.md', before: 'a', after: 'b' },
    ]);
    expect(result.changes.map((change) => [change.file, change.kind, change.name, change.ecosystem])).toEqual([
      ['requirements.txt', 'added', 'flask', 'python'],
      ['go.mod', 'removed', 'golang.org/x/net', 'go'],
    ]);
    expect(result.findings).toEqual([{ rule: 'dependency-manifest-unreadable', severity: 'low', file: 'web/package.json', message: expect.stringMatching(/^the changed manifest cannot be read: not valid JSON/) }]);
  });
});

describe('dependencyChangeFindings', () => {
  it('reports manifest additions and changes as low findings, never removals or lock file entries', () => {
    const { changes } = compareDependencyManifests([
      { path: 'package.json', before: packageJson({ b: '1.0.0', gone: '1' }), after: packageJson({ b: '2.0.0', fresh: '0.1.0' }) },
      { path: 'package-lock.json', before: lock({}), after: lock({ 'node_modules/fresh': '0.1.0' }) },
      { path: 'Cargo.toml', before: '[dependencies]\n', after: '[dependencies]\nrand = "0.8"\n' },
    ]);
    expect(dependencyChangeFindings(changes)).toEqual([
      { rule: 'dependency-changed', severity: 'low', file: 'package.json', line: 4, message: 'npm dependency b changed from 1.0.0 to 2.0.0 (dependencies)' },
      { rule: 'dependency-added', severity: 'low', file: 'package.json', line: 5, message: 'new npm dependency fresh 0.1.0 (dependencies)' },
      { rule: 'dependency-added', severity: 'low', file: 'Cargo.toml', line: 2, message: 'new cargo dependency rand "0.8" (dependencies)' },
    ]);
  });
});

describe('vulnerabilityFindings', () => {
  const { changes } = compareDependencyManifests([
    { path: 'package.json', before: packageJson({}), after: packageJson({ 'evil-parser': '^1.0.2' }) },
    { path: 'package-lock.json', before: lock({ 'node_modules/old-vuln': '1.0.0' }), after: lock({ 'node_modules/old-vuln': '1.0.0', 'node_modules/evil-parser': '1.0.2', 'node_modules/helper': '3.0.0' }) },
  ]);
  const vulnerability = (packageName: string, severity: DependencyVulnerability['severity'], direct: boolean): DependencyVulnerability => ({
    packageName,
    severity,
    direct,
    installPaths: [`node_modules/${packageName}`],
    fixAvailable: false,
    advisories: [{ id: '1', title: `Prototype pollution in ${packageName}`, url: 'https://advisories.example/1', vulnerableVersions: '<1.4.0', cwe: ['CWE-1321'], cvssScore: 7.5 }],
  });

  it('places a direct dependency’s vulnerability on its manifest line, a transitive one on its lock entry, and maps severities', () => {
    const findings = vulnerabilityFindings([vulnerability('evil-parser', 'critical', true), vulnerability('helper', 'moderate', false), vulnerability('old-vuln', 'high', true)], changes, '');
    expect(findings).toEqual([
      {
        rule: 'dependency-vulnerability',
        severity: 'high',
        file: 'package.json',
        line: 4,
        message: 'evil-parser 1.0.2 has known vulnerabilities (critical): Prototype pollution in evil-parser (affects <1.4.0, CWE-1321, CVSS 7.5, https://advisories.example/1)',
      },
      expect.objectContaining({ severity: 'medium', file: 'package-lock.json', line: expect.any(Number), message: expect.stringMatching(/^helper 3\.0\.0 has known vulnerabilities \(moderate\)/) }),
    ]);
  });

  it('ignores vulnerabilities the change did not bring in, and those of another directory', () => {
    expect(vulnerabilityFindings([vulnerability('old-vuln', 'high', true)], changes, '')).toEqual([]);
    expect(vulnerabilityFindings([vulnerability('evil-parser', 'high', true)], changes, 'web')).toEqual([]);
  });

  it('flattens advisory text from the registry and caps the list', () => {
    const noisy: DependencyVulnerability = {
      ...vulnerability('evil-parser', 'low', true),
      fixAvailable: true,
      advisories: Array.from({ length: 5 }, (_, index) => ({ title: `bad\n\u001b[31mthing ${index}`, cwe: [] })),
    };
    const [finding] = vulnerabilityFindings([noisy], changes, '');
    expect(finding?.severity).toBe('low');
    expect(finding?.message).toBe('evil-parser 1.0.2 has known vulnerabilities (low): bad thing 0; bad thing 1; bad thing 2; and 2 more — a fix is available');
  });
});

describe('helpers', () => {
  it('knows manifests, changed npm packages and directories', () => {
    expect(isDependencyManifest('a/go.mod')).toBe(true);
    expect(isDependencyManifest('a/go.sum')).toBe(false);
    const { changes } = compareDependencyManifests([{ path: 'package.json', before: packageJson({ x: '1', y: '1' }), after: packageJson({ x: '2', z: '1' }) }]);
    expect([...changedNpmPackages(changes)].sort()).toEqual(['x', 'z']);
    expect(directoryOf('package.json')).toBe('');
    expect(directoryOf('packages/web/package.json')).toBe('packages/web');
  });
});
