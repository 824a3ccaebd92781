import { describe, expect, it } from 'vitest';
import { isSecretFinding, mergeSecurityFindings } from './merge-security-findings.js';
import type { SecurityFinding } from './secret-scan.js';

const finding = (rule: string, file: string, line: number | undefined, severity: SecurityFinding['severity'] = 'high', message = `${rule} here`): SecurityFinding => ({
  rule,
  severity,
  file,
  ...(line === undefined ? {} : { line }),
  message,
});

describe('mergeSecurityFindings', () => {
  it('keeps secretlint’s finding where the built-in rules found the same line, and the built-in ones elsewhere', () => {
    const merged = mergeSecurityFindings([
      finding('github-token', 'src/config.js', 3),
      finding('secretlint/github', 'src/config.js', 3),
      finding('generic-secret-assignment', 'src/config.js', 9, 'medium'),
      finding('github-token', 'src/other.js', 3),
    ]);
    expect(merged.map((item) => `${item.rule}@${item.file}:${item.line}`)).toEqual(['secretlint/github@src/config.js:3', 'github-token@src/other.js:3', 'generic-secret-assignment@src/config.js:9']);
  });

  it('drops exact repeats, keeps other rules on the same line, and sorts by severity, file, line and rule', () => {
    const merged = mergeSecurityFindings([
      finding('risky-path', 'b.yml', undefined, 'low'),
      finding('dangerous-eval', 'a.js', 2, 'medium'),
      finding('dangerous-eval', 'a.js', 2, 'medium'),
      finding('secretlint/github', 'a.js', 2),
      finding('risky-path', 'a.yml', undefined, 'low'),
    ]);
    expect(merged.map((item) => `${item.severity} ${item.rule} ${item.file}`)).toEqual(['high secretlint/github a.js', 'medium dangerous-eval a.js', 'low risky-path a.yml', 'low risky-path b.yml']);
  });

  it('tells secret findings from the others', () => {
    expect(isSecretFinding(finding('secretlint/aws', 'a', 1))).toBe(true);
    expect(isSecretFinding(finding('private-key', 'a', 1))).toBe(true);
    expect(isSecretFinding(finding('risky-path', 'a', 1))).toBe(false);
  });
});
