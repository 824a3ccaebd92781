import { checkBatchId } from '../domain/batch-id.js';
import type { BatchState } from '../domain/batch.js';
import { worktreeDirectoryNameFor } from '../domain/branch-name.js';
import { isTerminalTicketRunState, type TicketRun } from '../domain/ticket-run.js';
import type { BatchRecord } from '../ports/store.js';
import type { PipelineDependencies, PipelineSettings } from './pipeline-dependencies.js';

/**
 * `nightshift clean`: removes what a night leaves on disk once it is over — each
 * finished ticket's git worktree (through the workspace, so git forgets it too; the
 * branch stays: it is the work) and the agents' private homes. Logs, manifests, merge
 * requests and the store are kept. A ticket still being worked, in this batch or in
 * any other, keeps its worktree.
 */

/** Where, under `.nightshift/`, the ticket worktrees live (the runtime's layout). */
export const WORKTREES_DIRECTORY = 'worktrees';
/** Where, under `.nightshift/`, the agents' private homes live, one folder per batch and ticket. */
export const AGENT_HOMES_DIRECTORY = 'agent-homes';

/** Batches cleaned when none is named: their night is over. */
export const FINISHED_BATCH_STATES: readonly BatchState[] = ['completed', 'reviewed', 'aborted'];

export interface CleanRequest {
  /** Clean only this batch (its finished tickets), whatever its state. */
  batchId?: string;
  /** Also the finished tickets of batches still pending, running or paused. */
  includeUnfinishedBatches?: boolean;
  /** List what would go, and its size, without removing anything. */
  dryRun: boolean;
}

/** One directory removed (or that would be, on a dry run). */
export interface CleanItem {
  kind: 'worktree' | 'agent-home';
  batchId: string;
  /** Absent for what was left in a batch's agent-home folder outside its tickets' folders. */
  ticketId?: string;
  relativePath: string;
  absolutePath: string;
  bytes: number;
  files: number;
}

/** A ticket whose files stay, and why. */
export interface CleanKept {
  batchId: string;
  ticketId: string;
  reason: string;
}

export interface CleanReport {
  dryRun: boolean;
  batches: { batchId: string; state: BatchState }[];
  /** Removed, or on a dry run, what would be. */
  removed: CleanItem[];
  kept: CleanKept[];
  /** Directories that could not be removed; they are not counted as freed. */
  failed: { item: CleanItem; message: string }[];
  bytesFreed: number;
  notes: string[];
}

/** A batch named that does not exist is an expected failure, with a reason for people. */
export type CleanResult = { ok: true; report: CleanReport } | { ok: false; reason: string };

export type CleanDependencies = Pick<PipelineDependencies, 'store' | 'artifacts' | 'workspace'> & {
  settings: Pick<PipelineSettings, 'agentPrivateRoot'>;
};

/** Finds, measures and (unless a dry run) removes the leftovers of finished tickets. */
export async function cleanBatches(dependencies: CleanDependencies, request: CleanRequest): Promise<CleanResult> {
  const { store, artifacts } = dependencies;
  const selection = await selectBatches(dependencies, request);
  if (!selection.ok) return selection;
  const report: CleanReport = { dryRun: request.dryRun, batches: selection.batches.map((batch) => ({ batchId: batch.id, state: batch.state })), removed: [], kept: [], failed: [], bytesFreed: 0, notes: [] };

  const agentHomesInside = artifacts.absolutePath(AGENT_HOMES_DIRECTORY) === dependencies.settings.agentPrivateRoot;
  if (!agentHomesInside) report.notes.push(`agent homes are configured outside .nightshift/ (${dependencies.settings.agentPrivateRoot}): not cleaned`);
  const unfinishedRunsByTicket = await unfinishedRunsElsewhere(dependencies);
  const worktreesSeen = new Set<string>();

  for (const batch of selection.batches) {
    const runs = await store.listRuns(batch.id);
    const homesCounted = { bytes: 0, files: 0 };
    for (const run of runs) {
      if (!isTerminalTicketRunState(run.state)) {
        report.kept.push({ batchId: batch.id, ticketId: run.ticketId, reason: `still ${run.state}` });
        continue;
      }
      const busyElsewhere = (unfinishedRunsByTicket.get(run.ticketId) ?? []).find((other) => other.batchId !== batch.id);
      const worktree = `${WORKTREES_DIRECTORY}/${worktreeDirectoryNameFor(run.ticketId)}`;
      if (busyElsewhere !== undefined) {
        report.kept.push({ batchId: batch.id, ticketId: run.ticketId, reason: `its worktree is in use by batch ${busyElsewhere.batchId} (${busyElsewhere.state})` });
      } else if (!worktreesSeen.has(worktree)) {
        worktreesSeen.add(worktree);
        await removeItem(dependencies, report, { kind: 'worktree', batchId: batch.id, ticketId: run.ticketId }, worktree);
      }
      if (agentHomesInside) {
        const home = await removeItem(dependencies, report, { kind: 'agent-home', batchId: batch.id, ticketId: run.ticketId }, `${AGENT_HOMES_DIRECTORY}/${batch.id}/${run.ticketId}`);
        homesCounted.bytes += home?.bytes ?? 0;
        homesCounted.files += home?.files ?? 0;
      }
    }
    if (agentHomesInside && runs.every((run) => isTerminalTicketRunState(run.state))) {
      // The batch's folder itself, with anything left beside its tickets' homes (counted once, even on a dry run).
      await removeItem(dependencies, report, { kind: 'agent-home', batchId: batch.id }, `${AGENT_HOMES_DIRECTORY}/${batch.id}`, report.dryRun ? homesCounted : undefined);
    }
  }
  return { ok: true, report };
}

