import type { z } from 'zod';
import { parseStageOutput } from '../domain/stage-output.js';
import { stageMayEdit, type Stage } from '../domain/stage.js';
import type { Ticket } from '../domain/ticket.js';
import type { Agent, AgentStageResult, AgentUsage } from '../ports/agent.js';
import type { Clock } from '../ports/clock.js';
import type { BatchControl } from './batch-control.js';
import { buildStagePrompt, type StagePromptInput } from './stage-prompt.js';
import type { TicketLog } from './ticket-log.js';

/** What one stage of one ticket needs beyond the prompt content. */
export interface AgentStageContext {
  agent: Agent;
  batchId: string;
  ticket: Ticket;
  worktreePath: string;
  privateDirectory: string;
  log: TicketLog;
  /** When the ticket's time runs out (the seed's `timeout_per_ticket`). */
  deadline: Date;
  clock: Clock;
  control: BatchControl;
  stallTimeoutMilliseconds: number;
  /** Tries for transient failures (the agent crashed or stalled, the model was unreachable). */
  maxAttemptsPerStage: number;
  /** Told the agent's process id while it runs, and when it has ended, for orphan cleanup. */
  onProcessStart?: (processId: number) => void;
  onProcessEnd?: (processId: number) => void;
  /** Told the agent's session id as soon as it starts, so an interrupted stage can resume it. */
  onSessionStart?: (stage: Stage, sessionId: string) => void;
  resumeSessionId?: string;
}

export type AgentStageOutcome<T> =
  /** `agentName`: who answered and with which model, from its `agent-start` event — after a failover, not the configured primary. */
  | { kind: 'completed'; output: T; attempts: number; usage: AgentUsage; sessionId?: string; rawText: string; agentName?: string }
  | { kind: 'invalid-answer'; problem: string; attempts: number; usage: AgentUsage; rawText: string }
  | { kind: 'failed'; reason: string; attempts: number; usage: AgentUsage }
  | { kind: 'timed-out'; reason: string; attempts: number; usage: AgentUsage }
  | { kind: 'rate-limited'; reason: string; retryAfterSeconds?: number; resetAt?: string; attempts: number; usage: AgentUsage }
  | { kind: 'stopped'; reason: string; attempts: number; usage: AgentUsage };

/** Attempts per stage when the agent's answer does not validate: one retry, with the problem in the prompt. */
export const MAX_ANSWER_ATTEMPTS = 2;

/** Backoff before the n-th retry of a transient failure: min(10 s · 2^(n−1), 5 min). */
export function retryBackoffMilliseconds(retry: number): number {
  return Math.min(10_000 * 2 ** (retry - 1), 5 * 60_000);
}

/**
 * Runs one checkpoint with the agent and validates its JSON answer against the
 * stage's schema. An invalid answer is retried once with the validation error; a
 * transient failure (crash, stall, unreachable model) is retried with backoff.
 */
export async function runAgentStage<T>(
  context: AgentStageContext,
  stage: Stage,
  schema: z.ZodType<T>,
  promptContent: Omit<StagePromptInput, 'ticket' | 'stage' | 'attempt' | 'worktreePath' | 'previousAnswerProblem'>,
): Promise<AgentStageOutcome<T>> {
  const usage: AgentUsage = { inputTokens: 0, outputTokens: 0 };
  let previousAnswerProblem: string | undefined;
  let sessionId = context.resumeSessionId;
  for (let attempt = 1; attempt <= MAX_ANSWER_ATTEMPTS; attempt += 1) {
    const prompt = buildStagePrompt({
      ...promptContent,
      ticket: context.ticket,
      stage,
      attempt,
      worktreePath: context.worktreePath,
      ...(previousAnswerProblem === undefined ? {} : { previousAnswerProblem }),
    });
    const run = await runWithTransientRetries(context, stage, attempt, prompt, sessionId, usage);
    if (run.kind !== 'result') return { ...run, attempts: attempt, usage };
    const result = run.result;
    if (result.sessionId !== undefined) sessionId = result.sessionId;
    const parsed = parseStageOutput(result.finalText, schema);
    if (parsed.ok) {
      return {
        kind: 'completed',
        output: parsed.value,
        attempts: attempt,
        usage,
        rawText: result.finalText,
        ...(sessionId === undefined ? {} : { sessionId }),
        ...(run.agentName === undefined ? {} : { agentName: run.agentName }),
      };
    }
    context.log.write({ type: 'answer-rejected', stage, attempt, problem: parsed.error, at: context.clock.now().toISOString() });
    previousAnswerProblem = parsed.error;
    if (attempt === MAX_ANSWER_ATTEMPTS) {
      return { kind: 'invalid-answer', problem: parsed.error, attempts: attempt, usage, rawText: result.finalText };
    }
  }
  throw new Error('unreachable: the attempt loop always returns');
}

type SingleRun =
  | { kind: 'result'; result: AgentStageResult; agentName?: string }
  | { kind: 'failed'; reason: string }
  | { kind: 'timed-out'; reason: string }
  | { kind: 'stopped'; reason: string }
  | { kind: 'rate-limited'; reason: string; retryAfterSeconds?: number; resetAt?: string };

