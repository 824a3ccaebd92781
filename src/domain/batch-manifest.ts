import { parseDocument } from 'yaml';
import { z } from 'zod';
import { checkBatchId } from './batch-id.js';
import { BATCH_STATES } from './batch.js';
import type { BatchState } from './batch.js';
import { describeFoundValue } from './describe-found-value.js';
import { DURATION_EXPECTATION, formatDuration, parseDuration } from './duration.js';
import { COMPLEXITIES, PRIORITIES } from './ticket.js';
import type { Complexity, Priority, Ticket } from './ticket.js';
import { checkTicketId } from './ticket-id.js';
import { lineCounterFor, locateYamlKey, valueAtKeyPath, yamlPositionAt } from './yaml-location.js';

/**
 * The seed's batch manifest: the record, written when a batch starts, of what was
 * taken, with which limits, in which order. Its text format is the seed's, exactly,
 * so that people who read the seed can read ours; {@link formatBatchManifest} writes
 * it and {@link parseBatchManifest} reads it back (`parse(format(m))` equals `m`).
 *
 * A ticket without a complexity estimate has no `complexity:` line: writing a guess
 * would look like the author's estimate, and the seed lists complexity as recommended,
 * not required.
 */
export interface BatchManifest {
  batchId: string;
  /** ISO 8601 in UTC, whole seconds: `2024-01-15T18:00:00Z`. */
  createdAt: string;
  config: { maxTickets: number; timeoutPerTicketMinutes: number; parallelAgents: number };
  /** In the order agents take them: a dependency always comes before its dependents. */
  tickets: BatchManifestTicket[];
  status: BatchState;
}

/** One line-group of the manifest's `tickets:` list. */
export interface BatchManifestTicket {
  id: string;
  priority: Priority;
  complexity?: Complexity;
  estimatedFiles: string[];
  dependencies: string[];
}

/** A manifest, or every problem that keeps the text from being one. */
export type BatchManifestParse = { ok: true; manifest: BatchManifest } | { ok: false; problems: BatchManifestProblem[] };

/** What is wrong with a manifest file: where, which field, what was expected. */
export interface BatchManifestProblem {
  file: string;
  line?: number;
  column?: number;
  field?: string;
  message: string;
}

/** Builds the manifest of a new batch from the planned, ordered tickets. */
export function buildBatchManifest(input: {
  batchId: string;
  createdAt: Date;
  config: BatchManifest['config'];
  tickets: readonly Ticket[];
}): BatchManifest {
  return {
    batchId: input.batchId,
    createdAt: formatManifestTime(input.createdAt),
    config: { ...input.config },
    tickets: input.tickets.map((ticket) => {
      const entry: BatchManifestTicket = {
        id: ticket.id,
        priority: ticket.priority,
        estimatedFiles: [...ticket.estimatedFiles],
        dependencies: [...ticket.dependencies],
      };
      if (ticket.complexity !== undefined) entry.complexity = ticket.complexity;
      return entry;
    }),
    status: 'pending',
  };
}

/** `2024-01-15T18:00:00Z`: the seed writes times in UTC without milliseconds. */
export function formatManifestTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Writes the manifest in the seed's format; every free string is double-quoted. */
export function formatBatchManifest(manifest: BatchManifest): string {
  const lines = [
    `batch_id: ${quote(manifest.batchId)}`,
    `created_at: ${quote(manifest.createdAt)}`,
    'config:',
    `  max_tickets: ${manifest.config.maxTickets}`,
    `  timeout_per_ticket: ${formatDuration(manifest.config.timeoutPerTicketMinutes)}`,
    `  parallel_agents: ${manifest.config.parallelAgents}`,
  ];
  if (manifest.tickets.length === 0) lines.push('tickets: []');
  else lines.push('tickets:');
  for (const ticket of manifest.tickets) {
    lines.push(`  - id: ${quote(ticket.id)}`, `    priority: ${ticket.priority}`);
    if (ticket.complexity !== undefined) lines.push(`    complexity: ${ticket.complexity}`);
    lines.push(`    estimated_files: ${quoteList(ticket.estimatedFiles)}`);
    const dependencyComment = ticket.dependencies.length > 0 ? ' # Must complete first' : '';
    lines.push(`    dependencies: ${quoteList(ticket.dependencies)}${dependencyComment}`);
  }
  lines.push(`status: ${manifest.status} # pending → running → completed → reviewed`);
  return `${lines.join('\n')}\n`;
}

