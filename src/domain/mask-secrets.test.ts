import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskSecretsDeep, maskSecretsInText, maskWithEveryRule } from './mask-secrets.js';

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

describe('the shortcut for texts that cannot hold a secret', () => {
  const fragments = [
    githubToken, password, 'AKIAIOSFODNN7EXAMPLEX', 'aws_secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY1"', 'xoxb-1234567890-abcdefghij',
    'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
    'postgres://app:hunter2hunter2@db', 'API_KEY: "q8Zr2LmN4xV7pT1k"', 'Private-Key = "zX9!qR2#mN5$kL8@"', 'credentials: \'Tk4#pQ9!xZ2$mW7\'',
    '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----', 'auth_token = "Zq8#rT2!mX5pL9"', 'pwd: "Gh7$kP2!qW9z"',
    'passwd="Xy7#Qz2!Lm9p"', 'client_secret = "Rt5!kP9#zQ2m"', 'access_key: "Mn4$Xq8!Lp2z"', 'state: queued', '2026-11-26T05:12:15.123Z', ' ', '"', "'", '=', ':', '\n', 'T-001',
  ];
  it('masks exactly what running every rule masks, on any mix of secrets and ordinary text', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom(...fragments), fc.string({ maxLength: 30 }), fc.stringMatching(/^[A-Za-z0-9_=:"' ./-]{0,40}$/)), { maxLength: 8 }), (parts) => {
        const text = parts.join('');
        expect(maskSecretsInText(text)).toBe(maskWithEveryRule(text));
      }),
      { numRuns: 2000 },
    );
  });
});
