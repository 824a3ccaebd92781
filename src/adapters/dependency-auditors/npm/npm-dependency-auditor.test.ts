import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeNpmRegistry, type FakeAdvisory, type FakeNpmRegistry } from '../../../testing/fake-npm-registry.js';
import { NpmDependencyAuditor } from './npm-dependency-auditor.js';

const EVIL_ADVISORY: FakeAdvisory = {
  id: 1_099_001,
  url: 'https://advisories.example.test/GHSA-evil-0001',
  title: 'Prototype pollution in evil-parser',
  severity: 'high',
  vulnerable_versions: '<1.4.0',
  cwe: ['CWE-1321'],
  cvss: { score: 7.5, vectorString: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H' },
};
const OLD_SAFE_ADVISORY: FakeAdvisory = { ...EVIL_ADVISORY, id: 1_099_002, title: 'Old bug in safe-lib', severity: 'critical', vulnerable_versions: '<1.0.0' };

/** A project whose lock file holds evil-parser 1.0.2 (vulnerable) and safe-lib 2.0.0 (not). */
function writeProject(directory: string, withLock = true): void {
  mkdirSync(directory, { recursive: true });
  const dependencies = { 'evil-parser': '^1.0.2', 'safe-lib': '^2.0.0' };
  writeFileSync(join(directory, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', dependencies }, null, 2));
  if (!withLock) return;
  const entry = (name: string, version: string) => ({ version, resolved: `https://registry.npmjs.org/${name}/-/${name}-${version}.tgz`, license: 'MIT' });
  const lock = {
    name: 'app',
    version: '1.0.0',
    lockfileVersion: 3,
    requires: true,
    packages: { '': { name: 'app', version: '1.0.0', dependencies }, 'node_modules/evil-parser': entry('evil-parser', '1.0.2'), 'node_modules/safe-lib': entry('safe-lib', '2.0.0') },
  };
  writeFileSync(join(directory, 'package-lock.json'), JSON.stringify(lock, null, 2));
}

let root: string;
let registry: FakeNpmRegistry | undefined;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'nightshift-audit-'));
});
afterEach(async () => {
  await registry?.close();
  registry = undefined;
  rmSync(root, { recursive: true, force: true });
});

function auditor(command: string): NpmDependencyAuditor {
  return new NpmDependencyAuditor({ command, environment: { npm_config_cache: join(root, 'npm-cache'), npm_config_update_notifier: 'false', npm_config_fund: 'false' } });
}

describe('NpmDependencyAuditor with the real npm audit against a fake registry', () => {
  it('reads the vulnerabilities npm finds from the registry’s advisories', async () => {
    registry = await startFakeNpmRegistry({ advisories: { 'evil-parser': [EVIL_ADVISORY], 'safe-lib': [OLD_SAFE_ADVISORY] } });
    writeProject(join(root, 'worktree', 'web'));
    const outcome = await auditor(`npm audit --json --registry ${registry.url}`).audit({ worktreePath: join(root, 'worktree'), directory: 'web', timeoutMilliseconds: 60_000 });

    expect(outcome).toEqual({
      ok: true,
      vulnerabilities: [
        {
          packageName: 'evil-parser',
          severity: 'high',
          direct: true,
          installPaths: ['node_modules/evil-parser'],
          fixAvailable: false,
          advisories: [{ id: '1099001', title: 'Prototype pollution in evil-parser', url: EVIL_ADVISORY.url, vulnerableVersions: '<1.4.0', cwe: ['CWE-1321'], cvssScore: 7.5 }],
        },
      ],
    });
    const bulk = registry.requests.find((request) => request.path === '/-/npm/v1/security/advisories/bulk');
    expect(bulk?.body).toEqual({ 'evil-parser': ['1.0.2'], 'safe-lib': ['2.0.0'] });
  });

  it('reports no vulnerabilities when the registry knows none', async () => {
    registry = await startFakeNpmRegistry({ advisories: {} });
    writeProject(join(root, 'worktree'));
    const outcome = await auditor(`npm audit --json --registry ${registry.url}`).audit({ worktreePath: join(root, 'worktree'), directory: '', timeoutMilliseconds: 60_000 });
    expect(outcome).toEqual({ ok: true, vulnerabilities: [] });
  });

  it('says why when npm cannot audit: no lock file, or no advisory service', async () => {
    writeProject(join(root, 'worktree'), false);
    const noLock = await auditor('npm audit --json --registry http://127.0.0.1:9/').audit({ worktreePath: join(root, 'worktree'), directory: '', timeoutMilliseconds: 60_000 });
    expect(noLock).toEqual({ ok: false, reason: 'ENOLOCK: This command requires an existing lockfile.' });

    writeProject(join(root, 'other'));
    const unreachable = await auditor('npm audit --json --fetch-retries=0 --registry http://127.0.0.1:9/').audit({ worktreePath: join(root, 'other'), directory: '', timeoutMilliseconds: 60_000 });
    expect(unreachable).toMatchObject({ ok: false, reason: expect.stringMatching(/advisories\/bulk failed, reason: connect ECONNREFUSED/) });
  });
});

describe('NpmDependencyAuditor failures', () => {
  it('turns a timeout, output that is no report, a missing directory and an empty command into reasons', async () => {
    mkdirSync(join(root, 'project'));
    const request = { worktreePath: root, directory: 'project', timeoutMilliseconds: 30_000 };
    expect(await new NpmDependencyAuditor({ command: 'sleep 30', killGraceMilliseconds: 200 }).audit({ ...request, timeoutMilliseconds: 300 })).toEqual({ ok: false, reason: 'the audit command did not finish within 300 ms' });
    expect(await auditor('echo "fetch https://bot:hunter2@registry.example/x failed" >&2; exit 3').audit(request)).toEqual({
      ok: false,
      reason: 'the audit command (exit 3) printed no JSON report: fetch https://***@registry.example/x failed',
    });
    expect(await auditor('echo \'{"hello": 1}\'').audit(request)).toEqual({ ok: false, reason: 'the audit printed JSON that is neither an npm audit report nor an npm error' });
    expect(await auditor('true').audit({ ...request, directory: '../elsewhere' })).toEqual({ ok: false, reason: 'the project directory ../elsewhere does not exist in the worktree' });
    expect(await auditor('  ').audit(request)).toEqual({ ok: false, reason: 'the dependency audit is turned off (security.audit_command is empty)' });
  });

  it('passes npm settings but not other secrets to the command', async () => {
    process.env.NIGHTSHIFT_TEST_TRACKER_TOKEN = 'tracker-secret';
    process.env.npm_config_loglevel = 'warn';
    try {
      mkdirSync(join(root, 'project'));
      const outcome = await auditor('printf \'{"error":{"code":"ENV","summary":"%s|%s"}}\' "$NIGHTSHIFT_TEST_TRACKER_TOKEN" "$npm_config_loglevel"').audit({ worktreePath: root, directory: 'project', timeoutMilliseconds: 30_000 });
      expect(outcome).toEqual({ ok: false, reason: 'ENV: |warn' });
    } finally {
      delete process.env.NIGHTSHIFT_TEST_TRACKER_TOKEN;
      delete process.env.npm_config_loglevel;
    }
  });
});
