import { lstat, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Ticket } from '../../../domain/ticket.js';
import type { TicketListing, TicketProblem, TicketRefusalNote, TicketSource } from '../../../ports/ticket-source.js';
import { writeFileAtomically } from '../../shared/write-file-atomically.js';
import { editFrontMatterField, readFrontMatterField } from './edit-front-matter.js';
import { parseTicketFile } from './parse-ticket-file.js';

/** Where the local-files tracker reads: a directory of `*.md` tickets inside the repository. */
export interface FilesTicketSourceOptions {
  repositoryRoot: string;
  /** Relative to the repository root (`tracker.directory`, default `tickets`). */
  directory: string;
}

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
  #filesById = new Map<string, string[]>();

  constructor(options: FilesTicketSourceOptions) {
    this.#repositoryRoot = path.resolve(options.repositoryRoot);
    this.#directory = path.resolve(this.#repositoryRoot, options.directory);
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
    for (const name of names) {
      const filePath = path.join(this.#directory, name);
      const sourceReference = this.#reference(filePath);
      const stats = await lstat(filePath).catch(() => undefined);
      if (stats === undefined || !stats.isFile()) {
        const what = stats?.isSymbolicLink() === true ? 'a symbolic link (not followed)' : 'not a regular file';
        problems.push({ location: sourceReference, message: `skipped: ${what}`, severity: 'error' });
        continue;
      }
      let text: string;
      try {
        text = await readFile(filePath, 'utf8');
      } catch (error) {
        problems.push({ location: sourceReference, message: `cannot read: ${(error as Error).message}`, severity: 'error' });
        continue;
      }
      const reading = parseTicketFile(text, { sourceReference, modifiedAt: stats.mtime.toISOString() });
      problems.push(...reading.problems);
      if (reading.ticket !== undefined) {
        tickets.push(reading.ticket);
        filesById.set(reading.ticket.id, [...(filesById.get(reading.ticket.id) ?? []), filePath]);
      }
    }
    this.#filesById = filesById;
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
    await this.#editEveryCopy(ticketId, (text) => editFrontMatterField(text, 'readiness', undefined));
  }

  /** Sets `status:` in the ticket's front matter. */
  async updateStatus(ticketId: string, status: string): Promise<void> {
    if (!STATUS_PATTERN.test(status)) {
      throw new Error(`updateStatus(${ticketId}): status ${JSON.stringify(status)} is not a plain word like "in-progress" or "done"`);
    }
    await this.#editEveryCopy(ticketId, (text) => editFrontMatterField(text, 'status', status));
  }

  /** The refusal note currently in the ticket's file, for `nightshift tickets` and the contract suite. */
  async readRefusal(ticketId: string): Promise<TicketRefusalNote | undefined> {
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
    for (const filePath of this.#filesFor(ticketId)) {
      const text = await readFile(filePath, 'utf8');
      const edited = edit(text);
      if (edited === text) continue;
      // The rewritten ticket keeps the permissions of the file it replaces.
      const { mode } = await lstat(filePath);
      await writeFileAtomically(filePath, edited, { mode });
    }
  }

  #reference(absolutePath: string): string {
    return path.relative(this.#repositoryRoot, absolutePath).split(path.sep).join('/') || '.';
  }
}
