import { lstatSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { composeFollowUpTicket, nextTicketIdInSequence } from '../../../domain/follow-up-ticket.js';
import type { Ticket } from '../../../domain/ticket.js';
import type {
  FollowUpTicketReference,
  FollowUpTicketRequest,
  TicketListing,
  TicketProblem,
  TicketRefusalNote,
  TicketSource,
} from '../../../ports/ticket-source.js';
import { lstatOrUndefined } from '../../shared/quiet-file-reads.js';
import { writeFileAtomically } from '../../shared/write-file-atomically.js';
import { createFileExclusively } from './create-file-exclusively.js';
import { editFrontMatterField, readFrontMatterField } from './edit-front-matter.js';
import { parseTicketFile } from './parse-ticket-file.js';
import { renderTicketFile } from './render-ticket-file.js';

/** Where the local-files tracker reads: a directory of `*.md` tickets inside the repository. */
export interface FilesTicketSourceOptions {
  repositoryRoot: string;
  /** Relative to the repository root (`tracker.directory`, default `tickets`). */
  directory: string;
  /** The label that queues a ticket for an agent (`tracker.ready_label`); left off the drafts this source files. */
  readyLabel?: string;
}

/** How many taken names a follow-up skips before giving up (other writers filing at the same moment). */
const MAXIMUM_ID_ATTEMPTS = 100;

const STATUS_PATTERN = /^[A-Za-z][A-Za-z0-9 _-]{0,39}$/;

/**
 * The local-files tracker: one Markdown file per ticket with YAML front matter, kept
 * in the repository beside the code. Refusals are written back into the ticket's own
 * front matter as a `readiness:` block, so the author sees them where they edit.
 * Ids are mapped to files from the last listing, never turned into paths.
 */
export class FilesTicketSource implements TicketSource {
  readonly kind = 'files';
  readonly #repositoryRoot: string;
  readonly #directory: string;
  readonly #readyLabel: string;
  #filesById = new Map<string, string[]>();
  /** Follow-ups found in the last listing, by original and batch. */
  #followUps = new Map<string, FollowUpTicketReference>();
  #filing: Promise<unknown> = Promise.resolve();

  constructor(options: FilesTicketSourceOptions) {
    this.#repositoryRoot = path.resolve(options.repositoryRoot);
    this.#directory = path.resolve(this.#repositoryRoot, options.directory);
    this.#readyLabel = options.readyLabel ?? 'ready-for-agent';
  }

  /** Reads every `*.md` file of the directory, sorted by name; a bad file never hides the good ones. */
  async listTickets(): Promise<TicketListing> {
    const directoryReference = this.#reference(this.#directory);
    const relative = path.relative(this.#repositoryRoot, this.#directory);
    if (relative.startsWith('..') || path.isAbsolute(relative)) {
      return { tickets: [], problems: [{ location: directoryReference, message: 'the ticket directory must be inside the repository', severity: 'error' }] };
    }
    let names: string[];
    try {
      names = (await readdir(this.#directory)).filter((name) => name.endsWith('.md') && !name.startsWith('.')).sort();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const message =
        code === 'ENOENT'
          ? `the ticket directory ${directoryReference}/ does not exist: create it, or set tracker.directory in nightshift.yaml`
          : `cannot read the ticket directory ${directoryReference}/: ${(error as Error).message}`;
      this.#filesById = new Map();
      return { tickets: [], problems: [{ location: directoryReference, message, severity: 'error' }] };
    }

    const tickets: Ticket[] = [];
    const problems: TicketProblem[] = [];
    const filesById = new Map<string, string[]>();
    const followUps = new Map<string, FollowUpTicketReference>();
    // Ticket files are small and many: read synchronously, one thread-pool trip per step would cost more than the reads.
    for (const name of names) {
      const filePath = path.join(this.#directory, name);
      const sourceReference = this.#reference(filePath);
      const stats = lstatOrUndefined(filePath);
      if (stats === undefined || !stats.isFile()) {
        const what = stats?.isSymbolicLink() === true ? 'a symbolic link (not followed)' : 'not a regular file';
        problems.push({ location: sourceReference, message: `skipped: ${what}`, severity: 'error' });
        continue;
      }
      let text: string;
      try {
        text = readFileSync(filePath, 'utf8');
      } catch (error) {
        problems.push({ location: sourceReference, message: `cannot read: ${(error as Error).message}`, severity: 'error' });
        continue;
      }
      const reading = parseTicketFile(text, { sourceReference, modifiedAt: stats.mtime.toISOString() });
      problems.push(...reading.problems);
      if (reading.ticket !== undefined) {
        tickets.push(reading.ticket);
        filesById.set(reading.ticket.id, [...(filesById.get(reading.ticket.id) ?? []), filePath]);
        const { originalTicketId, batchId } = reading.followUp ?? {};
        const key = originalTicketId !== undefined && batchId !== undefined ? followUpKey(originalTicketId, batchId) : undefined;
        if (key !== undefined && !followUps.has(key)) followUps.set(key, { ticketId: reading.ticket.id, sourceReference, created: false });
      }
    }
    this.#filesById = filesById;
    this.#followUps = followUps;
    return { tickets, problems };
  }

  /** Writes (or replaces) the `readiness:` block in the ticket's front matter. */
  async recordRefusal(ticketId: string, refusal: TicketRefusalNote): Promise<void> {
    const block = {
      checked_at: refusal.checkedAt,
      batch_id: refusal.batchId,
      missing_required: [...refusal.missingRequired],
      missing_recommended: [...refusal.missingRecommended],
    };
    await this.#editEveryCopy(ticketId, (text) => editFrontMatterField(text, 'readiness', block));
  }

  /** Removes the `readiness:` block; a ticket without one is left untouched. */
  async clearRefusal(ticketId: string): Promise<void> {
    // Most tickets carry no refusal: a text that never says "readiness" is left as it is, unparsed.
    await this.#editEveryCopy(ticketId, (text) => (text.includes('readiness') ? editFrontMatterField(text, 'readiness', undefined) : text));
  }

  /** Sets `status:` in the ticket's front matter. */
  async updateStatus(ticketId: string, status: string): Promise<void> {
    if (!STATUS_PATTERN.test(status)) {
      throw new Error(`updateStatus(${ticketId}): status ${JSON.stringify(status)} is not a plain word like "in-progress" or "done"`);
    }
    await this.#editEveryCopy(ticketId, (text) => editFrontMatterField(text, 'status', status));
  }

  /**
   * Writes `<directory>/<NEW-ID>.md`, a draft whose id follows the original's highest
   * sibling (`PROJ-142` → `PROJ-151` when `PROJ-150` is taken). The file is created
   * exclusively, so a name some other writer took in the meantime is skipped, never
   * overwritten. The `follow_up_of` and `created_by_batch` marks make a second call
   * (a resumed run, another process) find the draft instead of filing another.
   */
  createFollowUpTicket(request: FollowUpTicketRequest): Promise<FollowUpTicketReference> {
    const filing = this.#filing.then(() => this.#fileFollowUp(request));
    this.#filing = filing.catch(() => undefined);
    return filing;
  }

  async #fileFollowUp(request: FollowUpTicketRequest): Promise<FollowUpTicketReference> {
    const listing = await this.listTickets();
    const existing = this.#followUps.get(followUpKey(request.originalTicketId, request.batchId));
    if (existing !== undefined) return { ...existing };
    const original = listing.tickets.find((ticket) => ticket.id === request.originalTicketId);
    if (original === undefined) {
      throw new Error(`createFollowUpTicket: ticket ${JSON.stringify(request.originalTicketId)} is not in ${this.#reference(this.#directory)}/, so its follow-up cannot be filed`);
    }
    const taken = new Set([...listing.tickets.map((ticket) => ticket.id), ...listing.problems.flatMap((problem) => (problem.ticketId === undefined ? [] : [problem.ticketId]))]);
    for (let attempt = 0; attempt < MAXIMUM_ID_ATTEMPTS; attempt += 1) {
      const ticketId = nextTicketIdInSequence(original.id, taken);
      const draft = composeFollowUpTicket({ ...request, original, newTicketId: ticketId, readyLabel: this.#readyLabel });
      const filePath = path.join(this.#directory, `${draft.id}.md`);
      const text = renderTicketFile({
        ...draft,
        estimatedFiles: [],
        openQuestions: [],
        testCases: [],
        readinessChecklist: [],
      });
      if (await createFileExclusively(filePath, text)) {
        const reference: FollowUpTicketReference = { ticketId: draft.id, sourceReference: this.#reference(filePath), created: true };
        this.#filesById.set(draft.id, [filePath]);
        this.#followUps.set(followUpKey(original.id, request.batchId), { ...reference, created: false });
        return reference;
      }
      taken.add(ticketId);
    }
    throw new Error(`createFollowUpTicket: ${MAXIMUM_ID_ATTEMPTS} ticket files after ${original.id} were taken in ${this.#reference(this.#directory)}/ while filing its follow-up`);
  }

  /** The refusal note currently in the ticket's file, for `nightshift tickets` and the contract suite. */
  async readRefusal(ticketId: string): Promise<TicketRefusalNote | undefined> {
    if (!this.#filesById.has(ticketId)) await this.listTickets();
    const [filePath] = this.#filesFor(ticketId);
    const block = readFrontMatterField(await readFile(filePath as string, 'utf8'), 'readiness');
    if (block === null || typeof block !== 'object') return undefined;
    const fields = block as Record<string, unknown>;
    const texts = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);
    return {
      checkedAt: String(fields.checked_at ?? ''),
      batchId: String(fields.batch_id ?? ''),
      missingRequired: texts(fields.missing_required),
      missingRecommended: texts(fields.missing_recommended),
    };
  }

  #filesFor(ticketId: string): string[] {
    const files = this.#filesById.get(ticketId);
    if (files === undefined || files.length === 0) {
      throw new Error(`ticket ${JSON.stringify(ticketId)} is not in the last listing of ${this.#reference(this.#directory)}/ (list the tickets first)`);
    }
    return files;
  }

  async #editEveryCopy(ticketId: string, edit: (text: string) => string): Promise<void> {
    // A resumed run (after a crash) writes statuses before any listing in this process: list first.
    if (!this.#filesById.has(ticketId)) await this.listTickets();
    // Ticket files are small: read synchronously, a thread-pool trip costs more than the read.
    for (const filePath of this.#filesFor(ticketId)) {
      const text = readFileSync(filePath, 'utf8');
      const edited = edit(text);
      if (edited === text) continue;
      // The rewritten ticket keeps the permissions of the file it replaces.
      const { mode } = lstatSync(filePath);
      await writeFileAtomically(filePath, edited, { mode });
    }
  }

  #reference(absolutePath: string): string {
    return path.relative(this.#repositoryRoot, absolutePath).split(path.sep).join('/') || '.';
  }
}

function followUpKey(originalTicketId: string, batchId: string): string {
  return JSON.stringify([originalTicketId, batchId]);
}
