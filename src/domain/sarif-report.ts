import { DANGEROUS_PATTERN_RULES } from './dangerous-patterns.js';
import { SECRETLINT_RULE_PREFIX } from './merge-security-findings.js';
import { PROMPT_INJECTION_PHRASE_RULES } from './prompt-injection.js';
import { SECRET_RULES, type SecurityFinding, type SecuritySeverity } from './secret-scan.js';

/**
 * The security findings of one MR as a SARIF 2.1.0 log, the format code hosts and
 * security dashboards import (GitHub code scanning, GitLab, DefectDojo, VS Code's
 * SARIF viewer). One run, tool `nightshift`, one rule per rule id that fired, one
 * result per finding. Findings carry masked values only, so the log does too.
 */

/** The OASIS schema the log declares (2.1.0 with errata 01). */
export const SARIF_SCHEMA_URI = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

/** SARIF's result levels. */
export type SarifLevel = 'none' | 'note' | 'warning' | 'error';

/** The SARIF 2.1.0 objects Nightshift writes, typed as far as it writes them. */
export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: SarifRun[];
}

/** One run of the tool over one MR. */
export interface SarifRun {
  tool: { driver: SarifDriver };
  automationDetails?: { id: string };
  results: SarifResult[];
}

/** The tool itself (`nightshift`) and the rules that fired. */
export interface SarifDriver {
  name: string;
  version?: string;
  informationUri?: string;
  rules: SarifRule[];
}

/** A rule descriptor: what the rule means and how severe its worst result was. */
export interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  defaultConfiguration: { level: SarifLevel };
  properties: { tags: string[]; 'security-severity': string };
}

/** One finding. */
export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: { text: string };
  locations: SarifLocation[];
  properties: { severity: SecuritySeverity };
}

/** Where a finding is: a repository path (relative to `%SRCROOT%`) or a ticket's address, and its line. */
export interface SarifLocation {
  physicalLocation: {
    artifactLocation: { uri: string; uriBaseId?: string };
    region?: { startLine: number };
  };
}

/** How a finding's severity reads in SARIF: high → error, medium → warning, low → note. */
export const SARIF_LEVEL_BY_SEVERITY: Record<SecuritySeverity, SarifLevel> = { high: 'error', medium: 'warning', low: 'note' };

/** GitHub code scanning ranks security alerts by this 0–10 score (high ≥ 7, medium ≥ 4). */
const SECURITY_SEVERITY_SCORE: Record<SecuritySeverity, string> = { high: '8.0', medium: '5.0', low: '2.0' };
const SEVERITY_ORDER: Record<SecuritySeverity, number> = { high: 0, medium: 1, low: 2 };

/** What each rule id means, for the log's rule descriptions. */
const RULE_DESCRIPTIONS: ReadonlyMap<string, string> = new Map<string, string>([
  ...SECRET_RULES.map((rule): [string, string] => [rule.id, `A ${rule.description} in an added line`]),
  ...DANGEROUS_PATTERN_RULES.map((rule): [string, string] => [rule.id, capitalize(rule.reason)]),
  ...PROMPT_INJECTION_PHRASE_RULES.map((rule): [string, string] => [rule.id, `The ticket ${rule.reason}`]),
  ['risky-path', 'A change to a path where a small edit has large consequences (CI, permissions, auth, migrations, lock files, containers)'],
  ['dependency-added', 'A manifest adds a dependency: new third-party code in the build'],
  ['dependency-changed', 'A manifest changes the version of a dependency'],
  ['dependency-vulnerability', 'A dependency the change brought in has known vulnerabilities'],
  ['dependency-audit-failed', 'The dependency audit could not run, so new dependencies are unchecked'],
  ['dependency-manifest-unreadable', 'A changed dependency manifest cannot be read'],
  ['prompt-injection-hidden-characters', 'The ticket holds invisible or direction-changing Unicode characters'],
  ['prompt-injection-encoded-blob', 'The ticket holds a base64-like blob that can hide instructions'],
  ['prompt-injection-encoded-instructions', 'The ticket holds base64 that decodes to instructions for the agent'],
]);

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function describeRule(ruleId: string): string {
  const known = RULE_DESCRIPTIONS.get(ruleId);
  if (known !== undefined) return known;
  if (ruleId.startsWith(SECRETLINT_RULE_PREFIX)) return `A secret in an added line, found by secretlint’s ${ruleId.slice(SECRETLINT_RULE_PREFIX.length)} rule`;
  return capitalize(ruleId.replace(/[-_/]+/g, ' '));
}

