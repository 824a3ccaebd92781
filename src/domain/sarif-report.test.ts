import { describe, expect, it } from 'vitest';
import { sarifSchemaErrors } from '../testing/validate-sarif.js';
import { buildSarifLog, formatSarifLog, SARIF_SCHEMA_URI, toArtifactUri } from './sarif-report.js';
import type { SecurityFinding } from './secret-scan.js';

const findings: SecurityFinding[] = [
  { rule: 'secretlint/github', severity: 'high', file: 'src/config.js', line: 2, message: 'possible GitHub token added: ghp_…(40 chars)' },
  { rule: 'risky-path', severity: 'medium', file: '.github/workflows/ci.yml', message: 'added CI configuration: CI configuration runs with the repository’s credentials' },
  { rule: 'risky-path', severity: 'low', file: 'src/auth/login.ts', message: 'modified authentication or authorization code' },
  { rule: 'dependency-vulnerability', severity: 'high', file: 'package.json', line: 6, message: 'evil-parser 1.0.2 has known vulnerabilities (high)' },
  { rule: 'prompt-injection-override', severity: 'medium', file: 'tickets/SEC 1.md', line: 3, message: 'ticket description, line 3 tries to override the agent’s instructions' },
  { rule: 'prompt-injection-role', severity: 'medium', file: 'https://tracker.example/issues/7?x=a b', message: 'ticket title tries to give the agent a new role' },
];

describe('buildSarifLog', () => {
  it('writes a valid SARIF 2.1.0 log with one rule per rule id and one result per finding', () => {
    const log = buildSarifLog({ findings, toolVersion: '0.1.0', automationId: 'nightshift/2024-01-15-overnight/SEC-1/' });
    expect(sarifSchemaErrors(log)).toEqual([]);
    expect(log.$schema).toBe(SARIF_SCHEMA_URI);
    expect(log.version).toBe('2.1.0');
    const [run] = log.runs;
    expect(run?.tool.driver).toMatchObject({ name: 'nightshift', version: '0.1.0' });
    expect(run?.automationDetails).toEqual({ id: 'nightshift/2024-01-15-overnight/SEC-1/' });
    expect(run?.tool.driver.rules.map((rule) => [rule.id, rule.defaultConfiguration.level, rule.properties['security-severity'], rule.properties.tags])).toEqual([
      ['secretlint/github', 'error', '8.0', ['security', 'secret']],
      ['risky-path', 'warning', '5.0', ['security', 'risky-path']],
      ['dependency-vulnerability', 'error', '8.0', ['security', 'dependency']],
      ['prompt-injection-override', 'warning', '5.0', ['security', 'prompt-injection']],
      ['prompt-injection-role', 'warning', '5.0', ['security', 'prompt-injection']],
    ]);
    expect(run?.tool.driver.rules[0]?.shortDescription.text).toBe('A secret in an added line, found by secretlint’s github rule');
    expect(run?.results.map((result) => [result.ruleId, result.ruleIndex, result.level])).toEqual([
      ['secretlint/github', 0, 'error'],
      ['risky-path', 1, 'warning'],
      ['risky-path', 1, 'note'],
      ['dependency-vulnerability', 2, 'error'],
      ['prompt-injection-override', 3, 'warning'],
      ['prompt-injection-role', 4, 'warning'],
    ]);
    expect(run?.results[0]).toEqual({
      ruleId: 'secretlint/github',
      ruleIndex: 0,
      level: 'error',
      message: { text: 'possible GitHub token added: ghp_…(40 chars)' },
      locations: [{ physicalLocation: { artifactLocation: { uri: 'src/config.js', uriBaseId: '%SRCROOT%' }, region: { startLine: 2 } } }],
      properties: { severity: 'high' },
    });
    expect(run?.results[1]?.locations[0]?.physicalLocation.region).toBeUndefined();
    expect(run?.results[4]?.locations[0]?.physicalLocation.artifactLocation.uri).toBe('tickets/SEC%201.md');
    expect(run?.results[5]?.locations[0]?.physicalLocation.artifactLocation).toEqual({ uri: 'https://tracker.example/issues/7?x=a%20b' });
  });

  it('writes a valid empty log when nothing was found, and formats it as JSON with a final newline', () => {
    const log = buildSarifLog({ findings: [] });
    expect(sarifSchemaErrors(log)).toEqual([]);
    expect(log.runs[0]).toEqual({ tool: { driver: { name: 'nightshift', rules: [] } }, results: [] });
    expect(JSON.parse(formatSarifLog(log))).toEqual(log);
    expect(formatSarifLog(log).endsWith('}\n')).toBe(true);
  });

  it('has a schema check that fails on broken logs', () => {
    const log = buildSarifLog({ findings });
    expect(sarifSchemaErrors({ ...log, version: '2.0.0' })).not.toEqual([]);
    const broken = structuredClone(log) as unknown as { runs: Array<{ results: Array<Record<string, unknown>> }> };
    (broken.runs[0]?.results[0] as Record<string, unknown>).level = 'critical';
    expect(sarifSchemaErrors(broken).join('\n')).toMatch(/level/);
    const noRegionLine = structuredClone(log) as unknown as { runs: Array<{ results: Array<{ locations: Array<{ physicalLocation: { region?: unknown } }> }> }> };
    (noRegionLine.runs[0]?.results[0]?.locations[0]?.physicalLocation as { region?: unknown }).region = { startLine: 0 };
    expect(sarifSchemaErrors(noRegionLine)).not.toEqual([]);
    expect(sarifSchemaErrors({ ...log, runs: [{ ...log.runs[0], physicalLocations: [] }] })).not.toEqual([]);
  });
});

describe('toArtifactUri', () => {
  it('percent-encodes repository paths per segment and keeps web addresses absolute', () => {
    expect(toArtifactUri('src/café.ts')).toEqual({ uri: 'src/caf%C3%A9.ts', uriBaseId: '%SRCROOT%' });
    expect(toArtifactUri('a:b/c.txt')).toEqual({ uri: 'a%3Ab/c.txt', uriBaseId: '%SRCROOT%' });
    expect(toArtifactUri('https://linear.app/acme/issue/ENG-1')).toEqual({ uri: 'https://linear.app/acme/issue/ENG-1' });
  });
});
