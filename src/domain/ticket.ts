/**
 * A ticket as Nightshift understands it, whatever tracker it came from.
 * Adapters translate their vendor's record into this shape at the border and keep
 * the vendor's own record only as an opaque `sourceReference`.
 */
export const PRIORITIES = ['high', 'medium', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const COMPLEXITIES = ['small', 'medium', 'large'] as const;
export type Complexity = (typeof COMPLEXITIES)[number];

/** One line of the seed's `## Agent Readiness` checklist, as the author ticked it. */
export interface ReadinessChecklistItem {
  text: string;
  checked: boolean;
}

export interface Ticket {
  id: string;
  title: string;
  labels: string[];
  priority: Priority;
  complexity?: Complexity;
  /** Globs of the files the author expects to change (the seed's `estimated_files`). */
  estimatedFiles: string[];
  /** Ids of tickets that must be completed before this one. */
  dependencies: string[];
  /** The tracker's own status for the ticket, e.g. `open`, `done`, `partial`, `draft`. */
  status?: string;
  /** When the ticket was created; older tickets go first among equals. ISO 8601. */
  createdAt?: string;
  /** The Markdown description, untrusted text. */
  body: string;
  acceptanceCriteria: string[];
  openQuestions: string[];
  testCases: string[];
  readinessChecklist: ReadinessChecklistItem[];
  /** Where the ticket lives in its tracker (a file path, an issue URL); opaque to the core. */
  sourceReference: string;
}

/** Statuses a tracker uses for a ticket whose work is finished, so dependents may start. */
export const RESOLVED_TICKET_STATUSES = ['done', 'completed', 'closed', 'merged', 'resolved'] as const;

export function isResolvedStatus(status: string | undefined): boolean {
  return status !== undefined && (RESOLVED_TICKET_STATUSES as readonly string[]).includes(status.toLowerCase());
}
