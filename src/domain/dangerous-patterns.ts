import type { SecurityFinding, SecuritySeverity } from './secret-scan.js';
import type { ParsedDiff } from './unified-diff.js';

/**
 * Code an agent adds that a reviewer must look at twice: evaluating strings as code,
 * shell commands built from strings, TLS verification turned off, SQL built by
 * concatenation. Each rule is a regular expression on one added line, limited to the
 * languages where the construct means what the rule says (`eval(` in a Markdown file
 * is prose), and comment lines are skipped. Cheap and line-based on purpose: it flags
 * for a human, it does not prove anything.
 */

/** The language families the rules know, by file name. */
export type SourceLanguage = 'javascript' | 'python' | 'go' | 'ruby' | 'php' | 'shell' | 'configuration' | 'other-code' | 'prose';

const LANGUAGE_BY_EXTENSION: Record<string, SourceLanguage> = {
  js: 'javascript', mjs: 'javascript', cjs: 'javascript', jsx: 'javascript', ts: 'javascript', mts: 'javascript', cts: 'javascript', tsx: 'javascript', vue: 'javascript', svelte: 'javascript',
  py: 'python', pyw: 'python',
  go: 'go',
  rb: 'ruby',
  php: 'php',
  sh: 'shell', bash: 'shell', zsh: 'shell',
  yml: 'configuration', yaml: 'configuration', json: 'configuration', toml: 'configuration', ini: 'configuration', env: 'configuration', cfg: 'configuration', conf: 'configuration',
  java: 'other-code', kt: 'other-code', cs: 'other-code', rs: 'other-code', scala: 'other-code', swift: 'other-code', c: 'other-code', cc: 'other-code', cpp: 'other-code', sql: 'other-code',
  md: 'prose', markdown: 'prose', txt: 'prose', rst: 'prose', adoc: 'prose', html: 'prose',
};

/** Which language family a path belongs to; `Dockerfile`, `.env` files and unknown extensions count as configuration. */
export function sourceLanguageOf(path: string): SourceLanguage {
  const name = path.slice(path.lastIndexOf('/') + 1);
  if (/^(?:Dockerfile|Containerfile|Makefile|Jenkinsfile)(?:\..*)?$/.test(name) || /^\.env(?:\..*)?$/.test(name)) return 'configuration';
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return 'configuration';
  return LANGUAGE_BY_EXTENSION[name.slice(dot + 1).toLowerCase()] ?? 'configuration';
}

const HASH_COMMENT_LANGUAGES: readonly SourceLanguage[] = ['python', 'ruby', 'shell', 'configuration', 'php'];
const SLASH_COMMENT_LANGUAGES: readonly SourceLanguage[] = ['javascript', 'go', 'php', 'other-code'];

function isCommentLine(text: string, language: SourceLanguage): boolean {
  const trimmed = text.trimStart();
  if (SLASH_COMMENT_LANGUAGES.includes(language) && /^(?:\/\/|\/\*|\*\s|\*$)/.test(trimmed)) return true;
  return HASH_COMMENT_LANGUAGES.includes(language) && trimmed.startsWith('#');
}

/** One dangerous construct: where it applies, what it looks like, why it matters. */
export interface DangerousPatternRule {
  id: string;
  severity: SecuritySeverity;
  languages: readonly SourceLanguage[] | 'all-code';
  pattern: RegExp;
  reason: string;
}

const CODE_LANGUAGES: readonly SourceLanguage[] = ['javascript', 'python', 'go', 'ruby', 'php', 'shell', 'other-code'];
/** Upper-case keywords only, the way SQL is usually written in code: prose like "Select a file from the list" stays out. */
const SQL_STATEMENT = String.raw`(?:SELECT\b[^'"\x60]*?\bFROM|INSERT\s+INTO|UPDATE\b[^'"\x60]*?\bSET|DELETE\s+FROM)\b`;

