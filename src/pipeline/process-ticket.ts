import { branchNameFor, worktreeDirectoryNameFor } from '../domain/branch-name.js';
import { formatCommitMessage } from '../domain/commit-message.js';
import {
  implementationOutputSchema,
  planOutputSchema,
  scopeOutputSchema,
  type ImplementationOutput,
  type PlanOutput,
  type ScopeOutput,
} from '../domain/stage-output.js';
import type { Stage } from '../domain/stage.js';
import type { TicketRun, TicketRunEvent } from '../domain/ticket-run.js';
import type { Ticket } from '../domain/ticket.js';
import type { AgentUsage } from '../ports/agent.js';
import type { CheckpointRecord } from '../ports/store.js';
import { applyRunEvent } from './apply-run-event.js';
import { renderDraftDescription } from '../domain/draft-description.js';
import type { PipelineDependencies, ProgressListener } from './pipeline-dependencies.js';
import { runAgentStage, type AgentStageContext, type AgentStageOutcome } from './run-agent-stage.js';
import { TicketLog } from './ticket-log.js';

/** States of a dependency in the same batch that let its dependents start (its branch is committed). */
const DEPENDENCY_DONE_STATES = ['gating', 'ready', 'partial'];

export interface TicketWork {
  batchId: string;
  ticket: Ticket;
  run: TicketRun;
  /** Runs of the other tickets of the batch, for dependency checks and stacking. */
  runsByTicketId: ReadonlyMap<string, TicketRun>;
}

export type TicketWorkResult =
  | { kind: 'settled'; run: TicketRun }
  | { kind: 'rate-limited'; run: TicketRun; reason: string; retryAfterSeconds?: number; resetAt?: string };

/**
 * Works one ticket from wherever its run stands to the end of generation:
 * C0 → C1 → (escalation) → C2 → commit → draft MR. Each checkpoint is stored before the
 * next stage starts, so calling this again after a crash resumes, and repeats no effect.
 */
