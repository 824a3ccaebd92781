import { maskSecret, SECRET_RULES } from './secret-scan.js';

/**
 * Records Nightshift writes verbatim — above all the agent's tool calls in a ticket's
 * log, where a Write call carries the whole file the agent wrote — can hold a secret
 * the agent put in the code. The gates flag it; these functions keep it out of the
 * records themselves, with the same rules and the same masking as the findings.
 */

const PRIVATE_KEY_BLOCK = /-----BEGIN[A-Z ]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?-----END[A-Z ]*PRIVATE KEY(?: BLOCK)?-----/g;

/**
 * Words at least one of which every rule of {@link SECRET_RULES} (and the private key block)
 * needs in its match, whatever the case: a text with none of them holds no secret these
 * rules can see, and is returned without running them. Logs carry many short strings
 * (times, states, ids), so most records skip the rules entirely. Keep it in step with the
 * rules; a test checks the two agree.
 */
const MAY_HOLD_A_SECRET = /-----BEGIN|AKIA|ASIA|ABIA|ACCA|aws|gh[pousr]_|github_pat_|xox|hooks\.slack\.com|eyJ|:\/\/|passw|pwd|secret|token|api|access|private|credential/i;

/** The text with every secret the built-in rules recognize masked, and private key blocks removed whole. */
export function maskSecretsInText(text: string): string {
  return MAY_HOLD_A_SECRET.test(text) ? maskWithEveryRule(text) : text;
}

/** {@link maskSecretsInText} without the shortcut: every rule runs. Exported for the test that checks the two agree. */
export function maskWithEveryRule(text: string): string {
  let masked = text.replace(PRIVATE_KEY_BLOCK, '[private key removed]');
  for (const rule of SECRET_RULES) {
    if (rule.id === 'private-key') continue;
    masked = masked.replace(rule.pattern, (...match: unknown[]) => {
      const whole = match[0] as string;
      const secret = match[rule.secretGroup] as string | undefined;
      if (secret === undefined || secret === '' || (rule.accept !== undefined && !rule.accept(secret))) return whole;
      const start = whole.indexOf(secret);
      return `${whole.slice(0, start)}${maskSecret(secret)}${whole.slice(start + secret.length)}`;
    });
  }
  return masked;
}

/** A copy of a JSON-like value with {@link maskSecretsInText} applied to every string in it, keys included. */
export function maskSecretsDeep(value: unknown): unknown {
  if (typeof value === 'string') return maskSecretsInText(value);
  if (Array.isArray(value)) return value.map(maskSecretsDeep);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([key, item]) => [maskSecretsInText(key), maskSecretsDeep(item)]));
}
