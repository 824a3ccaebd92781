import { worktreeDirectoryNameFor } from '../domain/branch-name.js';
import { computeQualityScore, countRetries } from '../domain/quality-score.js';
import { renderReviewSummary } from '../domain/review-summary.js';
import { renderScoreNote, SCORE_NOTES_REF } from '../domain/score-explanation.js';
import { countSecurityFlags } from '../domain/secret-scan.js';
import type { ImplementationOutput, PlanOutput, ScopeOutput } from '../domain/stage-output.js';
import { isTerminalTicketRunState, type TicketRun } from '../domain/ticket-run.js';
import type { Complexity, Ticket } from '../domain/ticket.js';
import { parseUnifiedDiff, summarizeDiff } from '../domain/unified-diff.js';
import type { MergeRequestRecord } from '../ports/store.js';
import { applyRunEvent } from './apply-run-event.js';
import { runSecurityChecks } from './security-checks.js';
import { settleBatchReview } from './settle-batch-review.js';
import { applyBatchEvent, requireBatch } from './generate.js';
import type { PipelineDependencies, ProgressListener } from './pipeline-dependencies.js';
import { runGateChecks } from './run-gate-checks.js';
import { TicketLog, ticketLogPath } from './ticket-log.js';

export interface GatesReport {
  batchId: string;
  /** In the batch's ticket order, whatever order the MRs finished in. */
  gated: { ticketId: string; commit: string; qualityScore: number; securityFlags: number; checksFailed: number; checksFlaky: number }[];
  /** MRs the gates would not score, with why (their runs are failed with that reason). */
  refused: { ticketId: string; reason: string }[];
}

/**
 * Stage 3 of the seed: for every MR the night produced — `gates.concurrency` at a time —
 * run the repository's checks on the MR's exact commit, flag security issues, compute
 * the quality score, write the review summary onto the MR and the score as a git note
 * on its head. Closes the batch once every ticket is settled.
 */
export async function runGates(dependencies: PipelineDependencies, request: { batchId: string }, onProgress: ProgressListener = () => {}): Promise<GatesReport> {
  const { store } = dependencies;
  const batch = await requireBatch(dependencies, request.batchId);
  const tickets = new Map((await store.listBatchTickets(batch.id)).map((ticket) => [ticket.id, ticket]));
  const gating = (await store.listRuns(batch.id)).filter((run) => run.state === 'gating');
  const outcomes: (GateOutcome | undefined)[] = new Array(gating.length);
  await forEachWithLimit(gating, dependencies.settings.gateConcurrency, async (run, index) => {
    const ticket = tickets.get(run.ticketId);
    const mergeRequest = await store.getMergeRequest(batch.id, run.ticketId);
    if (ticket === undefined || mergeRequest === undefined) {
      await applyRunEvent(store, run, { type: 'fail', reason: 'no merge request was recorded for this ticket' }, dependencies.clock.now());
      return;
    }
    onProgress({ type: 'ticket-stage', ticketId: run.ticketId, stage: 'gates', detail: 'running checks' });
    const outcome = await gateMergeRequest(dependencies, run, ticket, mergeRequest);
    outcomes[index] = outcome;
    onProgress({ type: 'ticket-done', ticketId: run.ticketId, state: outcome.kind === 'gated' ? 'gated' : 'failed', ...(outcome.kind === 'refused' ? { detail: outcome.reason } : {}) });
  });
  const report: GatesReport = { batchId: batch.id, gated: [], refused: [] };
  for (const outcome of outcomes) {
    if (outcome?.kind === 'gated') report.gated.push(outcome.gated);
    else if (outcome?.kind === 'refused') report.refused.push({ ticketId: outcome.ticketId, reason: outcome.reason });
  }
  const runs = await store.listRuns(batch.id);
  const current = await requireBatch(dependencies, batch.id);
  if (current.state === 'running' && runs.every((run) => isTerminalTicketRunState(run.state))) {
    await applyBatchEvent(dependencies, current, { type: 'complete' });
    // Every ticket may already have its decision (a batch of escalations only): then it is reviewed now.
    await settleBatchReview(dependencies, batch.id);
  }
  return report;
}

type GateOutcome = { kind: 'gated'; gated: GatesReport['gated'][number] } | { kind: 'refused'; ticketId: string; reason: string };