export async function processTicket(dependencies: PipelineDependencies, work: TicketWork, onProgress: ProgressListener): Promise<TicketWorkResult> {
  const { store, clock } = dependencies;
  const { ticket, batchId } = work;
  const log = new TicketLog(dependencies.artifacts, batchId, ticket.id);
  let run = work.run;
  const advance = async (event: TicketRunEvent): Promise<TicketRun> => {
    run = await applyRunEvent(store, run, event, clock.now());
    log.write({ type: 'transition', event: event.type, state: run.state, reason: run.reason, at: run.updatedAt });
    return run;
  };
  try {
    const blocker = blockingDependency(ticket, work.runsByTicketId);
    if (blocker !== undefined && run.state === 'queued') {
      await advance({ type: 'skip', reason: blocker });
      onProgress({ type: 'ticket-done', ticketId: ticket.id, state: run.state, detail: blocker });
      return { kind: 'settled', run };
    }
    const result = await workStages(dependencies, work, log, () => run, advance, onProgress);
    onProgress({ type: 'ticket-done', ticketId: ticket.id, state: run.state, ...(run.reason === undefined ? {} : { detail: run.reason }) });
    return result;
  } catch (error) {
    const reason = `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
    log.write({ type: 'error', message: reason, at: clock.now().toISOString() });
    if (run.state !== 'failed') await advance({ type: 'fail', reason });
    onProgress({ type: 'ticket-done', ticketId: ticket.id, state: run.state, detail: reason });
    return { kind: 'settled', run };
  } finally {
    await log.flush();
  }
}

async function workStages(
  dependencies: PipelineDependencies,
  work: TicketWork,
  log: TicketLog,
  currentRun: () => TicketRun,
  advance: (event: TicketRunEvent) => Promise<TicketRun>,
  onProgress: ProgressListener,
): Promise<TicketWorkResult> {
  const { store, workspace, clock, settings, agent } = dependencies;
  const { ticket, batchId } = work;
  const branch = branchNameFor(settings.branchPrefix, ticket.id);
  const stackedOn = stackedDependencyBranch(ticket, work.runsByTicketId, settings.branchPrefix);
  const startPoint = stackedOn ?? settings.baseBranch;
  if (currentRun().state === 'queued') await advance({ type: 'start' });
  const worktree = await workspace.prepareWorktree({ branch, startPoint, directoryName: worktreeDirectoryNameFor(ticket.id) });
  log.write({ type: 'worktree', branch, startPoint, path: worktree.path, at: clock.now().toISOString() });

  const checkpoints = latestCheckpointByStage(await store.listCheckpoints(batchId, ticket.id));
  const context: AgentStageContext = {
    agent,
    batchId,
    ticket,
    worktreePath: worktree.path,
    privateDirectory: `${settings.agentPrivateRoot}/${batchId}/${ticket.id}`,
    log,
    deadline: new Date(clock.now().getTime() + settings.timeoutPerTicketMinutes * 60_000),
    now: () => clock.now(),
  };
  const saveCheckpoint = async (stage: Stage, output: unknown, outcome: { attempts: number; usage: AgentUsage; sessionId?: string }) => {
    const checkpoint: CheckpointRecord = {
      batchId,
      ticketId: ticket.id,
      stage,
      attempt: outcome.attempts,
      output,
      usage: outcome.usage,
      agent: agent.name,
      createdAt: clock.now().toISOString(),
      ...(outcome.sessionId === undefined ? {} : { sessionId: outcome.sessionId }),
    };
    await store.saveCheckpoint(checkpoint);
    checkpoints.set(stage, checkpoint);
    log.write({ type: 'checkpoint', stage, at: checkpoint.createdAt });
  };
  const settleFailure = async (outcome: Exclude<AgentStageOutcome<unknown>, { kind: 'completed' }>, stage: Stage): Promise<TicketWorkResult> => {
    if (outcome.kind === 'rate-limited') {
      return { kind: 'rate-limited', run: currentRun(), reason: outcome.reason, ...pickRateLimit(outcome) };
    }
    if (outcome.kind === 'timed-out') {
      await advance({ type: 'time-out', reason: outcome.reason });
    } else if (outcome.kind === 'invalid-answer') {
      await advance({ type: 'fail', reason: `the agent's ${stage} answer was invalid twice: ${outcome.problem}` });
    } else {
      await advance({ type: 'fail', reason: outcome.reason });
    }
    return { kind: 'settled', run: currentRun() };
  };
  const refuseChangesAtReadOnlyStage = async (stage: Stage): Promise<boolean> => {
    const changed = await workspace.changedFiles(worktree.path, 'HEAD');
    if (changed.length === 0) return false;
    await advance({ type: 'fail', reason: `security: the agent changed files during read-only stage ${stage}: ${changed.map((file) => file.path).join(', ')}` });
    return true;
  };

  if (currentRun().state === 'scoping') {
    if (!checkpoints.has('C0')) {
      onProgress({ type: 'ticket-stage', ticketId: ticket.id, stage: 'C0', detail: 'understanding scope' });
      const outcome = await runAgentStage(context, 'C0', scopeOutputSchema, {});
      if (outcome.kind !== 'completed') return settleFailure(outcome, 'C0');
      if (await refuseChangesAtReadOnlyStage('C0')) return { kind: 'settled', run: currentRun() };
      await saveCheckpoint('C0', outcome.output, outcome);
    }
    await advance({ type: 'scope-complete' });
  }
  const scope = checkpoints.get('C0')?.output as ScopeOutput | undefined;

  if (currentRun().state === 'planning') {
    if (!checkpoints.has('C1')) {
      onProgress({ type: 'ticket-stage', ticketId: ticket.id, stage: 'C1', detail: 'planning' });
      const outcome = await runAgentStage(context, 'C1', planOutputSchema, { scopeOutput: scope });
      if (outcome.kind !== 'completed') return settleFailure(outcome, 'C1');
      if (await refuseChangesAtReadOnlyStage('C1')) return { kind: 'settled', run: currentRun() };
      await saveCheckpoint('C1', outcome.output, outcome);
    }
    const plan = checkpoints.get('C1')?.output as PlanOutput;
    if (plan.decision_needed !== null) {
      await store.saveEscalation({
        batchId,
        ticketId: ticket.id,
        trigger: plan.decision_needed.kind,
        question: plan.decision_needed.question,
        options: plan.decision_needed.options,
        context: { scope, plan },
        createdAt: clock.now().toISOString(),
      });
      await advance({ type: 'escalate', reason: `${plan.decision_needed.kind}: ${plan.decision_needed.question}` });
      await dependencies.ticketSource.updateStatus(ticket.id, 'escalated');
      return { kind: 'settled', run: currentRun() };
    }
    await advance({ type: 'plan-complete' });
  }
  const plan = checkpoints.get('C1')?.output as PlanOutput | undefined;

  if (currentRun().state === 'implementing') {
    if (!checkpoints.has('C2')) {
      onProgress({ type: 'ticket-stage', ticketId: ticket.id, stage: 'C2', detail: 'implementing and testing' });
      const outcome = await runAgentStage(context, 'C2', implementationOutputSchema, { scopeOutput: scope, planOutput: plan });
      let report: ImplementationOutput;
      if (outcome.kind === 'completed') {
        report = outcome.output;
      } else if (outcome.kind === 'invalid-answer') {
        report = await fallbackReport(dependencies, worktree.path, startPoint, outcome.problem);
      } else {
        return settleFailure(outcome, 'C2');
      }
      await saveCheckpoint('C2', report, outcome);
    }
    const report = checkpoints.get('C2')?.output as ImplementationOutput;
    const changed = await workspace.changedFiles(worktree.path, startPoint);
    if (changed.length === 0) {
      await advance({ type: 'fail', reason: 'the agent finished C2 without changing any file' });
      return { kind: 'settled', run: currentRun() };
    }
    onProgress({ type: 'ticket-stage', ticketId: ticket.id, stage: 'commit', detail: `committing to ${branch}` });
    const message = formatCommitMessage({
      ticketId: ticket.id,
      title: ticket.title,
      changes: report.changes,
      batchId,
      checkpoint: report.partial ? 'C2-partial' : 'C2-complete',
      qualityScore: 'pending-gates',
    });
    await workspace.commitAll(worktree.path, message, settings.commitAuthor);
    const commit = await workspace.headCommit(worktree.path);
    const title = `Draft: ${ticket.id} ${ticket.title}`;
    const description = renderDraftDescription({ ticket, report, plan, branch, stackedOn });
    const reference = await dependencies.codeHost.openDraftMergeRequest({ sourceBranch: branch, targetBranch: startPoint, title, description });
    const existing = await store.getMergeRequest(batchId, ticket.id);
    await store.saveMergeRequest({
      ...(existing ?? {}),
      batchId,
      ticketId: ticket.id,
      sourceBranch: branch,
      targetBranch: startPoint,
      title,
      description,
      hostId: reference.id,
      url: reference.url,
      commit,
      createdAt: existing?.createdAt ?? clock.now().toISOString(),
    });
    log.write({ type: 'merge-request', id: reference.id, url: reference.url, commit, at: clock.now().toISOString() });
    await advance({ type: 'implementation-complete', partial: report.partial });
    await dependencies.ticketSource.updateStatus(ticket.id, report.partial ? 'partial' : 'in-review');
  }
  return { kind: 'settled', run: currentRun() };
}

