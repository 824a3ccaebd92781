import { branchNameFor, worktreeDirectoryNameFor } from '../domain/branch-name.js';
import { AGENT_HOMES_DIRECTORY } from './clean.js';
import { evaluateEscalationTriggers } from '../domain/escalation-triggers.js';
import {
  implementationOutputSchema,
  planOutputSchema,
  scopeOutputSchema,
  type ImplementationOutput,
  type PlanOutput,
  type ScopeOutput,
} from '../domain/stage-output.js';
import type { Stage } from '../domain/stage.js';
import { isTerminalTicketRunState, type TicketRun, type TicketRunEvent } from '../domain/ticket-run.js';
import type { Ticket } from '../domain/ticket.js';
import type { AgentUsage } from '../ports/agent.js';
import type { CheckpointRecord } from '../ports/store.js';
import { applyRunEvent } from './apply-run-event.js';
import type { BatchControl } from './batch-control.js';
import { budgetProblem } from './budget.js';
import type { PipelineDependencies, ProgressListener } from './pipeline-dependencies.js';
import { ConfinementCheck } from './confinement-check.js';
import { commitTicketWork, publishDraftMergeRequest, type TicketBranch } from './publish-merge-request.js';
import { runAgentStage, type AgentStageContext, type AgentStageOutcome } from './run-agent-stage.js';
import { TicketLog } from './ticket-log.js';

export interface TicketWork {
  batchId: string;
  ticket: Ticket;
  run: TicketRun;
  /** Runs of the other tickets of the batch, for stacking on a dependency's branch. */
  runsByTicketId: ReadonlyMap<string, TicketRun>;
  control: BatchControl;
  /** A human's answer to this ticket's earlier escalation, given to C1 and C2. */
  decision?: string;
}

export type TicketWorkResult =
  | { kind: 'settled'; run: TicketRun }
  | { kind: 'rate-limited'; run: TicketRun; reason: string; retryAfterSeconds?: number; resetAt?: string }
  | { kind: 'interrupted'; run: TicketRun; reason: string };

/**
 * A ticket's outcome as soon as its run is stored, and the housekeeping that follows it
 * (removing the worktree and the agent's home, writing out the log). The runner starts the
 * next ticket on the outcome and awaits `finishing` before the batch's generation ends, so
 * the next ticket's bookkeeping overlaps the last one's clean-up. `finishing` rejects only
 * when the log could not be written.
 */
export interface TicketWorkOutcome {
  result: TicketWorkResult;
  finishing: Promise<void>;
}

/**
 * Works one ticket from wherever its run stands to the end of generation:
 * C0 → C1 → (escalation) → C2 → commit → draft MR. Each checkpoint is stored before the
 * next stage starts, so calling this again after a crash resumes, and repeats no effect.
 */