async function gateMergeRequest(dependencies: PipelineDependencies, run: TicketRun, ticket: Ticket, mergeRequest: MergeRequestRecord): Promise<GateOutcome> {
  const { store, workspace, clock, settings } = dependencies;
  const log = new TicketLog(dependencies.artifacts, run.batchId, run.ticketId);
  const checkout = await checkOutMergeRequestCommit(dependencies, ticket, mergeRequest);
  if (!checkout.ok) {
    log.write({ type: 'gates-refused', reason: checkout.reason, at: clock.now().toISOString() });
    await log.flush();
    await applyRunEvent(store, run, { type: 'fail', reason: checkout.reason }, clock.now());
    return { kind: 'refused', ticketId: run.ticketId, reason: checkout.reason };
  }
  const { worktreePath, commit } = checkout;
  // The diff is taken before the checks run: what they write in the worktree is not the MR's change.
  const diff = parseUnifiedDiff(await workspace.diff(worktreePath, mergeRequest.targetBranch));
  // Security reads the files as committed, before a check or a formatter touches them.
  const security = await runSecurityChecks(dependencies, { batchId: run.batchId, ticket, worktreePath, diff, targetBranch: mergeRequest.targetBranch });
  const gateResults = await runGateChecks(dependencies, { worktreePath, commit, changedPaths: summarizeDiff(diff).map((file) => file.path), log });
  await store.saveGateResults(run.batchId, run.ticketId, gateResults);

  const securityFlags = security.findings;
  const checkpoints = await store.listCheckpoints(run.batchId, run.ticketId);
  const outputOf = (stage: string) => checkpoints.filter((checkpoint) => checkpoint.stage === stage).at(-1);
  const scope = outputOf('C0')?.output as ScopeOutput | undefined;
  const plan = outputOf('C1')?.output as PlanOutput | undefined;
  const implementation = outputOf('C2')?.output as ImplementationOutput | undefined;
  const usage = checkpoints.reduce(
    (total, checkpoint) => ({
      inputTokens: total.inputTokens + checkpoint.usage.inputTokens,
      outputTokens: total.outputTokens + checkpoint.usage.outputTokens,
      costUsd: total.costUsd + (checkpoint.usage.costUsd ?? 0),
    }),
    { inputTokens: 0, outputTokens: 0, costUsd: 0 },
  );
  const score = computeQualityScore({
    gateResults,
    diff,
    ...scoredComplexity(ticket.complexity, scope?.complexity, plan?.complexity),
    estimatedFiles: ticket.estimatedFiles,
    securityFindings: securityFlags,
    partial: implementation?.partial ?? false,
    retries: countRetries(checkpoints),
    planRisks: plan?.risks.length ?? 0,
    ...(implementation?.confidence === undefined ? {} : { confidence: implementation.confidence }),
  });
  const followUpTicketId = await findFollowUpTicketId(dependencies, run);
  const reviewSummary = renderReviewSummary({
    ticket,
    batchId: run.batchId,
    diff,
    gateResults,
    score,
    securityFindings: securityFlags,
    scope,
    plan,
    implementation,
    agent: checkpoints.at(-1)?.agent ?? dependencies.agent.name,
    model: settings.agentModel,
    usage,
    commit,
    stackedOn: mergeRequest.targetBranch === settings.baseBranch ? undefined : mergeRequest.targetBranch,
    followUpTicketId,
    scoreNoteRef: SCORE_NOTES_REF,
  });
  await dependencies.codeHost.updateDescription({ id: mergeRequest.hostId, url: mergeRequest.url }, reviewSummary);
  await dependencies.artifacts.writeText(`batches/${run.batchId}/reviews/${run.ticketId}.md`, reviewSummary);
  await store.saveMergeRequest({
    ...mergeRequest,
    commit,
    description: reviewSummary,
    reviewSummary,
    qualityScore: score.score,
    scoreBreakdown: score.breakdown,
    securityFlags,
  });
  const flagCount = countSecurityFlags(securityFlags);
  await workspace.addNote({
    commit,
    ref: SCORE_NOTES_REF,
    text: renderScoreNote({ score, ticketId: run.ticketId, batchId: run.batchId, checks: gateResults, securityFlags: flagCount }),
    author: settings.commitAuthor,
  });
  await applyRunEvent(store, run, { type: 'gates-complete' }, clock.now());
  log.write({ type: 'gates-complete', qualityScore: score.score, securityFlags: securityFlags.length, commit, at: clock.now().toISOString() });
  await log.flush();
  const checksFlaky = gateResults.filter((result) => result.status === 'flaky').length;
  const checksFailed = gateResults.filter((result) => result.status !== 'passed' && result.status !== 'flaky').length;
  return { kind: 'gated', gated: { ticketId: run.ticketId, commit, qualityScore: score.score, securityFlags: flagCount, checksFailed, checksFlaky } };
}

