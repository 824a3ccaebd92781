import { checkTicketId } from './ticket-id.js';

/**
 * The seed's branch naming convention, `agent/<ticket-id>`, and the matching worktree
 * directory. Ticket ids are validated at intake, so an unsafe id reaching this point
 * is a defect in Nightshift, not a user error: these functions throw rather than
 * return a value, and never build a ref or path from an unchecked id.
 */

/**
 * Characters git forbids in ref names (`git check-ref-format`), plus anything a shell
 * would interpret, so the prefix is safe in a ref and in a command line.
 */
const SAFE_PREFIX = /^(?:[A-Za-z0-9_][A-Za-z0-9._-]*\/)*(?:[A-Za-z0-9_][A-Za-z0-9._-]*)?$/;

/**
 * Checks a configured branch prefix (`agent/` by default) against git's ref rules:
 * no `..`, no component starting with `.` or ending with `.lock`, no empty
 * components, no spaces or shell characters. Returns the reason, or undefined when safe.
 */
export function explainUnsafeBranchPrefix(prefix: string): string | undefined {
  if (!SAFE_PREFIX.test(prefix)) {
    return `branch prefix ${JSON.stringify(prefix)} must be path components of letters, digits, ".", "_" and "-" separated by single "/", not starting with "/", "." or "-"`;
  }
  if (prefix.includes('..')) return `branch prefix ${JSON.stringify(prefix)} must not contain ".."`;
  if (prefix.split('/').some((component) => component.endsWith('.lock') || component.endsWith('.'))) {
    return `branch prefix ${JSON.stringify(prefix)} has a component ending with ".lock" or "."`;
  }
  return undefined;
}

/**
 * The branch for a ticket: the prefix followed by the id (`agent/` + `PROJ-142` →
 * `agent/PROJ-142`). The prefix is used as given, so `agent/` and `agent-` both work.
 *
 * @throws Error when the id does not match `TICKET_ID_PATTERN` or the prefix is not a safe ref prefix (both are defects: they are validated earlier).
 */
export function branchNameFor(prefix: string, ticketId: string): string {
  const prefixProblem = explainUnsafeBranchPrefix(prefix);
  if (prefixProblem !== undefined) throw new Error(`branchNameFor: ${prefixProblem}`);
  return `${prefix}${requireSafeTicketId('branchNameFor', ticketId)}`;
}

/**
 * The directory name of a ticket's git worktree (inside Nightshift's worktrees
 * folder). The id alone is a safe single path component once validated.
 *
 * @throws Error when the id does not match `TICKET_ID_PATTERN`.
 */
export function worktreeDirectoryNameFor(ticketId: string): string {
  return requireSafeTicketId('worktreeDirectoryNameFor', ticketId);
}

function requireSafeTicketId(caller: string, ticketId: string): string {
  const check = checkTicketId(ticketId);
  if (!check.ok) throw new Error(`${caller}: ${check.reason} (ticket ids are validated at intake, so this is a defect)`);
  return check.id;
}
