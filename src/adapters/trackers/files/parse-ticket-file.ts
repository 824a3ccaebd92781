import { lineCounterFor } from '../../../domain/yaml-location.js';
import { parseDocument } from 'yaml';
import { describeFoundValue } from '../../../domain/describe-found-value.js';
import { readReadinessChecklist } from '../../../domain/readiness.js';
import type { Ticket } from '../../../domain/ticket.js';
import { valueAtKeyPath } from '../../../domain/yaml-location.js';
import type { TicketProblem } from '../../../ports/ticket-source.js';
import { readTicketBody } from './read-ticket-body.js';
import { splitFrontMatter } from './split-front-matter.js';
import { TICKET_FRONT_MATTER_KEYS, ticketFrontMatterSchema } from './ticket-front-matter.js';

/** What one ticket file yields: the ticket when it is readable, and every problem found. */
export interface TicketFileReading {
  ticket?: Ticket;
  /** Set on a draft Nightshift filed for unfinished work (`follow_up_of`, `created_by_batch`). */
  followUp?: { originalTicketId?: string; batchId?: string };
  problems: TicketProblem[];
}

/** Where a ticket file's text came from: what the parser cannot learn from the text itself. */
export interface TicketFileOrigin {
  /** The file path relative to the repository root; becomes `sourceReference` and each problem's `location`. */
  sourceReference: string;
  /** The file's modification time (ISO 8601), the creation time when the front matter has none. */
  modifiedAt?: string;
}

/**
 * Reads one ticket file. Never throws: malformed YAML, missing or mistyped fields and
 * unsafe ids come back as problems naming the field and what was expected. Unknown
 * front-matter keys are warnings: the ticket is still read.
 */
export function parseTicketFile(text: string, origin: TicketFileOrigin): TicketFileReading {
  const location = origin.sourceReference;
  const split = splitFrontMatter(text);
  if (!split.ok) return { problems: [{ location, message: split.reason, severity: 'error' }] };

  const document = parseDocument(split.frontMatter, { prettyErrors: false, uniqueKeys: true });
  const lineCounter = lineCounterFor(split.frontMatter);
  const lineOf = (offset: number): string => {
    const position = lineCounter.linePos(offset);
    return `line ${position.line + split.firstLine - 1}, column ${position.col}`;
  };
  if (document.errors.length > 0) {
    return {
      problems: document.errors.map((error) => ({
        location,
        message: `malformed YAML front matter at ${lineOf(error.pos[0])}: ${error.message}`,
        severity: 'error' as const,
      })),
    };
  }
  let raw: unknown;
  try {
    raw = document.toJS({ maxAliasCount: 50 }) ?? {};
  } catch (error) {
    return { problems: [{ location, message: `unreadable YAML front matter: ${(error as Error).message}`, severity: 'error' }] };
  }

  const problems: TicketProblem[] = [];
  const rawId = (raw as { id?: unknown } | null)?.id;
  const ticketId = typeof rawId === 'string' ? rawId : undefined;
  const withId = (problem: TicketProblem): TicketProblem => (ticketId === undefined ? problem : { ...problem, ticketId });

  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
    for (const key of Object.keys(raw)) {
      if (!(TICKET_FRONT_MATTER_KEYS as readonly string[]).includes(key)) {
        problems.push(
          withId({
            location,
            field: key,
            message: `unknown front-matter field ${JSON.stringify(key)} (ignored); known fields: ${TICKET_FRONT_MATTER_KEYS.join(', ')}`,
            severity: 'warning',
          }),
        );
      }
    }
  }

  const parsed = ticketFrontMatterSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.filter((segment): segment is string | number => typeof segment !== 'symbol');
      const found = valueAtKeyPath(raw, path);
      const complete = issue.code === 'custom' && issue.message.startsWith('ticket id');
      const message = complete
        ? issue.message
        : found === undefined && path.length > 0
          ? `missing required field: expected ${issue.message}`
          : `expected ${issue.message}, got ${describeFoundValue(found)}`;
      problems.push(withId({ location, ...(path.length > 0 ? { field: path.join('.') } : {}), message, severity: 'error' }));
    }
    return { problems };
  }

  const fields = parsed.data;
  const sections = readTicketBody(split.body);
  const checklist = readReadinessChecklist(sections.readinessChecklist);
  const ticket: Ticket = {
    id: fields.id as string,
    title: fields.title,
    labels: fields.labels ?? [],
    priority: fields.priority ?? 'medium',
    estimatedFiles: fields.estimated_files ?? checklist.estimatedFiles ?? [],
    dependencies: (fields.dependencies ?? []) as string[],
    body: split.body,
    acceptanceCriteria: sections.acceptanceCriteria,
    openQuestions: sections.openQuestions,
    testCases: sections.testCases,
    readinessChecklist: sections.readinessChecklist,
    sourceReference: origin.sourceReference,
  };
  if (fields.estimated_files != null && fields.estimated_files.length === 0 && checklist.estimatedFiles !== undefined) {
    ticket.estimatedFiles = checklist.estimatedFiles;
  }
  const complexity = fields.complexity ?? checklist.complexity;
  if (complexity !== undefined) ticket.complexity = complexity;
  if (fields.status != null) ticket.status = fields.status;
  const createdAt = fields.created_at != null ? new Date(fields.created_at).toISOString() : origin.modifiedAt;
  if (createdAt !== undefined) ticket.createdAt = createdAt;
  if (fields.follow_up_of == null && fields.created_by_batch == null) return { ticket, problems };
  const followUp: NonNullable<TicketFileReading['followUp']> = {};
  if (fields.follow_up_of != null) followUp.originalTicketId = fields.follow_up_of as string;
  if (fields.created_by_batch != null) followUp.batchId = fields.created_by_batch as string;
  return { ticket, followUp, problems };
}
