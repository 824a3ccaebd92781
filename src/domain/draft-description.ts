import type { ImplementationOutput, PlanOutput } from './stage-output.js';
import type { Ticket } from './ticket.js';

/**
 * The description a draft MR carries as soon as C2 is committed, before the gates
 * replace it with the full review summary. Agent and ticket text is escaped so it
 * cannot inject HTML or Markdown structure into the MR page.
 */
export function renderDraftDescription(input: {
  ticket: Ticket;
  report: ImplementationOutput;
  plan?: PlanOutput;
  branch: string;
  stackedOn?: string;
  /** The draft ticket that carries the remaining work of a partial ticket. */
  followUpTicketId?: string;
}): string {
  const { ticket, report, plan } = input;
  const lines = [
    `## ${escapeMarkdownText(ticket.id)}: ${escapeMarkdownText(ticket.title)}`,
    '',
    escapeMarkdownText(report.summary),
    '',
    '### Changes',
    ...report.changes.map((change) => `- ${escapeMarkdownText(change)}`),
  ];
  if (input.stackedOn !== undefined) {
    lines.push('', `Stacked on \`${input.stackedOn}\`: review and merge that branch first.`);
  }
  if (plan !== undefined && plan.risks.length > 0) {
    lines.push('', '### Risks', ...plan.risks.map((risk) => `- ${escapeMarkdownText(risk)}`));
  }
  if (report.partial) {
    lines.push('', '### Remaining work (partial)', ...report.remaining_work.map((item) => `- ${escapeMarkdownText(item)}`));
    if (input.followUpTicketId !== undefined) lines.push('', `Follow-up ticket (draft): ${escapeMarkdownText(input.followUpTicketId)}`);
  }
  lines.push('', 'Quality score: pending gates.');
  return `${lines.join('\n')}\n`;
}

/** Makes untrusted one-line text safe inside Markdown: no HTML, no structure, no line breaks. */
export function escapeMarkdownText(text: string): string {
  return text
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/[&<>]/g, (character) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[character] ?? character)
    .replace(/([\\`*_[\]#|])/g, '\\$1')
    .trim();
}
