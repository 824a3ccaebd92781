/**
 * Ticket titles, agent reports and file paths are untrusted text: a tracker user or
 * an agent can put terminal escapes, bidirectional overrides or line breaks in them
 * to forge lines in a commit message, a terminal box or an MR description. Every
 * renderer passes such text through {@link flattenUntrustedText} first.
 */

const ANSI_ESCAPE_SEQUENCE =
  // CSI (ESC [ … final), OSC (ESC ] … BEL or ESC \), DCS/SOS/PM/APC strings, 8-bit CSI, and two-byte ESC sequences.
  /\u001b\[[0-?]*[ -/]*[@-~]|\u009b[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[PX^_][^\u001b]*(?:\u001b\\)?|\u001b[@-Z\\-_]/g;

/**
 * C0 and C1 controls, DEL, the Unicode line and paragraph separators, zero-width
 * formatting that can hide text, and the bidirectional overrides and isolates used by
 * "Trojan Source" attacks.
 */
const CONTROL_OR_INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200b\u200e\u200f\u061c\ufeff]/g;

/** Removes ANSI escape sequences (colors, cursor movement, hyperlinks, window titles). */
export function stripAnsiEscapes(text: string): string {
  return text.replace(ANSI_ESCAPE_SEQUENCE, '');
}

/**
 * Turns untrusted text into one safe line: escapes removed, every control or
 * invisible character replaced by a space, runs of whitespace collapsed, trimmed.
 * With `maximumLength`, the result is cut (by code points) and ends with `…`.
 */
export function flattenUntrustedText(text: string, maximumLength?: number): string {
  const flat = stripAnsiEscapes(text).replace(CONTROL_OR_INVISIBLE, ' ').replace(/\s+/g, ' ').trim();
  return maximumLength === undefined ? flat : truncateCodePoints(flat, maximumLength);
}

/**
 * Cuts text to at most `maximumLength` code points, ending with `…` when it was cut,
 * so a surrogate pair is never split in half.
 */
export function truncateCodePoints(text: string, maximumLength: number): string {
  if (!Number.isInteger(maximumLength) || maximumLength < 1) {
    throw new Error(`truncateCodePoints: maximumLength must be a positive integer, got ${maximumLength}`);
  }
  const codePoints = Array.from(text);
  if (codePoints.length <= maximumLength) return text;
  return `${codePoints.slice(0, maximumLength - 1).join('').trimEnd()}…`;
}