export async function processTicket(dependencies: PipelineDependencies, work: TicketWork, onProgress: ProgressListener): Promise<TicketWorkOutcome> {
  const { clock } = dependencies;
  const log = new TicketLog(dependencies.artifacts, work.batchId, work.ticket.id);
  const state: TicketState = { run: work.run };
  const advance = async (event: TicketRunEvent): Promise<TicketRun> => {
    const from = state.run.state;
    state.run = await applyRunEvent(dependencies.store, state.run, event, clock.now());
    log.write({ type: 'transition', event: event.type, from, state: state.run.state, reason: state.run.reason, at: state.run.updatedAt });
    return state.run;
  };
  let result: TicketWorkResult;
  try {
    result = await workStages(dependencies, work, log, state, advance, onProgress);
    if (result.kind === 'settled') {
      onProgress({ type: 'ticket-done', ticketId: work.ticket.id, state: state.run.state, ...(state.run.reason === undefined ? {} : { detail: state.run.reason }) });
    }
  } catch (error) {
    const reason = `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
    log.write({ type: 'error', message: reason, at: clock.now().toISOString() });
    // A run that already ended (escalated, partial …) keeps its outcome; the error stays in its log.
    if (!isTerminalTicketRunState(state.run.state) && state.run.state !== 'gating') await advance({ type: 'fail', reason });
    onProgress({ type: 'ticket-done', ticketId: work.ticket.id, state: state.run.state, detail: reason });
    result = { kind: 'settled', run: state.run };
  }
  return { result, finishing: finishTicket(dependencies, work, log, result, state.worktreeToRemove) };
}

/** The housekeeping after a ticket's run is stored; a worktree that cannot be removed is logged, and `nightshift clean` takes it. */
async function finishTicket(dependencies: PipelineDependencies, work: TicketWork, log: TicketLog, result: TicketWorkResult, worktreeToRemove: string | undefined): Promise<void> {
  try {
    if (worktreeToRemove !== undefined) {
      try {
        await dependencies.workspace.removeWorktree(worktreeToRemove);
      } catch (error) {
        const message = `the worktree ${worktreeToRemove} could not be removed (\`nightshift clean\` removes it): ${error instanceof Error ? error.message : String(error)}`;
        log.write({ type: 'error', message, at: dependencies.clock.now().toISOString() });
      }
    }
    if (result.kind === 'settled') await removeAgentHome(dependencies, work, log);
  } finally {
    await log.flush();
  }
}

/** What the stages leave for the caller: the run as stored, and a worktree to remove once it is. */
interface TicketState {
  run: TicketRun;
  worktreeToRemove?: string;
}

/**
 * Once a ticket's generation is over, its agent's private home goes: the agent's own
 * transcripts there hold whatever it read and wrote verbatim — a secret it hard-coded
 * included — while everything Nightshift keeps is masked. A ticket interrupted by a rate
 * limit or a stop keeps it, for the session its next run resumes. `generation.keep_agent_homes`
 * keeps them all for debugging; `nightshift clean` removes them later.
 */
async function removeAgentHome(dependencies: PipelineDependencies, work: TicketWork, log: TicketLog): Promise<void> {
  const { settings, artifacts, clock } = dependencies;
  if (settings.keepAgentHomes === true || artifacts.absolutePath(AGENT_HOMES_DIRECTORY) !== settings.agentPrivateRoot) return;
  const home = `${AGENT_HOMES_DIRECTORY}/${work.batchId}/${work.ticket.id}`;
  try {
    await artifacts.remove(home);
  } catch (error) {
    log.write({ type: 'error', message: `the agent's home ${home} could not be removed: ${error instanceof Error ? error.message : String(error)}`, at: clock.now().toISOString() });
  }
}

