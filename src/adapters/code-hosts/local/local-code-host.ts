import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CodeHost, DraftMergeRequestRequest, MergeRequestReference } from '../../../ports/code-host.js';
import { writeFileAtomically } from '../../shared/write-file-atomically.js';

/** Where the local host keeps its merge requests (normally `.nightshift/merge-requests`). */
export interface LocalCodeHostOptions {
  directory: string;
}

/** The JSON record of one local draft merge request; its description lives in the `.md` beside it. */
export interface LocalMergeRequestFile {
  id: string;
  kind: 'local';
  draft: true;
  sourceBranch: string;
  targetBranch: string;
  title: string;
  /** The description file's name, in the same directory. */
  descriptionFile: string;
  url: string;
}

const ID_PREFIX = 'local-';

/** Opens in one process are serialized per directory, so two branches never race for one file name. */
const pendingByDirectory = new Map<string, Promise<unknown>>();

function serialized<T>(directory: string, action: () => Promise<T>): Promise<T> {
  const previous = pendingByDirectory.get(directory) ?? Promise.resolve();
  const next = previous.then(action, action);
  const settled = next.catch(() => undefined);
  pendingByDirectory.set(directory, settled);
  void settled.then(() => {
    if (pendingByDirectory.get(directory) === settled) pendingByDirectory.delete(directory);
  });
  return next;
}

/**
 * The embedded code host, for repositories without GitHub or GitLab: a draft merge
 * request is a JSON record plus its description as Markdown, one pair per source
 * branch, so reopening after a crash finds the same request instead of making a second.
 */
export class LocalCodeHost implements CodeHost {
  readonly kind = 'local';
  private readonly directory: string;

  constructor(options: LocalCodeHostOptions) {
    this.directory = resolve(options.directory);
  }

  async openDraftMergeRequest(request: DraftMergeRequestRequest): Promise<MergeRequestReference> {
    if (request.sourceBranch.trim() === '') throw new Error('local code host: sourceBranch is empty');
    return serialized(this.directory, () => this.writeMergeRequest(request));
  }

  private async writeMergeRequest(request: DraftMergeRequestRequest): Promise<MergeRequestReference> {
    if (!existsSync(this.directory)) await mkdir(this.directory, { recursive: true });
    const name = await this.nameFor(request.sourceBranch);
    const descriptionFile = `${name}.md`;
    const record: LocalMergeRequestFile = {
      id: `${ID_PREFIX}${name}`,
      kind: 'local',
      draft: true,
      sourceBranch: request.sourceBranch,
      targetBranch: request.targetBranch,
      title: request.title,
      descriptionFile,
      url: pathToFileURL(join(this.directory, descriptionFile)).href,
    };
    await writeFileAtomically(join(this.directory, descriptionFile), request.description);
    await writeFileAtomically(join(this.directory, `${name}.json`), `${JSON.stringify(record, null, 2)}\n`);
    return { id: record.id, url: record.url };
  }

  async updateDescription(reference: MergeRequestReference, description: string): Promise<void> {
    const record = await this.readRecordById(reference.id);
    await writeFileAtomically(join(this.directory, record.descriptionFile), description);
  }

  /** Reads a merge request back, with its description, for tests and the review queue. */
  async readMergeRequest(reference: MergeRequestReference): Promise<(LocalMergeRequestFile & { description: string }) | undefined> {
    try {
      const record = await this.readRecordById(reference.id);
      return { ...record, description: await readFile(join(this.directory, record.descriptionFile), 'utf8') };
    } catch (error) {
      if (error instanceof UnknownMergeRequestError) return undefined;
      throw error;
    }
  }

  /**
   * A readable file name for the branch (`agent/PROJ-142` → `agent-PROJ-142`); when two
   * branches would share it, the later one gets a hash of its name appended.
   */
  private async nameFor(branch: string): Promise<string> {
    const readable = branch.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '').slice(0, 100) || 'branch';
    const hashed = `${readable}-${createHash('sha256').update(branch).digest('hex').slice(0, 10)}`;
    for (const name of [readable, hashed]) {
      const existing = await this.readRecordFile(name);
      if (existing === undefined || existing.sourceBranch === branch) return name;
    }
    throw new Error(`local code host: no free record name for branch ${JSON.stringify(branch)} in ${this.directory}`);
  }

  private async readRecordById(id: string): Promise<LocalMergeRequestFile> {
    const name = id.startsWith(ID_PREFIX) ? id.slice(ID_PREFIX.length) : '';
    const record = /^[A-Za-z0-9._-]+$/.test(name) && !name.startsWith('.') ? await this.readRecordFile(name) : undefined;
    if (record === undefined) throw new UnknownMergeRequestError(`local code host: no merge request ${JSON.stringify(id)} in ${this.directory}`);
    return record;
  }

  private async readRecordFile(name: string): Promise<LocalMergeRequestFile | undefined> {
    const path = join(this.directory, `${name}.json`);
    let text: string;
    try {
      // A record is a few hundred bytes: read synchronously, a thread-pool trip costs more.
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    try {
      return JSON.parse(text) as LocalMergeRequestFile;
    } catch (error) {
      throw new Error(`local code host: ${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
    }
  }
}

class UnknownMergeRequestError extends Error {
  override readonly name = 'UnknownMergeRequestError';
}
