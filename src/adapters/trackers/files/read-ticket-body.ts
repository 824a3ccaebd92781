import type { ReadinessChecklistItem } from '../../../domain/ticket.js';

/**
 * Reads the sections of a ticket's Markdown body that readiness depends on:
 * `Acceptance Criteria`, `Open Questions`, `Test Cases` (list items) and the seed's
 * `Agent Readiness` checklist. Headings are matched case-insensitively at level 2
 * or 3; any heading ends a section; fenced code blocks are skipped.
 */
export interface TicketBodySections {
  acceptanceCriteria: string[];
  /** Only questions that still block: resolved (`- [x]`) and "None"/"N/A" items are left out. */
  openQuestions: string[];
  testCases: string[];
  readinessChecklist: ReadinessChecklistItem[];
}

type SectionName = 'acceptance-criteria' | 'open-questions' | 'test-cases' | 'agent-readiness';

const SECTION_HEADINGS: Record<string, SectionName> = {
  'acceptance criteria': 'acceptance-criteria',
  'open questions': 'open-questions',
  'test cases': 'test-cases',
  'agent readiness': 'agent-readiness',
};

const HEADING = /^ {0,3}(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$/;
const FENCE = /^ {0,3}(```|~~~)/;
const LIST_ITEM = /^([ \t]*)(?:[-*+]|\d{1,9}[.)])[ \t]+(.*)$/;
const CHECKBOX = /^\[([ xX])\][ \t]*(.*)$/;
const PLACEHOLDERS = new Set(['', 'none', 'n/a', 'na', '-', 'nothing', 'no open questions', 'no questions', 'tbd', 'todo']);
const QUESTION_PLACEHOLDERS = new Set(['', 'none', 'n/a', 'na', '-', 'nothing', 'no open questions', 'no questions']);

interface ListEntry {
  text: string;
  checked?: boolean;
  paragraph: boolean;
}

/** Reads the readiness-relevant sections of a ticket body. */
export function readTicketBody(body: string): TicketBodySections {
  const entries: Record<SectionName, ListEntry[]> = {
    'acceptance-criteria': [],
    'open-questions': [],
    'test-cases': [],
    'agent-readiness': [],
  };
  let section: SectionName | undefined;
  let fence: string | undefined;
  let itemIndent: number | undefined;
  let last: ListEntry | undefined;

  for (const line of body.split(/\r?\n/)) {
    const fenceMatch = FENCE.exec(line);
    if (fenceMatch !== null) {
      if (fence === undefined) fence = fenceMatch[1];
      else if (fenceMatch[1] === fence) fence = undefined;
      last = undefined;
      continue;
    }
    if (fence !== undefined) continue;
    const heading = HEADING.exec(line);
    if (heading !== null) {
      const level = heading[1]?.length ?? 0;
      const name = (heading[2] ?? '').toLowerCase().replace(/[:.]+$/, '').replace(/\s+/g, ' ').trim();
      section = level === 2 || level === 3 ? SECTION_HEADINGS[name] : undefined;
      itemIndent = undefined;
      last = undefined;
      continue;
    }
    if (section === undefined || line.trim() === '') continue;
    const item = LIST_ITEM.exec(line);
    const indent = (item?.[1] ?? '').replace(/\t/g, '    ').length;
    if (item !== null && (itemIndent === undefined || indent < itemIndent + 2)) {
      itemIndent ??= indent;
      const box = CHECKBOX.exec((item[2] ?? '').trim());
      last = box === null ? { text: (item[2] ?? '').trim(), paragraph: false } : { text: (box[2] ?? '').trim(), checked: box[1] !== ' ', paragraph: false };
      entries[section].push(last);
    } else if (last !== undefined && /^[ \t]/.test(line)) {
      last.text = `${last.text} ${line.trim().replace(LIST_ITEM, '$2')}`.trim();
    } else {
      last = { text: line.trim(), paragraph: true };
      entries[section].push(last);
    }
  }

  const listItems = (name: SectionName): string[] =>
    entries[name].filter((entry) => !entry.paragraph && !isPlaceholder(entry.text, PLACEHOLDERS)).map((entry) => entry.text);
  return {
    acceptanceCriteria: listItems('acceptance-criteria'),
    openQuestions: entries['open-questions']
      .filter((entry) => entry.checked !== true && !isStruckThrough(entry.text) && !isPlaceholder(entry.text, QUESTION_PLACEHOLDERS))
      .map((entry) => entry.text),
    testCases: listItems('test-cases'),
    readinessChecklist: entries['agent-readiness']
      .filter((entry): entry is ListEntry & { checked: boolean } => entry.checked !== undefined)
      .map((entry) => ({ text: entry.text, checked: entry.checked })),
  };
}

function isPlaceholder(text: string, placeholders: ReadonlySet<string>): boolean {
  return placeholders.has(text.toLowerCase().replace(/[.!]+$/, '').trim());
}

function isStruckThrough(text: string): boolean {
  return /^~~.*~~$/.test(text);
}
