import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SecretlintSecretScanner } from './secretlint-secret-scanner.js';

// Built from parts so that this file itself never holds a whole credential.
const githubToken = ['ghp', '_', 'wWPw5k4aXcaT4fNP0UcnZwJUVFk6LO0pINUx'].join('');
const databasePassword = ['Sup3r', 'S3cret', 'Pa55'].join('');
const connectionString = `postgres://app:${databasePassword}@db.internal:5432/app`;
const privateKeyBody = `MIIEowIBAAKCAQEA${Buffer.from(Array.from({ length: 150 }, (_, index) => (index * 37 + 11) % 256)).toString('base64')}`
  .replace(/.{64}/g, '$&\n')
  .trim();

let directory: string;
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'nightshift-secretlint-'));
});
afterEach(() => rmSync(directory, { recursive: true, force: true }));

function write(path: string, content: string | Buffer): void {
  mkdirSync(join(directory, path, '..'), { recursive: true });
  writeFileSync(join(directory, path), content);
}

describe('SecretlintSecretScanner', () => {
  it('finds secrets in real files with their line, rule and severity, and returns only masked values', async () => {
    write('src/config.js', `export const name = 'app';\nexport const token = "${githubToken}";\n`);
    write('config/database.yml', `production:\n  url: ${connectionString}\n`);
    write('deploy/key.pem', `-----BEGIN RSA PRIVATE KEY-----\n${privateKeyBody}\n-----END RSA PRIVATE KEY-----\n`);
    write('src/clean.js', 'export const answer = 42;\n');

    const outcome = await new SecretlintSecretScanner().scanFiles({ directory, paths: ['src/config.js', 'config/database.yml', 'deploy/key.pem', 'src/clean.js'] });

    expect(outcome.skipped).toEqual([]);
    expect(outcome.secrets).toEqual(
      expect.arrayContaining([
        { path: 'src/config.js', line: 2, rule: 'secretlint/github', severity: 'high', kind: 'github (GITHUB_TOKEN)', maskedValue: 'ghp_…(40 chars)' },
        expect.objectContaining({ path: 'config/database.yml', line: 2, rule: 'secretlint/database-connection-string', severity: 'high', maskedValue: expect.stringMatching(/^post…\(\d+ chars\)$/) }),
        expect.objectContaining({ path: 'deploy/key.pem', line: 1, rule: 'secretlint/privatekey', severity: 'high' }),
      ]),
    );
    expect(outcome.secrets.filter((secret) => secret.path === 'src/clean.js')).toEqual([]);
    const everything = JSON.stringify(outcome);
    for (const raw of [githubToken, databasePassword, privateKeyBody.slice(0, 40), githubToken.slice(4, 20)]) expect(everything).not.toContain(raw);
  });

  it('skips missing, binary, oversized, linked and outside files, and says why', async () => {
    write('image.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]));
    write('big.txt', `token = "${githubToken}"\n${'x'.repeat(2000)}\n`);
    const outside = mkdtempSync(join(tmpdir(), 'nightshift-outside-'));
    try {
      writeFileSync(join(outside, 'id_rsa'), `token = "${githubToken}"\n`);
      symlinkSync(join(outside, 'id_rsa'), join(directory, 'linked-key'));
      symlinkSync(outside, join(directory, 'linked-directory'));
      const outcome = await new SecretlintSecretScanner({ maximumFileBytes: 1000 }).scanFiles({
        directory,
        paths: ['missing.js', 'image.png', 'big.txt', 'linked-key', 'linked-directory/id_rsa', '../outside/id_rsa', 'src'],
      });
      expect(outcome.secrets).toEqual([]);
      expect(outcome.skipped).toEqual([
        { path: 'missing.js', reason: 'missing' },
        { path: 'image.png', reason: 'binary' },
        { path: 'big.txt', reason: 'larger than 1000 bytes' },
        { path: 'linked-key', reason: 'a symbolic link (never followed)' },
        { path: 'linked-directory/id_rsa', reason: 'outside the scanned directory' },
        { path: '../outside/id_rsa', reason: 'outside the scanned directory' },
        { path: 'src', reason: 'missing' },
      ]);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});
