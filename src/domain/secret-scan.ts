import picomatch from 'picomatch';
import type { ParsedDiff } from './unified-diff.js';

/**
 * The security part of the automated gates, on the diff an agent produced: secrets
 * in added lines (keys, tokens, passwords, private keys) and changes to paths where
 * a small edit has large consequences (CI, auth, migrations, dependencies). Findings
 * carry a masked value only, because they are stored, shown in the terminal and
 * written into MR descriptions.
 */

export type SecuritySeverity = 'low' | 'medium' | 'high';
type Severity = SecuritySeverity;

/**
 * One security concern found by the gates. Defined in the domain (the store's
 * `SecurityFinding` has the same shape) because the domain never imports ports.
 */
export interface SecurityFinding {
  rule: string;
  severity: SecuritySeverity;
  file: string;
  line?: number;
  /** Never the raw secret: masked. */
  message: string;
}

interface SecretRule {
  id: string;
  description: string;
  severity: Severity;
  pattern: RegExp;
  /** Index of the capture group holding the secret; 0 for the whole match. */
  secretGroup: number;
  /** Extra test on the secret, to keep placeholders and prose out. */
  accept?: (secret: string) => boolean;
}

const PLACEHOLDER =
  /^(?:\$\{.*\}|\$[A-Z_][A-Z0-9_]*|\{\{.*\}\}|<[^>]*>|%\(?[A-Za-z_]*\)?s?|\*+|x+|X+|\.+|(?:your|my|some|example|sample|dummy|fake|test|changeme|placeholder|redacted|secret|password|token)[-_ A-Za-z]*)$/i;

/** Shannon entropy in bits per character: random keys score high, words and repeats low. */
export function shannonEntropy(text: string): number {
  const counts = new Map<string, number>();
  for (const character of text) counts.set(character, (counts.get(character) ?? 0) + 1);
  const length = Array.from(text).length;
  let entropy = 0;
  for (const count of counts.values()) {
    const probability = count / length;
    entropy -= probability * Math.log2(probability);
  }
  return entropy;
}

