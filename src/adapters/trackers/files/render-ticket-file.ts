import { stringify } from 'yaml';
import type { Ticket } from '../../../domain/ticket.js';

/** The fields of a ticket file to write; the body is rebuilt from the lists. */
export type TicketFileDraft = Omit<Ticket, 'body' | 'sourceReference'> & {
  /** Free Markdown placed before the sections. */
  description?: string;
  /** The ticket this draft continues (`follow_up_of`). */
  followUpOf?: string;
  /** The batch that filed this draft (`created_by_batch`). */
  createdByBatch?: string;
};

/**
 * Writes a ticket in the files tracker's format: front matter, description, then the
 * `Acceptance Criteria`, `Open Questions`, `Test Cases` and `Agent Readiness` sections.
 * `parseTicketFile(renderTicketFile(t))` gives back the same fields, which is how
 * the contract suite builds its fixtures and how draft follow-up tickets can be filed.
 */
export function renderTicketFile(draft: TicketFileDraft): string {
  const frontMatter: Record<string, unknown> = {
    id: draft.id,
    title: draft.title,
    labels: draft.labels,
    priority: draft.priority,
  };
  if (draft.complexity !== undefined) frontMatter.complexity = draft.complexity;
  frontMatter.estimated_files = draft.estimatedFiles;
  frontMatter.dependencies = draft.dependencies;
  if (draft.status !== undefined) frontMatter.status = draft.status;
  if (draft.createdAt !== undefined) frontMatter.created_at = draft.createdAt;
  if (draft.followUpOf !== undefined) frontMatter.follow_up_of = draft.followUpOf;
  if (draft.createdByBatch !== undefined) frontMatter.created_by_batch = draft.createdByBatch;

  const sections: string[] = [];
  if (draft.description !== undefined && draft.description.trim() !== '') sections.push(draft.description.trim());
  sections.push(section('Acceptance Criteria', draft.acceptanceCriteria.map((item) => `- ${oneLine(item)}`)));
  sections.push(section('Open Questions', draft.openQuestions.length === 0 ? ['- None'] : draft.openQuestions.map((item) => `- ${oneLine(item)}`)));
  sections.push(section('Test Cases', draft.testCases.map((item) => `- ${oneLine(item)}`)));
  if (draft.readinessChecklist.length > 0) {
    sections.push(section('Agent Readiness', draft.readinessChecklist.map((item) => `- [${item.checked ? 'x' : ' '}] ${oneLine(item.text)}`)));
  }
  return `---\n${stringify(frontMatter, { lineWidth: 0, flowCollectionPadding: false })}---\n\n${sections.join('\n\n')}\n`;
}

function section(heading: string, lines: string[]): string {
  return [`## ${heading}`, ...lines].join('\n');
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
