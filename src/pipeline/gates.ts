import { worktreeDirectoryNameFor } from '../domain/branch-name.js';
import { computeQualityScore, countRetries } from '../domain/quality-score.js';
import { renderReviewSummary } from '../domain/review-summary.js';
import { countSecurityFlags, scanDiffForSecurityFindings } from '../domain/secret-scan.js';
import type { ImplementationOutput, PlanOutput, ScopeOutput } from '../domain/stage-output.js';
import { isTerminalTicketRunState, type TicketRun } from '../domain/ticket-run.js';
import type { Complexity, Ticket } from '../domain/ticket.js';
import { parseUnifiedDiff } from '../domain/unified-diff.js';
import type { GateResultRecord, MergeRequestRecord } from '../ports/store.js';
import { applyRunEvent } from './apply-run-event.js';
import { applyBatchEvent, requireBatch } from './generate.js';
import type { PipelineDependencies, ProgressListener } from './pipeline-dependencies.js';
import { TicketLog } from './ticket-log.js';

export interface GatesReport {
  batchId: string;
  gated: { ticketId: string; qualityScore: number; securityFlags: number; checksFailed: number }[];
}

/**
 * Stage 3 of the seed: for every MR the night produced, run the repository's checks
 * on the MR's exact commit, flag security issues, compute the quality score and
 * write the review summary onto the MR. Closes the batch once every ticket is settled.
 */
export async function runGates(dependencies: PipelineDependencies, request: { batchId: string }, onProgress: ProgressListener = () => {}): Promise<GatesReport> {
  const { store } = dependencies;
  const batch = await requireBatch(dependencies, request.batchId);
  const tickets = new Map((await store.listBatchTickets(batch.id)).map((ticket) => [ticket.id, ticket]));
  const report: GatesReport = { batchId: batch.id, gated: [] };
  for (const run of await store.listRuns(batch.id)) {
    if (run.state !== 'gating') continue;
    const ticket = tickets.get(run.ticketId);
    const mergeRequest = await store.getMergeRequest(batch.id, run.ticketId);
    if (ticket === undefined || mergeRequest === undefined) {
      await applyRunEvent(store, run, { type: 'fail', reason: 'no merge request was recorded for this ticket' }, dependencies.clock.now());
      continue;
    }
    onProgress({ type: 'ticket-stage', ticketId: run.ticketId, stage: 'gates', detail: 'running checks' });
    report.gated.push(await gateMergeRequest(dependencies, run, ticket, mergeRequest));
    onProgress({ type: 'ticket-done', ticketId: run.ticketId, state: 'gated' });
  }
  const runs = await store.listRuns(batch.id);
  const current = await requireBatch(dependencies, batch.id);
  if (current.state === 'running' && runs.every((run) => isTerminalTicketRunState(run.state))) {
    await applyBatchEvent(dependencies, current, { type: 'complete' });
  }
  return report;
}

async function gateMergeRequest(dependencies: PipelineDependencies, run: TicketRun, ticket: Ticket, mergeRequest: MergeRequestRecord): Promise<GatesReport['gated'][number]> {
  const { store, workspace, commandRunner, clock, settings } = dependencies;
  const log = new TicketLog(dependencies.artifacts, run.batchId, run.ticketId);
  const worktree = await workspace.prepareWorktree({
    branch: mergeRequest.sourceBranch,
    startPoint: mergeRequest.targetBranch,
    directoryName: worktreeDirectoryNameFor(ticket.id),
  });
  const commit = await workspace.headCommit(worktree.path);
  const gateResults: GateResultRecord[] = [];
  for (const gate of settings.gateCommands) {
    log.write({ type: 'gate-start', gate: gate.name, command: gate.command, commit, at: clock.now().toISOString() });
    const outcome = await commandRunner.run({ command: gate.command, cwd: worktree.path, timeoutMilliseconds: settings.gateTimeoutMinutes * 60_000 });
    const status: GateResultRecord['status'] = outcome.timedOut ? 'timed_out' : outcome.exitCode === 0 ? 'passed' : 'failed';
    gateResults.push({
      name: gate.name,
      command: gate.command,
      status,
      durationMilliseconds: outcome.durationMilliseconds,
      outputTail: outcome.outputTail,
      commit,
      createdAt: clock.now().toISOString(),
    });
    log.write({ type: 'gate-end', gate: gate.name, status, durationMilliseconds: outcome.durationMilliseconds, at: clock.now().toISOString() });
  }
  await store.saveGateResults(run.batchId, run.ticketId, gateResults);

  const diff = parseUnifiedDiff(await workspace.diff(worktree.path, mergeRequest.targetBranch));
  const securityFlags = scanDiffForSecurityFindings(diff);
  const checkpoints = await store.listCheckpoints(run.batchId, run.ticketId);
  const outputOf = (stage: string) => checkpoints.filter((checkpoint) => checkpoint.stage === stage).at(-1);
  const scope = outputOf('C0')?.output as ScopeOutput | undefined;
  const plan = outputOf('C1')?.output as PlanOutput | undefined;
  const implementation = outputOf('C2')?.output as ImplementationOutput | undefined;
  const retries = countRetries(checkpoints);
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
    retries,
  });
  const reviewSummary = renderReviewSummary({
    ticket,
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
  await applyRunEvent(store, run, { type: 'gates-complete' }, clock.now());
  log.write({ type: 'gates-complete', qualityScore: score.score, securityFlags: securityFlags.length, at: clock.now().toISOString() });
  await log.flush();
  const checksFailed = gateResults.filter((result) => result.status !== 'passed').length;
  return { ticketId: run.ticketId, qualityScore: score.score, securityFlags: countSecurityFlags(securityFlags), checksFailed };
}

const COMPLEXITY_RANK: Record<Complexity, number> = { small: 0, medium: 1, large: 2 };

/** The diff budget follows the larger of the ticket's estimate and the agent's own re-estimates. */
function scoredComplexity(...estimates: (Complexity | undefined)[]): { complexity?: Complexity } {
  const known = estimates.filter((estimate): estimate is Complexity => estimate !== undefined);
  if (known.length === 0) return {};
  return { complexity: known.reduce((largest, estimate) => (COMPLEXITY_RANK[estimate] > COMPLEXITY_RANK[largest] ? estimate : largest)) };
}
