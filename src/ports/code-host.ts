/**
 * Where draft merge requests are opened (the local host, GitHub, GitLab).
 * Opening is idempotent per branch: a resumed run never makes a second MR.
 */
export interface CodeHost {
  readonly kind: string;
  openDraftMergeRequest(request: DraftMergeRequestRequest): Promise<MergeRequestReference>;
  updateDescription(reference: MergeRequestReference, description: string): Promise<void>;
}

export interface DraftMergeRequestRequest {
  sourceBranch: string;
  targetBranch: string;
  title: string;
  description: string;
}

export interface MergeRequestReference {
  /** The host's id (a number on GitHub, `local-<branch>` locally). */
  id: string;
  url: string;
}