async function runWithTransientRetries(
  context: AgentStageContext,
  stage: Stage,
  attempt: number,
  prompt: string,
  sessionId: string | undefined,
  usage: AgentUsage,
): Promise<SingleRun> {
  const failures: string[] = [];
  for (let tryNumber = 1; ; tryNumber += 1) {
    if ((await context.control.beforeStage()) === 'stop') return { kind: 'stopped', reason: context.control.abortedBecause ?? 'the batch was stopped' };
    const remaining = context.deadline.getTime() - context.clock.now().getTime();
    if (remaining <= 0) return { kind: 'timed-out', reason: `the ticket's time ran out before ${stage} could finish` };
    const { result, stalled, agentName } = await runOnce(context, stage, attempt, prompt, sessionId, remaining);
    addUsage(usage, result.usage);
    context.control.addUsage(result.usage);
    if (result.outcome === 'completed') return { kind: 'result', result, ...(agentName === undefined ? {} : { agentName }) };
    if (result.outcome === 'timed-out') return { kind: 'timed-out', reason: `the agent ran past the ticket's time limit at ${stage}` };
    if (result.outcome === 'rate-limited') {
      return {
        kind: 'rate-limited',
        reason: result.errorMessage ?? 'the model provider answered with a rate limit',
        ...(result.rateLimit?.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: result.rateLimit.retryAfterSeconds }),
        ...(result.rateLimit?.resetAt === undefined ? {} : { resetAt: result.rateLimit.resetAt }),
      };
    }
    if (result.outcome === 'cancelled' && !stalled) return { kind: 'stopped', reason: context.control.abortedBecause ?? 'the batch was stopped' };
    const reason = stalled
      ? `try ${tryNumber}: the agent printed nothing for ${Math.round(context.stallTimeoutMilliseconds / 1000)} s and was stopped`
      : `try ${tryNumber}: ${result.errorMessage ?? 'the agent failed without a reason'}`;
    failures.push(reason);
    context.log.write({ type: 'stage-retry', stage, attempt, reason, at: context.clock.now().toISOString() });
    if (tryNumber >= context.maxAttemptsPerStage) {
      return { kind: 'failed', reason: `the agent failed at ${stage} ${tryNumber} time(s): ${failures.join('; ')}` };
    }
    await context.clock.sleep(retryBackoffMilliseconds(tryNumber), context.control.signal);
  }
}

/** One agent process for one stage, stopped early when it stalls or the batch stops. */
async function runOnce(
  context: AgentStageContext,
  stage: Stage,
  attempt: number,
  prompt: string,
  sessionId: string | undefined,
  remainingMilliseconds: number,
): Promise<{ result: AgentStageResult; stalled: boolean; agentName?: string }> {
  const stop = new AbortController();
  const onBatchStop = () => stop.abort();
  context.control.signal.addEventListener('abort', onBatchStop, { once: true });
  let stalled = false;
  let stallTimer: NodeJS.Timeout | undefined;
  const armStallTimer = () => {
    clearTimeout(stallTimer);
    stallTimer = setTimeout(() => {
      stalled = true;
      stop.abort();
    }, context.stallTimeoutMilliseconds);
  };
  let processId: number | undefined;
  let agentName: string | undefined;
  context.log.write({ type: 'stage-start', stage, attempt, at: context.clock.now().toISOString() });
  armStallTimer();
  try {
    const result = await context.agent.runStage(
      {
        batchId: context.batchId,
        ticketId: context.ticket.id,
        stage,
        attempt,
        prompt,
        worktreePath: context.worktreePath,
        privateDirectory: context.privateDirectory,
        access: stageMayEdit(stage) ? 'edit-worktree' : 'read-only',
        timeoutMilliseconds: remainingMilliseconds,
        signal: stop.signal,
        onProcessStart: (started) => {
          processId = started;
          context.onProcessStart?.(started);
        },
        ...(sessionId === undefined ? {} : { resumeSessionId: sessionId }),
      },
      (event) => {
        armStallTimer();
        if (event.type === 'agent-start') agentName = event.model === undefined ? event.agent : `${event.agent} (model ${event.model})`;
        if (event.type === 'agent-start' && event.sessionId !== undefined) context.onSessionStart?.(stage, event.sessionId);
        context.log.write({ stage, attempt, ...event });
      },
    );
    context.log.write({ type: 'stage-end', stage, attempt, outcome: stalled ? 'stalled' : result.outcome, at: context.clock.now().toISOString() });
    return { result, stalled, ...(agentName === undefined ? {} : { agentName }) };
  } finally {
    clearTimeout(stallTimer);
    context.control.signal.removeEventListener('abort', onBatchStop);
    if (processId !== undefined) context.onProcessEnd?.(processId);
  }
}

function addUsage(total: AgentUsage, more: AgentUsage): void {
  total.inputTokens += more.inputTokens;
  total.outputTokens += more.outputTokens;
  if (more.costUsd !== undefined) total.costUsd = (total.costUsd ?? 0) + more.costUsd;
}
