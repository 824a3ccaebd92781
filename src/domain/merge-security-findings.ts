import { SECRET_RULES, type SecurityFinding, type SecuritySeverity } from './secret-scan.js';

/**
 * The security checks come from several sources that overlap: secretlint and the
 * built-in secret rules both see a GitHub token on the same line. The reviewer should
 * read each problem once, most severe first.
 */

/** Rule ids of secret findings reported by the secretlint adapter start with this. */
export const SECRETLINT_RULE_PREFIX = 'secretlint/';

const BUILT_IN_SECRET_RULES = new Set(SECRET_RULES.map((rule) => rule.id));
const SEVERITY_ORDER: Record<SecuritySeverity, number> = { high: 0, medium: 1, low: 2 };

/** Whether a finding reports a secret (from secretlint or from the built-in rules). */
export function isSecretFinding(finding: SecurityFinding): boolean {
  return finding.rule.startsWith(SECRETLINT_RULE_PREFIX) || BUILT_IN_SECRET_RULES.has(finding.rule);
}

/**
 * Drops exact repeats, and built-in secret findings on a line where secretlint already
 * found a secret (secretlint's rules are the more specific); keeps the built-in ones
 * elsewhere, as the fallback for what secretlint does not know or could not read.
 * Sorted by severity, then file, line and rule.
 */
export function mergeSecurityFindings(findings: readonly SecurityFinding[]): SecurityFinding[] {
  const secretlintLines = new Set(findings.filter((finding) => finding.rule.startsWith(SECRETLINT_RULE_PREFIX)).map((finding) => `${finding.file}\0${finding.line ?? ''}`));
  const seen = new Set<string>();
  const merged: SecurityFinding[] = [];
  for (const finding of findings) {
    if (BUILT_IN_SECRET_RULES.has(finding.rule) && secretlintLines.has(`${finding.file}\0${finding.line ?? ''}`)) continue;
    const key = [finding.rule, finding.file, finding.line ?? '', finding.message].join('\0');
    if (seen.has(key)) continue;
    seen.add(key);
    merged.push(finding);
  }
  return merged.sort(
    (left, right) =>
      SEVERITY_ORDER[left.severity] - SEVERITY_ORDER[right.severity] ||
      left.file.localeCompare(right.file) ||
      (left.line ?? 0) - (right.line ?? 0) ||
      left.rule.localeCompare(right.rule),
  );
}