/** The rules, in the order they are reported. */
export const DANGEROUS_PATTERN_RULES: readonly DangerousPatternRule[] = [
  {
    id: 'dangerous-eval',
    severity: 'medium',
    languages: ['javascript', 'python', 'php', 'ruby'],
    pattern: /(?:^|[^\w$.])(?:(?:window|globalThis|global|self)\.)?eval\s*\(/,
    reason: 'eval( runs a string as code',
  },
  {
    id: 'dangerous-new-function',
    severity: 'medium',
    languages: ['javascript'],
    pattern: /\bnew\s+Function\s*\(/,
    reason: 'new Function( compiles a string into code',
  },
  {
    id: 'shell-command-from-string',
    severity: 'high',
    languages: ['javascript'],
    pattern: /(?:(?:^|[^\w$.])|\b(?:child_process|childProcess|cp)\.)exec(?:Sync)?\s*\(\s*(?:`[^`]*\$\{|(['"])(?:(?!\1).)*\1\s*\+|[\w$.]+\s*\+)/,
    reason: 'a shell command built from a template or concatenated string can be injected into',
  },
  {
    id: 'shell-true',
    severity: 'medium',
    languages: ['javascript', 'python'],
    pattern: /\bshell\s*(?::\s*true|=\s*True)\b/,
    reason: 'shell: true runs the command through a shell, where arguments can inject commands',
  },
  {
    id: 'tls-verification-disabled',
    severity: 'high',
    languages: ['javascript'],
    pattern: /\brejectUnauthorized\s*:\s*false\b/,
    reason: 'rejectUnauthorized: false accepts any TLS certificate (man-in-the-middle)',
  },
  {
    id: 'tls-verification-disabled',
    severity: 'high',
    languages: [...CODE_LANGUAGES, 'configuration'],
    pattern: /\bNODE_TLS_REJECT_UNAUTHORIZED\b['"]?\s*[:=]\s*['"]?0(?![\d.])/,
    reason: 'NODE_TLS_REJECT_UNAUTHORIZED=0 turns off TLS certificate checks for the whole process',
  },
  {
    id: 'tls-verification-disabled',
    severity: 'high',
    languages: ['python'],
    pattern: /\bverify\s*=\s*False\b/,
    reason: 'verify=False accepts any TLS certificate (man-in-the-middle)',
  },
  {
    id: 'tls-verification-disabled',
    severity: 'high',
    languages: ['go'],
    pattern: /\bInsecureSkipVerify\s*:\s*true\b/,
    reason: 'InsecureSkipVerify: true accepts any TLS certificate (man-in-the-middle)',
  },
  {
    id: 'sql-built-from-strings',
    severity: 'medium',
    languages: 'all-code',
    pattern: new RegExp(
      [
        String.raw`\x60[^\x60]*${SQL_STATEMENT}[^\x60]*\$\{`,
        String.raw`(['"])(?:(?!\1).)*?${SQL_STATEMENT}(?:(?!\1).)*\1\s*(?:\+|\.\s*format\s*\(|%\s*[\w(]|\.\s*\$)`,
        String.raw`\bf(['"])(?:(?!\2).)*?${SQL_STATEMENT}(?:(?!\2).)*?\{`,
      ].join('|'),
    ),
    reason: 'SQL built by concatenation or interpolation can be injected into; use bound parameters',
  },
];

function applies(rule: DangerousPatternRule, language: SourceLanguage): boolean {
  if (language === 'prose') return false;
  if (rule.languages === 'all-code') return CODE_LANGUAGES.includes(language);
  return rule.languages.includes(language);
}

/**
 * Flags dangerous constructs in the lines a diff adds: one finding per rule and line,
 * with the file, the new line number, the rule id and why it matters. Deleted files and
 * binary files have no added lines and yield nothing.
 */
export function scanAddedLinesForDangerousPatterns(diff: ParsedDiff, rules: readonly DangerousPatternRule[] = DANGEROUS_PATTERN_RULES): SecurityFinding[] {
  const findings: SecurityFinding[] = [];
  for (const file of diff.files) {
    const language = sourceLanguageOf(file.path);
    const relevant = rules.filter((rule) => applies(rule, language));
    if (relevant.length === 0) continue;
    for (const line of file.addedLines) {
      if (isCommentLine(line.text, language)) continue;
      const reported = new Set<string>();
      for (const rule of relevant) {
        if (reported.has(rule.id) || !rule.pattern.test(line.text)) continue;
        reported.add(rule.id);
        findings.push({ rule: rule.id, severity: rule.severity, file: file.path, line: line.lineNumber, message: rule.reason });
      }
    }
  }
  return findings;
}