/** Why a ticket cannot start: one of its dependencies in the same batch did not complete. */
function blockingDependency(ticket: Ticket, runs: ReadonlyMap<string, TicketRun>): string | undefined {
  for (const dependencyId of ticket.dependencies) {
    const dependencyRun = runs.get(dependencyId);
    if (dependencyRun === undefined) continue;
    if (!DEPENDENCY_DONE_STATES.includes(dependencyRun.state)) {
      return `dependency ${dependencyId} did not complete (it ended ${dependencyRun.state}${dependencyRun.reason === undefined ? '' : `: ${dependencyRun.reason}`})`;
    }
  }
  return undefined;
}

/** A ticket whose dependency is in the same batch starts from that dependency's branch (stacked MRs). */
function stackedDependencyBranch(ticket: Ticket, runs: ReadonlyMap<string, TicketRun>, branchPrefix: string): string | undefined {
  const inBatch = ticket.dependencies.filter((dependencyId) => runs.has(dependencyId));
  const last = inBatch.at(-1);
  return last === undefined ? undefined : branchNameFor(branchPrefix, last);
}

function latestCheckpointByStage(checkpoints: CheckpointRecord[]): Map<Stage, CheckpointRecord> {
  const byStage = new Map<Stage, CheckpointRecord>();
  for (const checkpoint of checkpoints) byStage.set(checkpoint.stage, checkpoint);
  return byStage;
}

function pickRateLimit(outcome: { retryAfterSeconds?: number; resetAt?: string }): { retryAfterSeconds?: number; resetAt?: string } {
  return {
    ...(outcome.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: outcome.retryAfterSeconds }),
    ...(outcome.resetAt === undefined ? {} : { resetAt: outcome.resetAt }),
  };
}

/** When the agent's C2 report is unreadable, the work is kept and described from the diff instead. */
async function fallbackReport(dependencies: PipelineDependencies, worktreePath: string, startPoint: string, problem: string): Promise<ImplementationOutput> {
  const changed = await dependencies.workspace.changedFiles(worktreePath, startPoint);
  return {
    summary: `The agent's report was not valid (${problem}); this description was made from the changed files.`,
    changes: changed.length > 0 ? changed.map((file) => `Update ${file.path}`) : ['No file changed'],
    tests_run: [],
    partial: false,
    remaining_work: [],
  };
}
