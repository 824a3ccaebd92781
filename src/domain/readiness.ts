import { COMPLEXITIES } from './ticket.js';
import type { Complexity, ReadinessChecklistItem, Ticket } from './ticket.js';

/**
 * The seed's readiness table, as a pure function of a ticket and the batch around it:
 *
 * | Criterion                 | Required    |
 * |---------------------------|-------------|
 * | Clear acceptance criteria | Yes         |
 * | No blocking questions     | Yes         |
 * | Dependencies resolved     | Yes         |
 * | Files identified          | Recommended |
 * | Complexity estimated      | Recommended |
 * | Test cases defined        | Recommended |
 *
 * The messages are written to the ticket when it is refused, so they say what to do.
 */
export interface ReadinessContext {
  /** Ids of tickets the tracker reports as finished (done, closed, merged …). */
  resolvedTicketIds: ReadonlySet<string>;
  /** Ids of the tickets that go into the same batch, whose branches dependents stack on. */
  candidateTicketIds: ReadonlySet<string>;
  /** Every id the tracker listed; when given, a dependency outside it is reported as unknown. */
  knownTicketIds?: ReadonlySet<string>;
}

/** Ready when nothing required is missing; each list holds messages for the ticket's author. */
export interface ReadinessResult {
  ready: boolean;
  missingRequired: string[];
  missingRecommended: string[];
}

/** What the author confirmed in the seed's `## Agent Readiness` checklist. */
export interface ChecklistReading {
  /** `true` ticked, `false` present but not ticked, `undefined` absent. */
  acceptanceCriteriaClear?: boolean;
  noOpenQuestions?: boolean;
  /** Files named on a ticked `Estimated files:` line; absent when none is usable. */
  estimatedFiles?: string[];
  /** The complexity named on a ticked `Complexity:` line, when it names exactly one. */
  complexity?: Complexity;
}

const PLACEHOLDERS = new Set(['', 'none', 'n/a', 'na', 'tbd', 'todo', '?', '-', '...', '…']);

/**
 * Interprets the checklist lines by their wording (case-insensitive, as in the seed:
 * "Acceptance criteria clear", "No open questions", "Estimated files: src/a.py, tests/",
 * "Complexity: Medium"). The template's "Small / Medium / Large" names no single value
 * and is ignored. Values are taken only from ticked lines: an unticked line is a draft.
 */
export function readReadinessChecklist(items: readonly ReadinessChecklistItem[]): ChecklistReading {
  const reading: ChecklistReading = {};
  for (const item of items) {
    const text = item.text.trim();
    const lower = text.toLowerCase();
    const value = text.includes(':') ? text.slice(text.indexOf(':') + 1).trim() : '';
    if (lower.startsWith('acceptance criteria')) {
      reading.acceptanceCriteriaClear = (reading.acceptanceCriteriaClear ?? true) && item.checked;
    } else if (lower.startsWith('no open questions') || lower.startsWith('no blocking questions')) {
      reading.noOpenQuestions = (reading.noOpenQuestions ?? true) && item.checked;
    } else if (lower.startsWith('estimated files') && item.checked) {
      const files = value
        .split(',')
        .map((file) => file.trim().replace(/^`|`$/g, '').trim())
        .filter((file) => !PLACEHOLDERS.has(file.toLowerCase()));
      if (files.length > 0) reading.estimatedFiles = files;
    } else if (lower.startsWith('complexity') && item.checked) {
      const named = value.toLowerCase().replace(/[.!]+$/, '').trim();
      if ((COMPLEXITIES as readonly string[]).includes(named)) reading.complexity = named as Complexity;
    }
  }
  return reading;
}

/**
 * Decides whether a ticket may go into a batch. A ticket is ready when nothing
 * required is missing; missing recommendations are reported but do not refuse it.
 */
export function validateReadiness(ticket: Ticket, context: ReadinessContext): ReadinessResult {
  const checklist = readReadinessChecklist(ticket.readinessChecklist);
  const missingRequired: string[] = [];
  const missingRecommended: string[] = [];

  if (checklist.acceptanceCriteriaClear === false) {
    missingRequired.push("acceptance criteria not confirmed: tick '- [x] Acceptance criteria clear' under '## Agent Readiness'");
  } else if (ticket.acceptanceCriteria.length === 0 && checklist.acceptanceCriteriaClear !== true) {
    missingRequired.push("no acceptance criteria: add a '## Acceptance Criteria' list");
  }

  for (const question of ticket.openQuestions) {
    missingRequired.push(`open question: ${quote(question)}`);
  }
  if (checklist.noOpenQuestions === false) {
    missingRequired.push("questions not confirmed answered: tick '- [x] No open questions' under '## Agent Readiness'");
  }

  for (const dependency of ticket.dependencies) {
    if (dependency === ticket.id) {
      missingRequired.push(`ticket depends on itself: remove ${dependency} from its dependencies`);
    } else if (context.resolvedTicketIds.has(dependency) || context.candidateTicketIds.has(dependency)) {
      continue;
    } else if (context.knownTicketIds !== undefined && !context.knownTicketIds.has(dependency)) {
      missingRequired.push(`dependency ${dependency} is unknown: no ticket with that id was found`);
    } else {
      missingRequired.push(`dependency ${dependency} is not resolved and not in this batch`);
    }
  }

  if (ticket.estimatedFiles.length === 0 && checklist.estimatedFiles === undefined) {
    missingRecommended.push("no estimated files: list them in 'estimated_files' (globs are fine)");
  }
  if (ticket.complexity === undefined && checklist.complexity === undefined) {
    missingRecommended.push("no complexity estimate: set 'complexity' to small, medium or large");
  }
  if (ticket.testCases.length === 0) {
    missingRecommended.push("no test cases: add a '## Test Cases' list");
  }

  return { ready: missingRequired.length === 0, missingRequired, missingRecommended };
}

function quote(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  const short = oneLine.length > 120 ? `${oneLine.slice(0, 117)}...` : oneLine;
  return `'${short}'`;
}
