import { describe, expect, it } from 'vitest';
import { parseNpmAuditReport } from './npm-audit-report.js';

describe('parseNpmAuditReport', () => {
  it('reads an npm 7+ report, keeping only packages that hold an advisory', () => {
    const report = {
      auditReportVersion: 2,
      vulnerabilities: {
        wrapper: { name: 'wrapper', severity: 'moderate', isDirect: true, via: ['inner'], nodes: ['node_modules/wrapper'], fixAvailable: { name: 'wrapper', version: '2.0.0' } },
        inner: {
          name: 'inner',
          severity: 'moderate',
          isDirect: false,
          via: [{ source: 77, name: 'inner', title: 'ReDoS in inner', url: 'https://a.test/77', severity: 'moderate', cwe: [], cvss: { score: 0, vectorString: null }, range: '<2.1.0' }],
          nodes: ['node_modules/wrapper/node_modules/inner'],
          fixAvailable: { name: 'wrapper', version: '2.0.0', isSemVerMajor: true },
        },
      },
    };
    expect(parseNpmAuditReport(JSON.stringify(report))).toEqual({
      ok: true,
      vulnerabilities: [
        {
          packageName: 'inner',
          severity: 'moderate',
          direct: false,
          installPaths: ['node_modules/wrapper/node_modules/inner'],
          fixAvailable: true,
          advisories: [{ id: '77', title: 'ReDoS in inner', url: 'https://a.test/77', vulnerableVersions: '<2.1.0', cwe: [], cvssScore: 0 }],
        },
      ],
    });
  });

  it('reads an npm 6 (and pnpm) report, grouping advisories by package', () => {
    const report = {
      advisories: {
        '1': { id: 1, module_name: 'lodash', severity: 'low', title: 'A', url: 'https://a.test/1', vulnerable_versions: '<4.17.5', patched_versions: '>=4.17.5', cwe: 'CWE-400', findings: [{ version: '4.17.4', paths: ['lodash'] }] },
        '2': { id: 2, module_name: 'lodash', severity: 'critical', title: 'B', url: 'https://a.test/2', vulnerable_versions: '<4.17.21', patched_versions: '<0.0.0', cwe: ['CWE-94'], findings: [{ version: '4.17.4', paths: ['a>lodash'] }] },
      },
    };
    expect(parseNpmAuditReport(JSON.stringify(report))).toEqual({
      ok: true,
      vulnerabilities: [
        {
          packageName: 'lodash',
          severity: 'critical',
          direct: true,
          installPaths: ['node_modules/lodash', 'node_modules/a/node_modules/lodash'],
          fixAvailable: true,
          advisories: [
            { id: '1', title: 'A', url: 'https://a.test/1', vulnerableVersions: '<4.17.5', cwe: ['CWE-400'] },
            { id: '2', title: 'B', url: 'https://a.test/2', vulnerableVersions: '<4.17.21', cwe: ['CWE-94'] },
          ],
        },
      ],
    });
  });

  it('turns npm errors into reasons and leaves non-JSON to the caller', () => {
    expect(parseNpmAuditReport('{"error":{"code":"ENOLOCK","summary":"This command requires an existing lockfile."}}')).toEqual({ ok: false, reason: 'ENOLOCK: This command requires an existing lockfile.' });
    expect(parseNpmAuditReport('{"message":"request failed","error":{"summary":"","detail":""}}')).toEqual({ ok: false, reason: 'request failed' });
    expect(parseNpmAuditReport('npm ERR! something')).toBeUndefined();
    expect(parseNpmAuditReport('[1, 2]')).toBeUndefined();
  });
});