const DANGEROUS_RULE_IDS = new Set(DANGEROUS_PATTERN_RULES.map((rule) => rule.id));
const SECRET_RULE_IDS = new Set(SECRET_RULES.map((rule) => rule.id));

/** The family a rule belongs to, as a SARIF tag next to `security`. */
function ruleCategory(ruleId: string): string {
  if (ruleId.startsWith(SECRETLINT_RULE_PREFIX) || SECRET_RULE_IDS.has(ruleId)) return 'secret';
  if (DANGEROUS_RULE_IDS.has(ruleId)) return 'dangerous-code';
  if (ruleId.startsWith('dependency-')) return 'dependency';
  if (ruleId.startsWith('prompt-injection-')) return 'prompt-injection';
  return ruleId;
}

/** An artifact URI: absolute URIs (a ticket's web address) as they are, repository paths percent-encoded per segment. */
export function toArtifactUri(path: string): { uri: string; uriBaseId?: string } {
  if (/^[A-Za-z][A-Za-z0-9+.-]+:\/\//.test(path)) return { uri: encodeURI(decodeURIComponentSafely(path)) };
  return { uri: path.split('/').map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' };
}

function decodeURIComponentSafely(text: string): string {
  try {
    return decodeURI(text);
  } catch {
    return text;
  }
}

/** What {@link buildSarifLog} turns into a log. */
export interface SarifReportInput {
  findings: readonly SecurityFinding[];
  /** Nightshift's version, for the driver. */
  toolVersion?: string;
  /** Identifies the run among others, e.g. `nightshift/2024-01-15-overnight/PROJ-142/`. */
  automationId?: string;
}

/**
 * Builds the SARIF log of one MR's findings. Rules are listed in the order they first
 * appear; a rule's default level and security-severity are those of its most severe
 * result. Findings without a line get a location without a region.
 */
export function buildSarifLog(input: SarifReportInput): SarifLog {
  const rules: SarifRule[] = [];
  const ruleIndexes = new Map<string, number>();
  const ruleSeverities = new Map<string, SecuritySeverity>();
  for (const finding of input.findings) {
    const strongest = ruleSeverities.get(finding.rule);
    if (strongest === undefined || SEVERITY_ORDER[finding.severity] < SEVERITY_ORDER[strongest]) ruleSeverities.set(finding.rule, finding.severity);
    if (ruleIndexes.has(finding.rule)) continue;
    ruleIndexes.set(finding.rule, rules.length);
    rules.push({ id: finding.rule, name: finding.rule, shortDescription: { text: describeRule(finding.rule) }, defaultConfiguration: { level: 'warning' }, properties: { tags: [...new Set(['security', ruleCategory(finding.rule)])], 'security-severity': '' } });
  }
  for (const rule of rules) {
    const severity = ruleSeverities.get(rule.id) as SecuritySeverity;
    rule.defaultConfiguration.level = SARIF_LEVEL_BY_SEVERITY[severity];
    rule.properties['security-severity'] = SECURITY_SEVERITY_SCORE[severity];
  }
  const results = input.findings.map((finding): SarifResult => {
    const physicalLocation: SarifLocation['physicalLocation'] = { artifactLocation: toArtifactUri(finding.file) };
    if (finding.line !== undefined && Number.isInteger(finding.line) && finding.line >= 1) physicalLocation.region = { startLine: finding.line };
    return {
      ruleId: finding.rule,
      ruleIndex: ruleIndexes.get(finding.rule) as number,
      level: SARIF_LEVEL_BY_SEVERITY[finding.severity],
      message: { text: finding.message },
      locations: [{ physicalLocation }],
      properties: { severity: finding.severity },
    };
  });
  const driver: SarifDriver = { name: 'nightshift', rules };
  if (input.toolVersion !== undefined) driver.version = input.toolVersion;
  const run: SarifRun = { tool: { driver }, results };
  if (input.automationId !== undefined) run.automationDetails = { id: input.automationId };
  return { $schema: SARIF_SCHEMA_URI, version: '2.1.0', runs: [run] };
}

/** The log as the file holds it: pretty-printed JSON with a final newline. */
export function formatSarifLog(log: SarifLog): string {
  return `${JSON.stringify(log, null, 2)}\n`;
}
