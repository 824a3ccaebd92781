/** What a test ticket file says; anything left out gets a ready, harmless default. */
export interface TicketFileFields {
  id: string;
  title?: string;
  priority?: string;
  complexity?: string;
  estimatedFiles?: string[];
  dependencies?: string[];
  labels?: string[];
  createdAt?: string;
  acceptanceCriteria?: string[];
  openQuestions?: string[];
  body?: string;
}

/**
 * The text of a ticket file in the files tracker's format, for tests that need real
 * files on disk. Values are JSON-quoted so ids under test reach the parser verbatim.
 */
export function ticketFileText(fields: TicketFileFields): string {
  const criteria = fields.acceptanceCriteria ?? ['It works as described'];
  const questions = fields.openQuestions ?? [];
  return [
    '---',
    `id: ${JSON.stringify(fields.id)}`,
    `title: ${JSON.stringify(fields.title ?? `Ticket ${fields.id}`)}`,
    `labels: ${JSON.stringify(fields.labels ?? ['ready-for-agent'])}`,
    `priority: ${fields.priority ?? 'medium'}`,
    ...(fields.complexity === undefined ? ['complexity: small'] : [`complexity: ${fields.complexity}`]),
    `estimated_files: ${JSON.stringify(fields.estimatedFiles ?? ['src/index.js'])}`,
    `dependencies: ${JSON.stringify(fields.dependencies ?? [])}`,
    `created_at: ${JSON.stringify(fields.createdAt ?? '2024-01-10T09:00:00Z')}`,
    '---',
    fields.body ?? 'A ticket written for a test.',
    '',
    ...(criteria.length > 0 ? ['## Acceptance Criteria', ...criteria.map((line) => `- ${line}`), ''] : []),
    '## Open Questions',
    ...(questions.length > 0 ? questions.map((line) => `- ${line}`) : ['None']),
    '',
    '## Test Cases',
    '- the case of the ticket',
    '',
  ].join('\n');
}
