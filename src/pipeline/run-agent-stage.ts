import type { z } from 'zod';
import { parseStageOutput } from '../domain/stage-output.js';
import { stageMayEdit, type Stage } from '../domain/stage.js';
import type { Ticket } from '../domain/ticket.js';
import type { Agent, AgentStageResult, AgentUsage } from '../ports/agent.js';
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
  now: () => Date;
  resumeSessionId?: string;
}

export type AgentStageOutcome<T> =
  | { kind: 'completed'; output: T; attempts: number; usage: AgentUsage; sessionId?: string; rawText: string }
  | { kind: 'invalid-answer'; problem: string; attempts: number; usage: AgentUsage; rawText: string }
  | { kind: 'failed'; reason: string; attempts: number; usage: AgentUsage }
  | { kind: 'timed-out'; reason: string; attempts: number; usage: AgentUsage }
  | { kind: 'rate-limited'; reason: string; retryAfterSeconds?: number; resetAt?: string; attempts: number; usage: AgentUsage };

/** Attempts per stage when the agent's answer does not validate: one retry, with the problem in the prompt. */
export const MAX_ANSWER_ATTEMPTS = 2;

/**
 * Runs one checkpoint with the agent and validates its JSON answer against the
 * stage's schema; an invalid answer is retried once with the validation error.
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
    const remaining = context.deadline.getTime() - context.now().getTime();
    if (remaining <= 0) return { kind: 'timed-out', reason: `the ticket's time ran out before ${stage}`, attempts: attempt - 1, usage };
    const prompt = buildStagePrompt({
      ...promptContent,
      ticket: context.ticket,
      stage,
      attempt,
      worktreePath: context.worktreePath,
      ...(previousAnswerProblem === undefined ? {} : { previousAnswerProblem }),
    });
    context.log.write({ type: 'stage-start', stage, attempt, at: context.now().toISOString() });
    const result: AgentStageResult = await context.agent.runStage(
      {
        batchId: context.batchId,
        ticketId: context.ticket.id,
        stage,
        attempt,
        prompt,
        worktreePath: context.worktreePath,
        privateDirectory: context.privateDirectory,
        access: stageMayEdit(stage) ? 'edit-worktree' : 'read-only',
        timeoutMilliseconds: remaining,
        ...(sessionId === undefined ? {} : { resumeSessionId: sessionId }),
      },
      (event) => context.log.write({ stage, attempt, ...event }),
    );
    addUsage(usage, result.usage);
    if (result.sessionId !== undefined) sessionId = result.sessionId;
    context.log.write({ type: 'stage-end', stage, attempt, outcome: result.outcome, at: context.now().toISOString() });
    if (result.outcome === 'timed-out') {
      return { kind: 'timed-out', reason: `the agent ran past the ticket's time limit at ${stage}`, attempts: attempt, usage };
    }
    if (result.outcome === 'rate-limited') {
      return {
        kind: 'rate-limited',
        reason: result.errorMessage ?? 'the model provider answered with a rate limit',
        ...(result.rateLimit?.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: result.rateLimit.retryAfterSeconds }),
        ...(result.rateLimit?.resetAt === undefined ? {} : { resetAt: result.rateLimit.resetAt }),
        attempts: attempt,
        usage,
      };
    }
    if (result.outcome === 'failed') {
      return { kind: 'failed', reason: `the agent failed at ${stage}: ${result.errorMessage ?? 'no reason given'}`, attempts: attempt, usage };
    }
    const parsed = parseStageOutput(result.finalText, schema);
    if (parsed.ok) {
      return { kind: 'completed', output: parsed.value, attempts: attempt, usage, rawText: result.finalText, ...(sessionId === undefined ? {} : { sessionId }) };
    }
    context.log.write({ type: 'answer-rejected', stage, attempt, problem: parsed.error, at: context.now().toISOString() });
    previousAnswerProblem = parsed.error;
    if (attempt === MAX_ANSWER_ATTEMPTS) {
      return { kind: 'invalid-answer', problem: parsed.error, attempts: attempt, usage, rawText: result.finalText };
    }
  }
  throw new Error('unreachable: the attempt loop always returns');
}

function addUsage(total: AgentUsage, more: AgentUsage): void {
  total.inputTokens += more.inputTokens;
  total.outputTokens += more.outputTokens;
  if (more.costUsd !== undefined) total.costUsd = (total.costUsd ?? 0) + more.costUsd;
}