async function workStages(
  dependencies: PipelineDependencies,
  work: TicketWork,
  log: TicketLog,
  state: TicketState,
  advance: (event: TicketRunEvent) => Promise<TicketRun>,
  onProgress: ProgressListener,
): Promise<TicketWorkResult> {
  const { store, workspace, clock, settings, agent, processRegistry } = dependencies;
  const { ticket, batchId, control } = work;
  const stackedOn = stackedDependencyBranch(ticket, work.runsByTicketId, settings.branchPrefix);
  const branchName = branchNameFor(settings.branchPrefix, ticket.id);
  const startPoint = stackedOn ?? settings.baseBranch;
  const freshStart = state.run.state === 'queued';
  if (freshStart) await advance({ type: 'start' });
  // A fresh worktree comes with the confinement snapshot before its first stage, read while git makes it.
  const worktree = await workspace.prepareWorktree({
    branch: branchName,
    startPoint,
    directoryName: worktreeDirectoryNameFor(ticket.id),
    ...(freshStart ? { snapshot: ConfinementCheck.firstSnapshotRequest(branchName, settings.branchPrefix, settings.confinement) } : {}),
  });
  const branch: TicketBranch = { branch: branchName, startPoint, worktreePath: worktree.path, ...(stackedOn === undefined ? {} : { stackedOn }) };
  log.write({ type: 'worktree', branch: branchName, startPoint, path: worktree.path, at: clock.now().toISOString() });
  if (freshStart && !worktree.created) await setAsideWhatAnEarlierRunLeft(dependencies, batchId, ticket.id, worktree.path, log);

  const stored = await store.listCheckpoints(batchId, ticket.id);
  const checkpoints = new Map<Stage, CheckpointRecord>(stored.map((checkpoint) => [checkpoint.stage, checkpoint]));
  const ticketUsage: Required<AgentUsage> = { inputTokens: 0, outputTokens: 0, costUsd: 0 };
  for (const checkpoint of stored) addUsage(ticketUsage, checkpoint.usage);
  const context: AgentStageContext = {
    agent,
    batchId,
    ticket,
    worktreePath: worktree.path,
    privateDirectory: `${settings.agentPrivateRoot}/${batchId}/${ticket.id}`,
    log,
    deadline: new Date(clock.now().getTime() + settings.timeoutPerTicketMinutes * 60_000),
    clock,
    control,
    stallTimeoutMilliseconds: settings.stallTimeoutMinutes * 60_000,
    maxAttemptsPerStage: settings.maxAttemptsPerStage,
    onProcessStart: (processId) =>
      void processRegistry.record({ processId, orchestratorProcessId: process.pid, batchId, ticketId: ticket.id, startedAt: clock.now().toISOString() }),
    onProcessEnd: (processId) => void processRegistry.release(processId),
    // Kept for resuming C2 after a crash or stop, so only for an agent that can resume a session.
    onSessionStart: (stage, sessionId) => {
      if (stage === 'C2' && agent.capabilities.resumeSession) void dependencies.artifacts.writeText(interruptedSessionPath(batchId, ticket.id), `${JSON.stringify({ stage, sessionId })}\n`);
    },
  };

  const saveCheckpoint = async (stage: Stage, output: unknown, outcome: { attempts: number; usage: AgentUsage; sessionId?: string; agentName?: string }) => {
    const checkpoint: CheckpointRecord = {
      batchId,
      ticketId: ticket.id,
      stage,
      attempt: outcome.attempts,
      output,
      usage: outcome.usage,
      agent: outcome.agentName ?? agent.name,
      createdAt: clock.now().toISOString(),
      ...(outcome.sessionId === undefined ? {} : { sessionId: outcome.sessionId }),
    };
    await store.saveCheckpoint(checkpoint);
    checkpoints.set(stage, checkpoint);
    log.write({ type: 'checkpoint', stage, at: checkpoint.createdAt });
  };

  /** Settles a stage that did not complete; undefined means the caller may go on. */
  const settleIncomplete = async (outcome: Exclude<AgentStageOutcome<unknown>, { kind: 'completed' }>, stage: Stage): Promise<TicketWorkResult> => {
    if (outcome.kind === 'rate-limited') {
      return {
        kind: 'rate-limited',
        run: state.run,
        reason: outcome.reason,
        ...(outcome.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: outcome.retryAfterSeconds }),
        ...(outcome.resetAt === undefined ? {} : { resetAt: outcome.resetAt }),
      };
    }
    if (outcome.kind === 'stopped') return { kind: 'interrupted', run: state.run, reason: outcome.reason };
    if (outcome.kind === 'timed-out') {
      if (stage === 'C2') await keepWorkSoFar(dependencies, batchId, ticket, branch, log);
      await advance({ type: 'time-out', reason: outcome.reason });
    } else if (outcome.kind === 'invalid-answer') {
      await advance({ type: 'fail', reason: `the agent's ${stage} answer was invalid twice: ${outcome.problem}` });
    } else {
      await advance({ type: 'fail', reason: outcome.reason });
    }
    return { kind: 'settled', run: state.run };
  };

  /** After each stage: over its budget, the ticket stops with the reason. */
  const overBudget = async (usage: AgentUsage): Promise<boolean> => {
    addUsage(ticketUsage, usage);
    const problem = budgetProblem('ticket', ticketUsage, { tokens: settings.budget.tokensPerTicket, costUsd: settings.budget.costPerTicketUsd });
    if (problem === undefined) return false;
    await advance({ type: 'fail', reason: problem });
    return true;
  };

  /** `provenUnchanged`: the confinement snapshots already show the worktree untouched, so git need not be asked. */
  const refuseChangesAtReadOnlyStage = async (stage: Stage, provenUnchanged: boolean): Promise<boolean> => {
    if (provenUnchanged) return false;
    const changed = await workspace.uncommittedChanges(worktree.path);
    if (changed.length === 0) return false;
    await advance({ type: 'fail', reason: `security: the agent changed files during read-only stage ${stage}: ${changed.join(', ')}` });
    return true;
  };

  // Confinement: every stage runs between two snapshots of what surrounds the worktree; a difference fails the ticket as a security finding.
  const confinement = new ConfinementCheck({
    workspace,
    worktreePath: worktree.path,
    branch: branchName,
    branchPrefix: settings.branchPrefix,
    ...(settings.confinement === undefined ? {} : { settings: settings.confinement }),
    log,
    clock,
    ...(worktree.outsideSnapshot === undefined ? {} : { initialSnapshot: worktree.outsideSnapshot }),
  });
  const failForBreach = async (reason: string): Promise<TicketWorkResult> => {
    await advance({ type: 'fail', reason });
    return { kind: 'settled', run: state.run };
  };

  if (state.run.state === 'scoping') {
    if (!checkpoints.has('C0')) {
      onProgress({ type: 'ticket-stage', ticketId: ticket.id, stage: 'C0', detail: 'understanding scope' });
      const { outcome, breach, worktreeUnchanged } = await confinement.around('C0', () => runAgentStage(context, 'C0', scopeOutputSchema, {}));
      if (breach !== undefined) return failForBreach(breach);
      if (outcome.kind === 'rate-limited' || outcome.kind === 'stopped') return settleIncomplete(outcome, 'C0');
      if (await overBudget(outcome.usage)) return { kind: 'settled', run: state.run };
      if (outcome.kind !== 'completed') return settleIncomplete(outcome, 'C0');
      if (await refuseChangesAtReadOnlyStage('C0', worktreeUnchanged)) return { kind: 'settled', run: state.run };
      await saveCheckpoint('C0', outcome.output, outcome);
    }
    await advance({ type: 'scope-complete' });
  }
  const scope = checkpoints.get('C0')?.output as ScopeOutput | undefined;

  if (state.run.state === 'planning') {
    if (!checkpoints.has('C1')) {
      onProgress({ type: 'ticket-stage', ticketId: ticket.id, stage: 'C1', detail: 'planning' });
      const { outcome, breach, worktreeUnchanged } = await confinement.around('C1', () =>
        runAgentStage(context, 'C1', planOutputSchema, { scopeOutput: scope, ...(work.decision === undefined ? {} : { decision: work.decision }) }),
      );
      if (breach !== undefined) return failForBreach(breach);
      if (outcome.kind === 'rate-limited' || outcome.kind === 'stopped') return settleIncomplete(outcome, 'C1');
      if (await overBudget(outcome.usage)) return { kind: 'settled', run: state.run };
      if (outcome.kind !== 'completed') return settleIncomplete(outcome, 'C1');
      if (await refuseChangesAtReadOnlyStage('C1', worktreeUnchanged)) return { kind: 'settled', run: state.run };
      await saveCheckpoint('C1', outcome.output, outcome);
    }
    const plan = checkpoints.get('C1')?.output as PlanOutput;
    const escalation = scope === undefined ? undefined : evaluateEscalationTriggers({ ticket, scope, plan, policy: settings.escalation });
    if (escalation !== undefined) {
      await store.saveEscalation({
        batchId,
        ticketId: ticket.id,
        trigger: escalation.trigger,
        question: escalation.question,
        options: escalation.options,
        context: { scope, plan, details: escalation.details, alsoFired: escalation.alsoFired },
        createdAt: clock.now().toISOString(),
      });
      // The tracker first: a crash between the two then repeats an idempotent status write, never loses it.
      await dependencies.ticketSource.updateStatus(ticket.id, 'escalated');
      await advance({ type: 'escalate', reason: `${escalation.trigger}: ${escalation.question}` });
      return { kind: 'settled', run: state.run };
    }
    await advance({ type: 'plan-complete' });
  }
  const plan = checkpoints.get('C1')?.output as PlanOutput | undefined;

  if (state.run.state === 'implementing') {
    if (!checkpoints.has('C2')) {
      const interrupted = agent.capabilities.resumeSession ? await readInterruptedSession(dependencies, batchId, ticket.id) : undefined;
      onProgress({ type: 'ticket-stage', ticketId: ticket.id, stage: 'C2', detail: interrupted === undefined ? 'implementing and testing' : 'resuming the interrupted session' });
      if (interrupted !== undefined) log.write({ type: 'session-resume', stage: 'C2', sessionId: interrupted, at: clock.now().toISOString() });
      const { outcome, breach } = await confinement.around('C2', () =>
        runAgentStage({ ...context, ...(interrupted === undefined ? {} : { resumeSessionId: interrupted }) }, 'C2', implementationOutputSchema, {
          scopeOutput: scope,
          planOutput: plan,
          ...(work.decision === undefined ? {} : { decision: work.decision }),
        }),
      );
      if (breach !== undefined) return failForBreach(breach);
      if (outcome.kind === 'rate-limited' || outcome.kind === 'stopped') return settleIncomplete(outcome, 'C2');
      if (outcome.kind === 'timed-out') return settleIncomplete(outcome, 'C2');
      if (await overBudget(outcome.usage)) {
        await keepWorkSoFar(dependencies, batchId, ticket, branch, log);
        return { kind: 'settled', run: state.run };
      }
      let report: ImplementationOutput;
      if (outcome.kind === 'completed') report = outcome.output;
      else if (outcome.kind === 'invalid-answer') report = await fallbackReport(dependencies, worktree.path, startPoint, outcome.problem);
      else return settleIncomplete(outcome, 'C2');
      await saveCheckpoint('C2', report, outcome);
    }
    const report = checkpoints.get('C2')?.output as ImplementationOutput;
    onProgress({ type: 'ticket-stage', ticketId: ticket.id, stage: 'commit', detail: `committing to ${branchName}` });
    const commit = await commitTicketWork(dependencies, { batchId, ticket, branch, changes: report.changes, checkpoint: report.partial ? 'C2-partial' : 'C2-complete' });
    if (commit === undefined) {
      await advance({ type: 'fail', reason: 'the agent finished C2 without changing any file' });
      return { kind: 'settled', run: state.run };
    }
    const followUp = report.partial ? await createFollowUp(dependencies, batchId, ticket, report, log) : undefined;
    await publishDraftMergeRequest(dependencies, {
      batchId,
      ticket,
      branch,
      report,
      ...(plan === undefined ? {} : { plan }),
      commit,
      ...(followUp === undefined ? {} : { followUpTicketId: followUp.ticketId }),
      log,
    });
    await dependencies.ticketSource.updateStatus(ticket.id, report.partial ? 'partial' : 'in-review');
    await advance({ type: 'implementation-complete', partial: report.partial });
    if (settings.removeWorktrees) state.worktreeToRemove = worktree.path;
  }
  return { kind: 'settled', run: state.run };
}