function characterClassCount(text: string): number {
  return [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((pattern) => pattern.test(text)).length;
}

/** A generic value counts as a secret when it is not a placeholder and looks random enough. */
export const GENERIC_SECRET_MINIMUM_ENTROPY = 3;

function looksLikeRealSecret(secret: string): boolean {
  return !PLACEHOLDER.test(secret) && shannonEntropy(secret) >= GENERIC_SECRET_MINIMUM_ENTROPY && characterClassCount(secret) >= 2;
}

/** The secret rules, most specific first; a generic match overlapping a specific one is not reported twice. */
export const SECRET_RULES: readonly SecretRule[] = [
  {
    id: 'private-key',
    description: 'private key block',
    severity: 'high',
    pattern: /-----BEGIN (?:(?:RSA|DSA|EC|OPENSSH|PGP|ENCRYPTED) )?PRIVATE KEY(?: BLOCK)?-----/g,
    secretGroup: 0,
  },
  { id: 'aws-access-key-id', description: 'AWS access key id', severity: 'high', pattern: /\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b/g, secretGroup: 0 },
  {
    id: 'aws-secret-access-key',
    description: 'AWS secret access key',
    severity: 'high',
    pattern: /aws_?secret_?(?:access_?)?key["']?\s*[:=]+>?\s*["']?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])/gi,
    secretGroup: 1,
  },
  { id: 'github-token', description: 'GitHub token', severity: 'high', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b/g, secretGroup: 0 },
  { id: 'slack-token', description: 'Slack token', severity: 'high', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,250}/g, secretGroup: 0 },
  {
    id: 'slack-webhook',
    description: 'Slack webhook URL',
    severity: 'medium',
    pattern: /https:\/\/hooks\.slack\.com\/(?:services|workflows)\/[A-Za-z0-9+/_-]{20,}/g,
    secretGroup: 0,
  },
  { id: 'jwt', description: 'JSON Web Token', severity: 'medium', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, secretGroup: 0 },
  {
    id: 'connection-string-password',
    description: 'password in a connection string',
    severity: 'high',
    pattern: /\b[a-z][a-z0-9+.-]{1,20}:\/\/[^\s:/@'"]{1,128}:([^\s@/'"]{1,256})@[^\s/'"]/gi,
    secretGroup: 1,
    accept: (secret) => !PLACEHOLDER.test(secret),
  },
  {
    id: 'generic-secret-assignment',
    description: 'hard-coded secret',
    severity: 'medium',
    pattern:
      /[A-Za-z0-9_.-]{0,40}(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|credentials?)[A-Za-z0-9_.-]{0,40}["']?\s*(?::=|=>|==|[:=])\s*["'`]([^"'`\s]{8,256})["'`]/gi,
    secretGroup: 1,
    accept: looksLikeRealSecret,
  },
];

/**
 * Shows enough of a secret to find it again, never enough to use it: at most the first
 * 4 characters (and never more than a quarter of it), `…`, and its length.
 */
export function maskSecret(secret: string): string {
  const characters = Array.from(secret);
  const visible = Math.min(4, Math.floor(characters.length / 4));
  return `${characters.slice(0, visible).join('')}…(${characters.length} chars)`;
}

/**
 * Looks for secrets in the lines a diff adds (deleted lines are not new exposure).
 * One finding per secret, with the file, the new line number, the rule id and a
 * message holding only the masked value.
 */
export function scanAddedLinesForSecrets(diff: ParsedDiff): SecurityFinding[] {
  const findings: SecurityFinding[] = [];
  for (const file of diff.files) {
    for (const line of file.addedLines) {
      const claimed: Array<[number, number]> = [];
      for (const rule of SECRET_RULES) {
        for (const match of line.text.matchAll(rule.pattern)) {
          const secret = match[rule.secretGroup];
          if (secret === undefined || secret.length === 0) continue;
          if (rule.accept !== undefined && !rule.accept(secret)) continue;
          const start = (match.index ?? 0) + match[0].indexOf(secret);
          const end = start + secret.length;
          if (claimed.some(([claimedStart, claimedEnd]) => start < claimedEnd && claimedStart < end)) continue;
          claimed.push([start, end]);
          findings.push({
            rule: rule.id,
            severity: rule.severity,
            file: file.path,
            line: line.lineNumber,
            message: rule.id === 'private-key' ? `${rule.description} added` : `possible ${rule.description} added: ${maskSecret(secret)}`,
          });
        }
      }
    }
  }
  return findings;
}

/** One family of paths whose change deserves a reviewer's attention. */
export interface RiskyPathRule {
  name: string;
  severity: Severity;
  globs: readonly string[];
  reason: string;
}

/**
 * The default risky paths. CI configuration and committed secret files are medium:
 * they can leak credentials or run code with the repository's privileges. Auth code,
 * migrations, container files and dependency manifests are low: normal work, but a
 * reviewer should look twice. Globs are picomatch globs, matched with dotfiles.
 */
export const DEFAULT_RISKY_PATH_RULES: readonly RiskyPathRule[] = [
  {
    name: 'CI configuration',
    severity: 'medium',
    globs: [
      '.github/workflows/**',
      '.github/actions/**',
      '.gitlab-ci.yml',
      '.gitlab-ci/**',
      '.circleci/**',
      '.buildkite/**',
      '**/Jenkinsfile',
      'azure-pipelines.yml',
      'bitbucket-pipelines.yml',
      '.travis.yml',
    ],
    reason: 'CI configuration runs with the repository’s credentials',
  },
  {
    name: 'secret file',
    severity: 'medium',
    globs: ['**/.env', '**/.env.*', '**/*.pem', '**/*.key', '**/*.p12', '**/*.pfx', '**/id_rsa', '**/id_ed25519', '**/.npmrc', '**/.pypirc', '**/credentials*.json'],
    reason: 'files like this usually hold credentials',
  },
  {
    name: 'authentication or authorization code',
    severity: 'low',
    globs: [
      '**/{auth,authn,authz,authentication,authorization,oauth,security,permissions,sessions}/**',
      '**/{auth,authentication,authorization,oauth,permissions,session}.*',
      '**/*{-,_,.}{auth,authentication,authorization,oauth,permissions,session}.*',
      '**/{auth,oauth}{-,_}*',
    ],
    reason: 'a mistake here can let the wrong people in',
  },
  {
    name: 'database migration',
    severity: 'low',
    globs: ['**/migrations/**', '**/migrate/**', '**/db/migrate/**', '**/alembic/versions/**', '**/*.migration.*'],
    reason: 'migrations change production data and are hard to undo',
  },
  {
    name: 'dependency lock file',
    severity: 'low',
    globs: ['**/package-lock.json', '**/yarn.lock', '**/pnpm-lock.yaml', '**/bun.lock{,b}', '**/Cargo.lock', '**/poetry.lock', '**/Pipfile.lock', '**/uv.lock', '**/go.sum', '**/Gemfile.lock', '**/composer.lock'],
    reason: 'a changed lock file can pull in new third-party code',
  },
  {
    name: 'dependency manifest',
    severity: 'low',
    globs: ['**/package.json', '**/requirements*.txt', '**/pyproject.toml', '**/Pipfile', '**/go.mod', '**/Cargo.toml', '**/Gemfile', '**/composer.json', '**/pom.xml', '**/build.gradle{,.kts}'],
    reason: 'new dependencies bring third-party code into the build',
  },
  {
    name: 'container definition',
    severity: 'low',
    globs: ['**/Dockerfile', '**/Dockerfile.*', '**/*.dockerfile', '**/docker-compose*.{yml,yaml}', '**/compose.{yml,yaml}'],
    reason: 'container files decide what runs in production and with which privileges',
  },
];

/** Every default risky glob, flattened, e.g. for configuration defaults and documentation. */
export const DEFAULT_RISKY_PATH_GLOBS: readonly string[] = DEFAULT_RISKY_PATH_RULES.flatMap((rule) => rule.globs);

const SEVERITY_ORDER: Record<Severity, number> = { high: 0, medium: 1, low: 2 };

/**
 * Flags changed files (added, modified, deleted or renamed, old and new paths) that
 * match a risky-path rule: one `risky-path` finding per file, for the most severe rule.
 */
export function flagRiskyPaths(diff: ParsedDiff, rules: readonly RiskyPathRule[] = DEFAULT_RISKY_PATH_RULES): SecurityFinding[] {
  const matchers = [...rules]
    .sort((left, right) => SEVERITY_ORDER[left.severity] - SEVERITY_ORDER[right.severity])
    .map((rule) => ({ rule, matches: picomatch(rule.globs as string[], { dot: true }) }));
  const findings: SecurityFinding[] = [];
  for (const file of diff.files) {
    const paths = file.oldPath === undefined ? [file.path] : [file.path, file.oldPath];
    const hit = matchers.find((matcher) => paths.some((path) => matcher.matches(path)));
    if (hit === undefined) continue;
    findings.push({ rule: 'risky-path', severity: hit.rule.severity, file: file.path, message: `${file.status} ${hit.rule.name}: ${hit.rule.reason}` });
  }
  return findings;
}

/** Severities that count as a security flag in the review queue and the review box. */
export const SECURITY_FLAG_SEVERITIES: readonly Severity[] = ['medium', 'high'];

/**
 * How many findings count as security flags: medium and high. Low findings (an auth
 * file touched, a lock file changed) are shown and cost a point of score, but do not
 * move an MR to the top of the queue — the seed's auth feature shows `Security: OK`.
 */
export function countSecurityFlags(findings: readonly SecurityFinding[]): number {
  return findings.filter((finding) => SECURITY_FLAG_SEVERITIES.includes(finding.severity)).length;
}

/** Secrets and risky paths together, most severe first, then by file and line. */
export function scanDiffForSecurityFindings(diff: ParsedDiff, riskyPathRules: readonly RiskyPathRule[] = DEFAULT_RISKY_PATH_RULES): SecurityFinding[] {
  return [...scanAddedLinesForSecrets(diff), ...flagRiskyPaths(diff, riskyPathRules)].sort(
    (left, right) =>
      SEVERITY_ORDER[left.severity] - SEVERITY_ORDER[right.severity] ||
      left.file.localeCompare(right.file) ||
      (left.line ?? 0) - (right.line ?? 0),
  );
}