/**
 * The MR's worktree holding exactly the commit recorded when the MR was opened, and
 * nothing else: leftovers of an earlier gate run (reports, builds) are cleared by
 * recreating the worktree from the branch. A branch that moved since is refused —
 * the score would describe a commit nobody reviewed under that name.
 */
async function checkOutMergeRequestCommit(
  dependencies: Pick<PipelineDependencies, 'workspace'>,
  ticket: Ticket,
  mergeRequest: MergeRequestRecord,
): Promise<{ ok: true; worktreePath: string; commit: string } | { ok: false; reason: string }> {
  const { workspace } = dependencies;
  const request = { branch: mergeRequest.sourceBranch, startPoint: mergeRequest.targetBranch, directoryName: worktreeDirectoryNameFor(ticket.id) };
  let worktree = await workspace.prepareWorktree(request);
  if (worktree.headCommit !== mergeRequest.commit) {
    return {
      ok: false,
      reason: `the gates refused to check ${mergeRequest.sourceBranch}: it is at ${worktree.headCommit.slice(0, 12)}, not at the MR's commit ${mergeRequest.commit.slice(0, 12)} (the branch moved after the MR was opened): reset the branch to that commit, or run the ticket again in a new batch`,
    };
  }
  if ((await workspace.changedFiles(worktree.path, worktree.headCommit)).length > 0) {
    await workspace.removeWorktree(worktree.path);
    worktree = await workspace.prepareWorktree(request);
    const leftovers = await workspace.changedFiles(worktree.path, worktree.headCommit);
    if (worktree.headCommit !== mergeRequest.commit || leftovers.length > 0) {
      return { ok: false, reason: `the gates could not get a clean checkout of ${mergeRequest.commit.slice(0, 12)} on ${mergeRequest.sourceBranch} (left over: ${leftovers.map((file) => file.path).join(', ') || 'none'})` };
    }
  }
  return { ok: true, worktreePath: worktree.path, commit: worktree.headCommit };
}

/** The draft follow-up ticket generation created for a partial ticket, as its log recorded it. */
async function findFollowUpTicketId(dependencies: Pick<PipelineDependencies, 'artifacts'>, run: TicketRun): Promise<string | undefined> {
  const read = await dependencies.artifacts.readLinesFrom(ticketLogPath(run.batchId, run.ticketId), 0);
  let found: string | undefined;
  for (const line of read?.lines ?? []) {
    if (!line.includes('"follow-up"')) continue;
    try {
      const record = JSON.parse(line) as { type?: unknown; ticketId?: unknown };
      if (record.type === 'follow-up' && typeof record.ticketId === 'string') found = record.ticketId;
    } catch {
      // A torn last line after a crash says nothing.
    }
  }
  return found;
}

/** Runs `work` on every item, at most `limit` at once; the first failure is thrown once the running ones end. */
async function forEachWithLimit<T>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const failures: unknown[] = [];
  const worker = async (): Promise<void> => {
    while (failures.length === 0 && next < items.length) {
      const index = next;
      next += 1;
      try {
        await work(items[index] as T, index);
      } catch (error) {
        failures.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(Math.floor(limit), items.length)) }, worker));
  if (failures.length > 0) throw failures[0];
}

const COMPLEXITY_RANK: Record<Complexity, number> = { small: 0, medium: 1, large: 2 };

/** The diff budget follows the larger of the ticket's estimate and the agent's own re-estimates. */
function scoredComplexity(...estimates: (Complexity | undefined)[]): { complexity?: Complexity } {
  const known = estimates.filter((estimate): estimate is Complexity => estimate !== undefined);
  if (known.length === 0) return {};
  return { complexity: known.reduce((largest, estimate) => (COMPLEXITY_RANK[estimate] > COMPLEXITY_RANK[largest] ? estimate : largest)) };
}
