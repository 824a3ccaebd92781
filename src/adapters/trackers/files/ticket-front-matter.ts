import { z } from 'zod';
import { checkBatchId } from '../../../domain/batch-id.js';
import { COMPLEXITIES, PRIORITIES } from '../../../domain/ticket.js';
import { checkTicketId } from '../../../domain/ticket-id.js';

/**
 * The front matter of a ticket file, validated at the border. Error messages are the
 * expectation only; the parser adds the field and what was found.
 */

const ticketId = z.unknown().superRefine((value, context) => {
  if (value === undefined) {
    context.addIssue({ code: 'custom', message: 'a ticket id like "PROJ-142" (this field is required)' });
    return;
  }
  const check = checkTicketId(value);
  if (!check.ok) context.addIssue({ code: 'custom', message: check.reason });
});

const lowercase = (value: unknown): unknown => (typeof value === 'string' ? value.trim().toLowerCase() : value);

const listOf = <Item extends z.ZodType>(item: Item, expected: string) => z.array(item, { error: expected }).nullish();

/**
 * Keys a ticket's front matter may have; `readiness` is the block Nightshift writes on
 * refusal, `follow_up_of` and `created_by_batch` mark a draft it filed for unfinished work.
 */
export const TICKET_FRONT_MATTER_KEYS = [
  'id',
  'title',
  'labels',
  'priority',
  'complexity',
  'estimated_files',
  'dependencies',
  'status',
  'created_at',
  'readiness',
  'follow_up_of',
  'created_by_batch',
] as const;

/** The front matter's schema: required `id` and `title`, everything else optional with defaults applied by the parser. */
export const ticketFrontMatterSchema = z.object(
  {
    id: ticketId,
    title: z
      .string({ error: 'a title (text; this field is required)' })
      .trim()
      .min(1, { error: 'a title (text; this field is required)' }),
    labels: listOf(z.string({ error: 'a label (text)' }).trim().min(1, { error: 'a non-empty label' }), 'a list of labels, like [ready-for-agent]'),
    priority: z.preprocess(lowercase, z.enum(PRIORITIES, { error: `one of ${PRIORITIES.join(', ')}` })).nullish(),
    complexity: z.preprocess(lowercase, z.enum(COMPLEXITIES, { error: `one of ${COMPLEXITIES.join(', ')}` })).nullish(),
    estimated_files: listOf(z.string({ error: 'a file path or glob (text)' }).trim().min(1, { error: 'a non-empty file glob' }), 'a list of file globs, like ["src/auth.py", "tests/"]'),
    dependencies: listOf(
      z.unknown().superRefine((value, context) => {
        const check = checkTicketId(value);
        if (!check.ok) context.addIssue({ code: 'custom', message: check.reason });
      }),
      'a list of ticket ids, like [PROJ-142]',
    ),
    status: z.string({ error: 'a status (text), like open or done' }).trim().min(1, { error: 'a non-empty status' }).nullish(),
    created_at: z
      .string({ error: 'an ISO 8601 date or time in quotes, like "2024-01-15" or "2024-01-15T18:00:00Z"' })
      .regex(/^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/, {
        error: 'an ISO 8601 date or time, like "2024-01-15" or "2024-01-15T18:00:00Z"',
      })
      .refine((value) => !Number.isNaN(Date.parse(value)), { error: 'a real calendar date' })
      .nullish(),
    readiness: z.unknown().optional(),
    follow_up_of: z
      .unknown()
      .superRefine((value, context) => {
        if (value === undefined || value === null) return;
        const check = checkTicketId(value);
        if (!check.ok) context.addIssue({ code: 'custom', message: check.reason });
      })
      .optional(),
    created_by_batch: z
      .unknown()
      .superRefine((value, context) => {
        if (value === undefined || value === null) return;
        if (!checkBatchId(value).ok) context.addIssue({ code: 'custom', message: 'a batch id like "2024-01-15-overnight" (the batch that filed this follow-up)' });
      })
      .optional(),
  },
  { error: 'a mapping of fields (id: PROJ-1, title: …)' },
);

/** The front matter as validated, before it becomes a `Ticket`. */
export type TicketFrontMatter = z.infer<typeof ticketFrontMatterSchema>;
