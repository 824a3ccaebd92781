import { maskSecret, shannonEntropy, type SecurityFinding, type SecuritySeverity } from './secret-scan.js';
import type { Ticket } from './ticket.js';
import { flattenUntrustedText } from './untrusted-text.js';

/**
 * A ticket's text goes into an agent's prompt, and anyone who can write a ticket (or a
 * comment a tracker folds into it) can try to steer the agent: "ignore previous
 * instructions", "print your environment", text hidden in invisible Unicode or in a
 * base64 blob. The agent runs sandboxed and without secrets, but a reviewer should know
 * the ticket tried: each marker becomes a finding on the ticket itself, with the
 * ticket's source reference as its file and the line of the ticket's description.
 */

interface PhraseRule {
  id: string;
  severity: SecuritySeverity;
  pattern: RegExp;
  reason: string;
}

/** Phrases that address the agent instead of describing work. */
export const PROMPT_INJECTION_PHRASE_RULES: readonly PhraseRule[] = [
  {
    id: 'prompt-injection-override',
    severity: 'medium',
    pattern:
      /\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+)?(?:of\s+)?(?:the\s+|your\s+|these\s+|those\s+)?(?:previous|prior|above|earlier|preceding|original|system)\s+(?:instructions?|prompts?|rules|directions|messages?|context)\b|\bdisregard\s+(?:all\s+)?(?:of\s+)?the\s+above\b/i,
    reason: 'tries to override the agent’s instructions',
  },
  {
    id: 'prompt-injection-role',
    severity: 'medium',
    pattern: /\byou\s+are\s+now\b|\bnew\s+system\s+prompt\b|\b(?:reveal|print|show|repeat)\s+(?:me\s+)?(?:your|the)\s+system\s+prompt\b/i,
    reason: 'tries to give the agent a new role or read its instructions',
  },
  {
    id: 'prompt-injection-environment',
    severity: 'medium',
    pattern:
      /\b(?:print|dump|echo|reveal|send|post|upload|leak)\s+(?:me\s+)?(?:all\s+)?(?:of\s+)?(?:your|the)?\s*(?:environment(?:\s+variables)?|env(?:\s+vars?)?|process\.env|secrets|api\s+keys|credentials)\b|\bprintenv\b/i,
    reason: 'asks the agent to reveal its environment or credentials',
  },
  {
    id: 'prompt-injection-credential-path',
    severity: 'medium',
    pattern: /~\/\.ssh\b|\$HOME\/\.ssh\b|\bid_(?:rsa|ed25519|ecdsa)\b|\.aws\/credentials\b|\.netrc\b|\.docker\/config\.json\b/i,
    reason: 'names a credential file the work should never need',
  },
  {
    id: 'prompt-injection-exfiltration',
    severity: 'medium',
    pattern: /\bexfiltrat\w*/i,
    reason: 'talks about exfiltrating data',
  },
];

/**
 * Invisible or direction-changing characters: bidirectional overrides and isolates
 * ("Trojan Source"), zero-width characters, and the Unicode tag block, which can spell
 * out a whole hidden sentence that models read and people do not see.
 */
