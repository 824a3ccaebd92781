import { formatCommitMessage, type CommitCheckpoint } from '../domain/commit-message.js';
import { renderDraftDescription } from '../domain/draft-description.js';
import type { ImplementationOutput, PlanOutput } from '../domain/stage-output.js';
import type { Ticket } from '../domain/ticket.js';
import type { MergeRequestRecord } from '../ports/store.js';
import type { PipelineDependencies } from './pipeline-dependencies.js';
import type { TicketLog } from './ticket-log.js';

/** Where the ticket's work lives: its branch, the branch it starts from, and the worktree. */
export interface TicketBranch {
  branch: string;
  startPoint: string;
  worktreePath: string;
  /** The dependency branch this one is stacked on, when the dependency is in the same batch. */
  stackedOn?: string;
}

/**
 * Commits what the agent changed with the seed's message, unless that commit is
 * already there (a resumed run makes no second commit), and returns the head; undefined
 * when the branch holds no work at all.
 */
export async function commitTicketWork(
  dependencies: PipelineDependencies,
  input: { batchId: string; ticket: Ticket; branch: TicketBranch; changes: string[]; checkpoint: CommitCheckpoint },
): Promise<string | undefined> {
  const message = formatCommitMessage({
    ticketId: input.ticket.id,
    title: input.ticket.title,
    changes: input.changes,
    batchId: input.batchId,
    checkpoint: input.checkpoint,
    qualityScore: 'pending-gates',
  });
  const commit = await dependencies.workspace.commitAll(input.branch.worktreePath, message, dependencies.settings.commitAuthor);
  if (commit !== undefined) return commit;
  // Nothing new to commit: either a resumed run whose commit is already there, or no work at all.
  const committedBefore = await dependencies.workspace.changedFiles(input.branch.worktreePath, input.branch.startPoint);
  return committedBefore.length > 0 ? dependencies.workspace.headCommit(input.branch.worktreePath) : undefined;
}

/**
 * Opens (or finds again) the draft MR of a ticket and records it. The code host is
 * idempotent per branch and the store upserts per ticket, so a resumed run opens no
 * second MR.
 */
export async function publishDraftMergeRequest(
  dependencies: PipelineDependencies,
  input: { batchId: string; ticket: Ticket; branch: TicketBranch; report: ImplementationOutput; plan?: PlanOutput; commit: string; followUpTicketId?: string; log: TicketLog },
): Promise<MergeRequestRecord> {
  const { store, clock } = dependencies;
  const { ticket, branch } = input;
  const title = `Draft: ${ticket.id} ${ticket.title}`;
  const description = renderDraftDescription({
    ticket,
    report: input.report,
    ...(input.plan === undefined ? {} : { plan: input.plan }),
    branch: branch.branch,
    ...(branch.stackedOn === undefined ? {} : { stackedOn: branch.stackedOn }),
    ...(input.followUpTicketId === undefined ? {} : { followUpTicketId: input.followUpTicketId }),
  });
  const reference = await dependencies.codeHost.openDraftMergeRequest({ sourceBranch: branch.branch, targetBranch: branch.startPoint, title, description });
  const existing = await store.getMergeRequest(input.batchId, ticket.id);
  const record: MergeRequestRecord = {
    ...(existing ?? {}),
    batchId: input.batchId,
    ticketId: ticket.id,
    sourceBranch: branch.branch,
    targetBranch: branch.startPoint,
    title,
    description,
    hostId: reference.id,
    url: reference.url,
    commit: input.commit,
    createdAt: existing?.createdAt ?? clock.now().toISOString(),
  };
  await store.saveMergeRequest(record);
  input.log.write({ type: 'merge-request', id: reference.id, url: reference.url, commit: input.commit, at: clock.now().toISOString() });
  return record;
}