const wholeNumber = (expected: string, minimum: number, maximum: number) =>
  z.number({ error: expected }).int({ error: expected }).min(minimum, { error: expected }).max(maximum, { error: expected });

const ticketIdSchema = z.string({ error: 'a ticket id like "PROJ-142"' }).superRefine((value, context) => {
  const check = checkTicketId(value);
  if (!check.ok) context.addIssue({ code: 'custom', message: check.reason });
});

const manifestSchema = z.object({
  batch_id: z.unknown().superRefine((value, context) => {
    const check = checkBatchId(value);
    if (!check.ok) context.addIssue({ code: 'custom', message: check.reason });
  }),
  created_at: z
    .string({ error: 'a UTC time like "2024-01-15T18:00:00Z"' })
    .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/, { error: 'a UTC time like "2024-01-15T18:00:00Z"' })
    .refine((value) => !Number.isNaN(Date.parse(value)), { error: 'a real calendar time' }),
  config: z.object(
    {
      max_tickets: wholeNumber('a whole number of at least 1', 1, Number.MAX_SAFE_INTEGER),
      timeout_per_ticket: z.unknown().superRefine((value, context) => {
        const parsed = parseDuration(value);
        if (!parsed.ok) context.addIssue({ code: 'custom', message: `expected ${DURATION_EXPECTATION}` });
      }),
      parallel_agents: wholeNumber('a whole number of at least 1', 1, Number.MAX_SAFE_INTEGER),
    },
    { error: 'a mapping with max_tickets, timeout_per_ticket and parallel_agents' },
  ),
  tickets: z.array(
    z.object(
      {
        id: ticketIdSchema,
        priority: z.enum(PRIORITIES, { error: `one of ${PRIORITIES.join(', ')}` }),
        complexity: z.enum(COMPLEXITIES, { error: `one of ${COMPLEXITIES.join(', ')}` }).optional(),
        estimated_files: z.array(z.string({ error: 'a file glob' }), { error: 'a list of file globs' }),
        dependencies: z.array(ticketIdSchema, { error: 'a list of ticket ids' }),
      },
      { error: 'a ticket entry with id, priority, estimated_files and dependencies' },
    ),
    { error: 'a list of tickets' },
  ),
  status: z.enum(BATCH_STATES, { error: `one of ${BATCH_STATES.join(', ')}` }),
});

/** Reads a manifest written by {@link formatBatchManifest} (or by hand); never throws. */
export function parseBatchManifest(text: string, fileName: string): BatchManifestParse {
  const document = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  const lineCounter = lineCounterFor(text);
  if (document.errors.length > 0) {
    return {
      ok: false,
      problems: document.errors.map((error) => ({ file: fileName, ...yamlPositionAt(lineCounter, error.pos[0]), message: `malformed YAML: ${error.message}` })),
    };
  }
  let raw: unknown;
  try {
    raw = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return { ok: false, problems: [{ file: fileName, message: `unreadable YAML: ${(error as Error).message}` }] };
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => {
        const path = issue.path.filter((segment): segment is string | number => typeof segment !== 'symbol');
        const field = path.join('.');
        const position = locateYamlKey(document, lineCounter, path);
        const message = issue.code === 'custom' ? issue.message : `expected ${issue.message}, got ${describeFoundValue(valueAtKeyPath(raw, path))}`;
        return field === '' ? { file: fileName, ...position, message } : { file: fileName, ...position, field, message };
      }),
    };
  }
  const data = parsed.data;
  const timeout = parseDuration(data.config.timeout_per_ticket);
  return {
    ok: true,
    manifest: {
      batchId: data.batch_id as string,
      createdAt: data.created_at,
      config: {
        maxTickets: data.config.max_tickets,
        timeoutPerTicketMinutes: timeout.ok ? timeout.minutes : 0,
        parallelAgents: data.config.parallel_agents,
      },
      tickets: data.tickets.map((ticket) => {
        const entry: BatchManifestTicket = {
          id: ticket.id,
          priority: ticket.priority,
          estimatedFiles: ticket.estimated_files,
          dependencies: ticket.dependencies,
        };
        if (ticket.complexity !== undefined) entry.complexity = ticket.complexity;
        return entry;
      }),
      status: data.status,
    },
  };
}

/** JSON's escapes are all valid in YAML double-quoted scalars; non-ASCII is escaped too. */
function quote(text: string): string {
  return JSON.stringify(text).replace(/[\u007f-\uffff]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function quoteList(items: readonly string[]): string {
  return `[${items.map(quote).join(', ')}]`;
}