/** Where the session id of a running C2 is kept, so a crash or stop can resume that session. */
function interruptedSessionPath(batchId: string, ticketId: string): string {
  return `batches/${batchId}/sessions/${ticketId}.json`;
}

async function readInterruptedSession(dependencies: PipelineDependencies, batchId: string, ticketId: string): Promise<string | undefined> {
  const text = await dependencies.artifacts.readText(interruptedSessionPath(batchId, ticketId));
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as { stage?: unknown; sessionId?: unknown };
    return value.stage === 'C2' && typeof value.sessionId === 'string' && /^[A-Za-z0-9-]{1,100}$/.test(value.sessionId) ? value.sessionId : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The seed's "create follow-up ticket (draft)" for partial work. A tracker that cannot
 * take it must not cost the committed work: the failure is logged and the MR says so.
 */
async function createFollowUp(
  dependencies: PipelineDependencies,
  batchId: string,
  ticket: Ticket,
  report: ImplementationOutput,
  log: TicketLog,
): Promise<{ ticketId: string } | undefined> {
  try {
    const followUp = await dependencies.ticketSource.createFollowUpTicket({
      originalTicketId: ticket.id,
      batchId,
      title: `Finish ${ticket.title}`,
      remainingWork: report.remaining_work.length > 0 ? report.remaining_work : ['Finish what the partial MR leaves undone'],
    });
    log.write({ type: 'follow-up', ticketId: followUp.ticketId, created: followUp.created, at: dependencies.clock.now().toISOString() });
    return followUp;
  } catch (error) {
    log.write({ type: 'error', message: `could not create the follow-up ticket: ${error instanceof Error ? error.message : String(error)}`, at: dependencies.clock.now().toISOString() });
    return undefined;
  }
}

/** A ticket stopped mid-C2 (time or budget) keeps what the agent wrote, committed on its branch. */
async function keepWorkSoFar(dependencies: PipelineDependencies, batchId: string, ticket: Ticket, branch: TicketBranch, log: TicketLog): Promise<void> {
  const changed = await dependencies.workspace.uncommittedChanges(branch.worktreePath);
  if (changed.length === 0) return;
  const commit = await commitTicketWork(dependencies, {
    batchId,
    ticket,
    branch,
    changes: changed.map((path) => `Work in progress on ${path}`),
    checkpoint: 'C2-timed-out',
  });
  log.write({ type: 'work-kept', commit, files: changed, at: dependencies.clock.now().toISOString() });
}

/** A ticket whose dependency is in the same batch starts from that dependency's branch (stacked MRs). */
function stackedDependencyBranch(ticket: Ticket, runs: ReadonlyMap<string, TicketRun>, branchPrefix: string): string | undefined {
  const inBatch = ticket.dependencies.filter((dependencyId) => runs.has(dependencyId));
  const last = inBatch.at(-1);
  return last === undefined ? undefined : branchNameFor(branchPrefix, last);
}

/** When the agent's C2 report is unreadable, the work is kept and described from the diff instead. */
/**
 * A ticket taken again in a later batch (it failed or timed out) may find its worktree as the
 * earlier run left it; its read-only C0 would then fail on files it never touched. Those files
 * go to a git stash named after the ticket and batch — kept, not lost — and the log says where.
 */
async function setAsideWhatAnEarlierRunLeft(dependencies: PipelineDependencies, batchId: string, ticketId: string, worktreePath: string, log: TicketLog): Promise<void> {
  const { workspace, clock } = dependencies;
  const files = await workspace.uncommittedChanges(worktreePath);
  if (files.length === 0) return;
  const stash = await workspace.setAsideUncommittedChanges(worktreePath, `nightshift: left in the worktree of ${ticketId} before batch ${batchId}`);
  if (stash !== undefined) log.write({ type: 'set-aside', stash, files, at: clock.now().toISOString() });
}

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

function addUsage(total: Required<AgentUsage>, more: AgentUsage): void {
  total.inputTokens += more.inputTokens;
  total.outputTokens += more.outputTokens;
  total.costUsd += more.costUsd ?? 0;
}
