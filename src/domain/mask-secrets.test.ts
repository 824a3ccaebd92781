import { describe, expect, it } from 'vitest';
import { maskSecretsDeep, maskSecretsInText } from './mask-secrets.js';

const githubToken = ['ghp', '_', 'aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A'].join('');
const password = ['S3cr3t!', 'Passw0rd'].join('');
const keyBody = 'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\nVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK';

describe('maskSecretsInText', () => {
  it('masks tokens and passwords the built-in rules know, and removes private key blocks whole', () => {
    const text = `token: "${githubToken}"\nconst password = "${password}";\n-----BEGIN RSA PRIVATE KEY-----\n${keyBody}\n-----END RSA PRIVATE KEY-----\nDATABASE_URL=postgres://app:${password}@db:5432/app`;
    const masked = maskSecretsInText(text);
    for (const raw of [githubToken, password, keyBody.slice(0, 30)]) expect(masked).not.toContain(raw);
    expect(masked).toBe(
      'token: "ghp_…(40 chars)"\nconst password = "S3c…(15 chars)";\n[private key removed]\nDATABASE_URL=postgres://app:S3c…(15 chars)@db:5432/app',
    );
  });

  it('leaves placeholders and ordinary text alone', () => {
    const text = 'const password = process.env.PASSWORD;\napi_key = "${API_KEY}"\nNothing secret here.';
    expect(maskSecretsInText(text)).toBe(text);
  });

  it('masks inside JSON-encoded text (a logged tool call) as well', () => {
    const line = JSON.stringify({ type: 'tool-call', tool: 'Write', input: { file_path: 'src/a.js', content: `export const t = "${githubToken}";\n-----BEGIN PRIVATE KEY-----\n${keyBody}\n-----END PRIVATE KEY-----\n` } });
    const masked = maskSecretsInText(line);
    expect(masked).not.toContain(githubToken);
    expect(masked).not.toContain(keyBody.slice(0, 30));
    expect(JSON.parse(masked)).toMatchObject({ input: { content: 'export const t = "ghp_…(40 chars)";\n[private key removed]\n' } });
  });
});

describe('maskSecretsDeep', () => {
  it('masks every string of a record and keeps its shape', () => {
    const record = { type: 'tool-call', input: { content: `token = "${githubToken}"`, lines: [1, `x ${githubToken}`], ok: true, nothing: null } };
    expect(maskSecretsDeep(record)).toEqual({ type: 'tool-call', input: { content: 'token = "ghp_…(40 chars)"', lines: [1, 'x ghp_…(40 chars)'], ok: true, nothing: null } });
  });
});