const HIDDEN_CHARACTER = /[\u202a-\u202e\u2066-\u2069\u200b\u200e\u200f\u2060-\u2064\u061c\ufeff\u{e0000}-\u{e007f}]/gu;
const TAG_CHARACTER = /[\u{e0020}-\u{e007e}]/gu;
const BASE64_BLOB = /(?<![A-Za-z0-9+/=_-])(?:[A-Za-z0-9+/]{4}){10,}(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?(?![A-Za-z0-9+/=_-])/g;

/** The text of a ticket the scan reads, where each part comes from. */
export type ScannedTicket = Pick<Ticket, 'title' | 'body' | 'acceptanceCriteria' | 'openQuestions' | 'testCases' | 'sourceReference'>;

interface TextPart {
  where: string;
  text: string;
  /** 1-based line numbers are reported for the description only. */
  numberedLines: boolean;
}

/**
 * Looks for prompt-injection markers in a ticket's title, description and lists. One
 * finding per rule and line; lists already contained in the description are not
 * scanned twice. The matched phrase is quoted (flattened, short); a base64 blob is
 * shown masked, since it may be a credential as well as hidden instructions.
 */
export function scanTicketForPromptInjection(ticket: ScannedTicket): SecurityFinding[] {
  const parts: TextPart[] = [
    { where: 'ticket title', text: ticket.title, numberedLines: false },
    { where: 'ticket description', text: ticket.body.replace(/^\ufeff/, ''), numberedLines: true },
  ];
  const lists: Array<[string, readonly string[]]> = [
    ['acceptance criterion', ticket.acceptanceCriteria],
    ['open question', ticket.openQuestions],
    ['test case', ticket.testCases],
  ];
  for (const [where, items] of lists) {
    for (const item of items) if (!ticket.body.includes(item)) parts.push({ where: `ticket ${where}`, text: item, numberedLines: false });
  }

  const findings: SecurityFinding[] = [];
  const seen = new Set<string>();
  const add = (finding: SecurityFinding): void => {
    const key = `${finding.rule}:${finding.line ?? finding.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    findings.push(finding);
  };
  for (const part of parts) {
    part.text.split('\n').forEach((text, index) => {
      const line = part.numberedLines ? index + 1 : undefined;
      const where = line === undefined ? part.where : `${part.where}, line ${line}`;
      for (const finding of scanLine(text, where)) add({ ...finding, file: ticket.sourceReference, ...(line === undefined ? {} : { line }) });
    });
  }
  return findings;
}

function scanLine(text: string, where: string): Omit<SecurityFinding, 'file'>[] {
  const findings: Omit<SecurityFinding, 'file'>[] = [];
  for (const rule of PROMPT_INJECTION_PHRASE_RULES) {
    const match = rule.pattern.exec(text);
    if (match !== null) findings.push({ rule: rule.id, severity: rule.severity, message: `${where} ${rule.reason}: “${flattenUntrustedText(match[0], 60)}”` });
  }
  const hidden = [...text.matchAll(HIDDEN_CHARACTER)].map((match) => match[0]);
  if (hidden.length > 0) findings.push({ rule: 'prompt-injection-hidden-characters', severity: 'medium', message: `${where} holds ${describeHiddenCharacters(text, hidden)}` });
  for (const match of text.matchAll(BASE64_BLOB)) {
    const blob = match[0];
    if (!looksEncoded(blob)) continue;
    const decoded = decodeBase64Text(blob);
    const instructions = decoded === undefined ? undefined : PROMPT_INJECTION_PHRASE_RULES.find((rule) => rule.pattern.test(decoded));
    findings.push(
      instructions === undefined
        ? { rule: 'prompt-injection-encoded-blob', severity: 'low', message: `${where} holds a base64-like blob (${maskSecret(blob)}) that can hide instructions` }
        : { rule: 'prompt-injection-encoded-instructions', severity: 'medium', message: `${where} holds base64 that decodes to text which ${instructions.reason}` },
    );
  }
  return findings;
}

function describeHiddenCharacters(text: string, hidden: readonly string[]): string {
  const names = [...new Set(hidden.map((character) => `U+${(character.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}`))];
  const listed = names.slice(0, 4).join(', ') + (names.length > 4 ? ', …' : '');
  const tags = [...text.matchAll(TAG_CHARACTER)].map((match) => String.fromCodePoint((match[0].codePointAt(0) as number) - 0xe0000)).join('');
  const spelled = tags.trim() === '' ? '' : `; the tag characters spell “${flattenUntrustedText(tags, 60)}”`;
  return `${hidden.length} invisible or direction-changing character${hidden.length === 1 ? '' : 's'} (${listed})${spelled}`;
}

/** Long runs of letters and digits in mixed case with high entropy; hex digests and words stay out. */
function looksEncoded(blob: string): boolean {
  if (/^[0-9a-f]+$/i.test(blob)) return false;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/].filter((pattern) => pattern.test(blob)).length;
  return classes === 3 && shannonEntropy(blob) >= 4;
}

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Decodes base64 to text when the result is mostly printable UTF-8; undefined otherwise. */
export function decodeBase64Text(blob: string): string | undefined {
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const character of blob.replace(/=+$/, '')) {
    const value = BASE64_ALPHABET.indexOf(character);
    if (value < 0) return undefined;
    buffer = (buffer << 6) | value;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >> bits) & 0xff);
    }
  }
  const text = new TextDecoder('utf-8', { fatal: false }).decode(new Uint8Array(bytes));
  const printable = Array.from(text).filter((character) => /[\p{L}\p{N}\p{P}\p{Zs}\n\t]/u.test(character)).length;
  return printable >= Array.from(text).length * 0.9 ? text : undefined;
}
