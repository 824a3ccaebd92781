/**
 * Ticket ids end up in paths, branch names, commit messages and shell commands, and
 * they come from untrusted tracker text. Only ids matching this pattern are ever used.
 */
export const TICKET_ID_PATTERN = /^[A-Z][A-Z0-9]*-[0-9]+$/;

export type TicketIdCheck = { ok: true; id: string } | { ok: false; reason: string };

/** Checks an id against {@link TICKET_ID_PATTERN} and says why it is refused. */
export function checkTicketId(candidate: unknown): TicketIdCheck {
  if (typeof candidate !== 'string') {
    return { ok: false, reason: `ticket id must be a string like "PROJ-142", got ${typeof candidate}` };
  }
  if (candidate.length > 64) {
    return { ok: false, reason: `ticket id is ${candidate.length} characters long; at most 64 are allowed` };
  }
  if (!TICKET_ID_PATTERN.test(candidate)) {
    return {
      ok: false,
      reason: `ticket id ${JSON.stringify(candidate)} is not safe: expected capital letters and digits, a dash, and a number (like "PROJ-142"); ids with "..", "/", spaces or shell characters are never used in paths, branches or commands`,
    };
  }
  return { ok: true, id: candidate };
}