async function selectBatches(dependencies: CleanDependencies, request: CleanRequest): Promise<{ ok: true; batches: BatchRecord[] } | { ok: false; reason: string }> {
  const { store } = dependencies;
  if (request.batchId !== undefined) {
    const check = checkBatchId(request.batchId);
    if (!check.ok) return { ok: false, reason: `batch: ${check.reason}` };
    const batch = await store.getBatch(check.batchId);
    if (batch === undefined) return { ok: false, reason: `no batch named ${check.batchId}: see \`nightshift review --json\` for the batches there are` };
    return { ok: true, batches: [batch] };
  }
  const batches = await store.listBatches();
  return { ok: true, batches: request.includeUnfinishedBatches === true ? batches : batches.filter((batch) => FINISHED_BATCH_STATES.includes(batch.state)) };
}

/** Runs not yet over, by ticket, in every batch: their worktree is shared by ticket id and must stay. */
async function unfinishedRunsElsewhere(dependencies: CleanDependencies): Promise<Map<string, TicketRun[]>> {
  const byTicket = new Map<string, TicketRun[]>();
  for (const batch of await dependencies.store.listBatches()) {
    for (const run of await dependencies.store.listRuns(batch.id)) {
      if (!isTerminalTicketRunState(run.state)) byTicket.set(run.ticketId, [...(byTicket.get(run.ticketId) ?? []), run]);
    }
  }
  return byTicket;
}

/**
 * Measures and removes one directory, recording it in the report. `alreadyCounted` is
 * what a parent folder holds that was reported on its own; a folder with nothing more
 * than that is removed without a line of its own. Returns the size it found.
 */
async function removeItem(
  dependencies: CleanDependencies,
  report: CleanReport,
  what: Pick<CleanItem, 'kind' | 'batchId' | 'ticketId'>,
  relativePath: string,
  alreadyCounted?: { bytes: number; files: number },
): Promise<{ bytes: number; files: number } | undefined> {
  const { artifacts, workspace } = dependencies;
  const size = await artifacts.measure(relativePath);
  if (size === undefined) return undefined;
  const bytes = Math.max(0, size.bytes - (alreadyCounted?.bytes ?? 0));
  const files = Math.max(0, size.files - (alreadyCounted?.files ?? 0));
  const item: CleanItem = { ...what, relativePath, absolutePath: artifacts.absolutePath(relativePath), bytes, files };
  if (item.ticketId === undefined) delete item.ticketId;
  if (!report.dryRun) {
    try {
      if (item.kind === 'worktree') await workspace.removeWorktree(item.absolutePath);
      else await artifacts.remove(relativePath);
    } catch (error) {
      report.failed.push({ item, message: error instanceof Error ? error.message : String(error) });
      return undefined;
    }
  }
  if (item.ticketId !== undefined || files > 0) {
    report.removed.push(item);
    report.bytesFreed += bytes;
  }
  return size;
}
