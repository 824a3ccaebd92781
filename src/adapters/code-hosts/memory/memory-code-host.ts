import type { CodeHost, DraftMergeRequestRequest, MergeRequestReference } from '../../../ports/code-host.js';

/** A merge request as the memory host keeps it. */
export interface MemoryMergeRequest extends DraftMergeRequestRequest {
  id: string;
  url: string;
  draft: true;
}

/**
 * A {@link CodeHost} in memory, for tests and dry runs: same rules as the real hosts
 * (one merge request per source branch, reopening returns it with the new text).
 */
export class MemoryCodeHost implements CodeHost {
  readonly kind = 'memory';
  private readonly bySourceBranch = new Map<string, MemoryMergeRequest>();

  async openDraftMergeRequest(request: DraftMergeRequestRequest): Promise<MergeRequestReference> {
    if (request.sourceBranch.trim() === '') throw new Error('memory code host: sourceBranch is empty');
    const existing = this.bySourceBranch.get(request.sourceBranch);
    const number = existing === undefined ? this.bySourceBranch.size + 1 : Number(existing.id.slice('memory-'.length));
    const mergeRequest: MemoryMergeRequest = {
      ...request,
      id: `memory-${number}`,
      url: `memory://merge-requests/${number}`,
      draft: true,
    };
    this.bySourceBranch.set(request.sourceBranch, mergeRequest);
    return { id: mergeRequest.id, url: mergeRequest.url };
  }

  async updateDescription(reference: MergeRequestReference, description: string): Promise<void> {
    const mergeRequest = this.find(reference);
    if (mergeRequest === undefined) throw new Error(`memory code host: no merge request ${JSON.stringify(reference.id)}`);
    mergeRequest.description = description;
  }

  /** The merge request a reference points at, as a copy. */
  async readMergeRequest(reference: MergeRequestReference): Promise<MemoryMergeRequest | undefined> {
    const mergeRequest = this.find(reference);
    return mergeRequest === undefined ? undefined : { ...mergeRequest };
  }

  /** Every merge request opened so far, in opening order. */
  listMergeRequests(): MemoryMergeRequest[] {
    return [...this.bySourceBranch.values()].map((mergeRequest) => ({ ...mergeRequest }));
  }

  private find(reference: MergeRequestReference): MemoryMergeRequest | undefined {
    return [...this.bySourceBranch.values()].find((mergeRequest) => mergeRequest.id === reference.id);
  }
}
