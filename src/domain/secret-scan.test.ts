import { describe, expect, it } from 'vitest';
import {
  countSecurityFlags,
  DEFAULT_RISKY_PATH_GLOBS,
  flagRiskyPaths,
  maskSecret,
  scanAddedLinesForSecrets,
  scanDiffForSecurityFindings,
  shannonEntropy,
  type SecurityFinding,
} from './secret-scan.js';
import type { SecurityFinding as StoredSecurityFinding } from '../ports/store.js';
import type { DiffFile, ParsedDiff } from './unified-diff.js';

function diffAdding(path: string, ...lines: string[]): ParsedDiff {
  return { files: [{ path, status: 'modified', binary: false, deletedCount: 0, addedLines: lines.map((text, index) => ({ lineNumber: index + 10, text })) }] };
}

function changed(path: string, status: DiffFile['status'] = 'modified', oldPath?: string): DiffFile {
  const file: DiffFile = { path, status, binary: false, addedLines: [], deletedCount: 1 };
  if (oldPath !== undefined) file.oldPath = oldPath;
  return file;
}

const githubToken = `ghp_${'aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A'}`;
const secrets: Array<[string, string, string]> = [
  ['aws-access-key-id', 'AKIAIOSFODNN7EXAMPLF', 'const key = "AKIAIOSFODNN7EXAMPLF";'],
  ['aws-secret-access-key', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'],
  ['github-token', githubToken, `GITHUB_TOKEN: ${githubToken}`],
  ['github-token', `github_pat_11ABCDEFG0${'x1Y2z3'.repeat(10)}`, `token("github_pat_11ABCDEFG0${'x1Y2z3'.repeat(10)}")`],
  ['slack-token', 'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx', 'slack = xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx'],
  [
    'jwt',
    'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
    'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
  ],
  ['connection-string-password', 'S3cretPa55', 'DATABASE_URL=postgres://app:S3cretPa55@db.internal:5432/app'],
  ['generic-secret-assignment', 'S3cr3t!Passw0rd', 'const password = "S3cr3t!Passw0rd";'],
  ['generic-secret-assignment', 'sk-live-9fK2mQ7xLp4Zt8Rw', '  "apiKey": "sk-live-9fK2mQ7xLp4Zt8Rw",'],
  ['generic-secret-assignment', 'Zx9!qW2#eR4t', "DB_PASSWORD = 'Zx9!qW2#eR4t'"],
];

describe('scanAddedLinesForSecrets', () => {
  it.each(secrets)('finds a %s and never shows the raw value', (rule, secret, line) => {
    const findings = scanAddedLinesForSecrets(diffAdding('src/config.ts', 'harmless', line));
    expect(findings).toHaveLength(1);
    const finding = findings[0] as SecurityFinding;
    expect(finding).toMatchObject({ rule, file: 'src/config.ts', line: 11 });
    expect(JSON.stringify(finding)).not.toContain(secret);
    expect(finding.message).toContain(`(${secret.length} chars)`);
  });

  it('reports a private key header as high without echoing it', () => {
    const findings = scanAddedLinesForSecrets(diffAdding('deploy/key', '-----BEGIN OPENSSH PRIVATE KEY-----'));
    expect(findings).toEqual([{ rule: 'private-key', severity: 'high', file: 'deploy/key', line: 10, message: 'private key block added' }]);
  });

  it.each([
    'password = "changeme"',
    'token: "${GITHUB_TOKEN}"',
    'api_key = "<your api key>"',
    'secret = "your-secret-here"',
    'password = "aaaaaaaaaaaa"',
    'token_type = "bearer"',
    'const passwordField = "password_confirmation"',
    'DATABASE_URL=postgres://app:${DB_PASSWORD}@db:5432/app',
    'see https://example.com/user@host and AKIA-not-a-key',
    'password = process.env.DB_PASSWORD',
  ])('does not flag the placeholder or prose %j', (line) => {
    expect(scanAddedLinesForSecrets(diffAdding('src/x.ts', line))).toEqual([]);
  });

  it('reports a token once even when a generic rule also matches it', () => {
    const findings = scanAddedLinesForSecrets(diffAdding('src/x.ts', `const token = "${githubToken}";`));
    expect(findings.map((finding) => finding.rule)).toEqual(['github-token']);
  });

  it('finds several secrets on one line and across files', () => {
    const diff: ParsedDiff = {
      files: [
        ...diffAdding('a.env', 'A=AKIAIOSFODNN7EXAMPLF B=AKIAIOSFODNN7EXAMPLG').files,
        ...diffAdding('b.ts', 'nothing', `x = "${githubToken}"`).files,
      ],
    };
    expect(scanAddedLinesForSecrets(diff).map((finding) => [finding.file, finding.line, finding.rule])).toEqual([
      ['a.env', 10, 'aws-access-key-id'],
      ['a.env', 10, 'aws-access-key-id'],
      ['b.ts', 11, 'github-token'],
    ]);
  });

  it('has the same shape as the stored finding', () => {
    const stored: StoredSecurityFinding[] = scanAddedLinesForSecrets(diffAdding('x', 'AKIAIOSFODNN7EXAMPLF'));
    expect(stored).toHaveLength(1);
  });
});

describe('maskSecret', () => {
  it('shows at most four characters and never more than a quarter', () => {
    expect(maskSecret('AKIAIOSFODNN7EXAMPLF')).toBe('AKIA…(20 chars)');
    expect(maskSecret('S3cretPa')).toBe('S3…(8 chars)');
    expect(maskSecret('abc')).toBe('…(3 chars)');
  });
});

describe('shannonEntropy', () => {
  it('is zero for repeats and higher for random text', () => {
    expect(shannonEntropy('aaaa')).toBe(0);
    expect(shannonEntropy('abcd')).toBe(2);
    expect(shannonEntropy('9fK2mQ7xLp4Zt8Rw')).toBeGreaterThan(3.5);
  });
});

describe('flagRiskyPaths', () => {
  it.each([
    ['.github/workflows/ci.yml', 'medium', 'CI configuration'],
    ['.gitlab-ci.yml', 'medium', 'CI configuration'],
    ['config/.env', 'medium', 'secret file'],
    ['.env.production', 'medium', 'secret file'],
    ['src/auth.py', 'low', 'authentication'],
    ['tests/test_auth.py', 'low', 'authentication'],
    ['src/auth/middleware.ts', 'low', 'authentication'],
    ['db/migrations/001_users.sql', 'low', 'migration'],
    ['package-lock.json', 'low', 'lock file'],
    ['services/api/Dockerfile', 'low', 'container'],
    ['Dockerfile', 'low', 'container'],
  ])('flags %s as %s', (path, severity, name) => {
    const findings = flagRiskyPaths({ files: [changed(path)] });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ rule: 'risky-path', severity, file: path });
    expect(findings[0]?.message).toContain(name);
  });

  it.each(['src/author.py', 'src/utils.py', 'README.md', 'docs/authoring.md'])('leaves %s alone', (path) => {
    expect(flagRiskyPaths({ files: [changed(path)] })).toEqual([]);
  });

  it('checks the old path of a rename and names deletions', () => {
    const findings = flagRiskyPaths({ files: [changed('ci/old.yml', 'renamed', '.github/workflows/old.yml'), changed('Jenkinsfile', 'deleted')] });
    expect(findings.map((finding) => [finding.file, finding.severity, finding.message.split(':')[0]])).toEqual([
      ['ci/old.yml', 'medium', 'renamed CI configuration'],
      ['Jenkinsfile', 'medium', 'deleted CI configuration'],
    ]);
  });

  it('accepts custom rules and exports the default globs', () => {
    expect(DEFAULT_RISKY_PATH_GLOBS).toContain('.github/workflows/**');
    expect(DEFAULT_RISKY_PATH_GLOBS).toContain('.gitlab-ci.yml');
    const findings = flagRiskyPaths({ files: [changed('infra/main.tf')] }, [{ name: 'infrastructure', severity: 'medium', globs: ['infra/**'], reason: 'it is production' }]);
    expect(findings).toHaveLength(1);
  });
});

describe('scanDiffForSecurityFindings and countSecurityFlags', () => {
  it('puts the most severe first and counts only medium and high as flags', () => {
    const diff: ParsedDiff = { files: [changed('src/auth.py'), ...diffAdding('.github/workflows/ci.yml', 'key: AKIAIOSFODNN7EXAMPLF').files] };
    const findings = scanDiffForSecurityFindings(diff);
    expect(findings.map((finding) => [finding.severity, finding.rule])).toEqual([
      ['high', 'aws-access-key-id'],
      ['medium', 'risky-path'],
      ['low', 'risky-path'],
    ]);
    expect(countSecurityFlags(findings)).toBe(2);
    expect(countSecurityFlags(flagRiskyPaths({ files: [changed('src/auth.py')] }))).toBe(0);
  });
});
