import type { AgentStageResult } from '../../../ports/agent.js';
import type { ModelCallFailure } from '../../shared/model-failure-policy.js';
import type { AgentProcessOutcome } from '../../shared/run-agent-process.js';
import type { AcpTurn } from './acp-turn.js';
import type { AcpTurnState } from './acp-update-reader.js';

/** Everything one ACP stage run left behind, for {@link decideAcpStageResult}. */
export interface AcpRunRecord {
  /** The agent's command name, for messages (`claude-agent-acp`). */
  commandName: string;
  executablePath: string;
  turn: AcpTurn;
  state: AcpTurnState;
  process: AgentProcessOutcome;
  /** Set when the model relay ended the run on a failed model call. */
  stoppedBy?: { outcome: 'rate-limited' | 'failed'; failure: ModelCallFailure };
  /** Every failed model call the relay saw, oldest first. */
  failures: readonly ModelCallFailure[];
  /** Why each refused permission request or file access was refused, in order. */
  refusals: readonly string[];
  timeoutMilliseconds: number;
  now: Date;
}

const RATE_LIMIT_WORDS = /\b429\b|rate[ _-]?limit|too many requests|usage limit/i;

/**
 * Decides the stage's outcome, in this order: ended by the model relay on a failed model call
 * (it ends the process through the abort signal), cancelled by Nightshift, timed out, could not
 * start; then the turn's own end — `end_turn` completes,
 * any other stop reason fails — or its error, which is `rate-limited` when it (or the last failed
 * model call) says 429. The reset is what the error text says ("retry after 3600 seconds"), else
 * what the response headers said: the text's wait is exact where Anthropic's reset headers are
 * rounded up to the second.
 */
export function decideAcpStageResult(run: AcpRunRecord): AgentStageResult {
  const name = run.commandName;
  const base = {
    finalText: run.state.lastMessage,
    usage: {
      // Without the turn's own counts, the context's size is the best lower bound there is.
      inputTokens: run.turn.usage?.inputTokens ?? run.state.contextTokens ?? 0,
      outputTokens: run.turn.usage?.outputTokens ?? 0,
      ...(run.state.costUsd === undefined ? {} : { costUsd: run.state.costUsd }),
    },
    exitCode: run.process.exitCode,
    ...(run.turn.sessionId === undefined ? {} : { sessionId: run.turn.sessionId }),
  };
  if (run.stoppedBy !== undefined) {
    const { outcome, failure } = run.stoppedBy;
    const errorMessage = `${name}: the model call failed (${failure.status === undefined ? 'no answer' : `HTTP ${failure.status}`}): ${failure.message}`;
    return outcome === 'failed' ? { ...base, outcome, errorMessage } : { ...base, outcome, errorMessage, rateLimit: { ...resetOf(failure), ...readRateLimitText(failure.message, run.now) } };
  }
  if (run.process.cancelled === true) return { ...base, outcome: 'cancelled', errorMessage: `${name} was stopped by Nightshift` };
  if (run.process.timedOut) return { ...base, outcome: 'timed-out', errorMessage: `${name} did not finish within ${run.timeoutMilliseconds} ms; its process group was ended` };
  if (run.process.startError !== undefined) return { ...base, outcome: 'failed', errorMessage: `cannot start ${run.executablePath}: ${run.process.startError}` };

  const failure = run.turn.failure;
  if (failure === undefined) {
    if (run.turn.stopReason === 'end_turn') return { ...base, outcome: 'completed' };
    const refused = run.refusals.at(-1);
    const reason = run.turn.stopReason === 'cancelled' ? 'ended its turn as cancelled' : `stopped its turn: ${run.turn.stopReason ?? 'no reason given'}`;
    return { ...base, outcome: 'failed', errorMessage: `${name} ${reason}${refused === undefined ? '' : ` after Nightshift refused a request (${refused})`}` };
  }

  const lastFailure = run.failures.at(-1);
  const connectionLost = /ACP connection closed/.test(failure.message);
  const message = connectionLost ? describeExit(name, failure.step, run.process) : `${name} failed (${failure.step}): ${failure.message}`;
  if (lastFailure?.status === 429 || RATE_LIMIT_WORDS.test(failure.message)) {
    const fromRelay = lastFailure?.status === 429 ? resetOf(lastFailure) : {};
    return { ...base, outcome: 'rate-limited', errorMessage: message, rateLimit: { ...fromRelay, ...readRateLimitText(failure.message, run.now) } };
  }
  const providerSaid = lastFailure === undefined || message.includes(lastFailure.message) ? '' : ` (the model answered ${lastFailure.status === undefined ? 'nothing' : `HTTP ${lastFailure.status}`}: ${lastFailure.message})`;
  const notices = run.state.errorNotices.length === 0 ? '' : `\n${name} also said: ${run.state.errorNotices.join('; ')}`;
  return { ...base, outcome: 'failed', errorMessage: `${message}${providerSaid}${notices}` };
}

/**
 * The reset an agent's error text announces: "retry after 3600 seconds", "try again in 20s",
 * and an ISO instant; a wait alone also gives the instant, counted from `now`.
 */
export function readRateLimitText(text: string, now: Date): { retryAfterSeconds?: number; resetAt?: string } {
  const after = /retry[- ]after:?\s+(\d+(?:\.\d+)?)\s*(?:s\b|sec|second)/i.exec(text);
  const tryAgain = /try again in\s*(\d+(?:\.\d+)?)\s*(ms|s|sec|seconds?|m|min|minutes?)\b/i.exec(text);
  let seconds: number | undefined;
  if (after !== null) seconds = Math.ceil(Number(after[1]));
  else if (tryAgain !== null) {
    const value = Number(tryAgain[1]);
    const unit = (tryAgain[2] ?? 's').toLowerCase();
    seconds = Math.ceil(unit === 'ms' ? value / 1000 : unit.startsWith('m') ? value * 60 : value);
  }
  const iso = /\b(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2}))/.exec(text)?.[1];
  const resetAt = iso !== undefined ? new Date(iso).toISOString() : seconds === undefined ? undefined : new Date(now.getTime() + seconds * 1000).toISOString();
  return { ...(seconds === undefined ? {} : { retryAfterSeconds: seconds }), ...(resetAt === undefined ? {} : { resetAt }) };
}

function resetOf(failure: ModelCallFailure): { retryAfterSeconds?: number; resetAt?: string } {
  return {
    ...(failure.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: failure.retryAfterSeconds }),
    ...(failure.resetAt === undefined ? {} : { resetAt: failure.resetAt }),
  };
}

function describeExit(name: string, step: string, process: AgentProcessOutcome): string {
  const how = process.signal === null ? `code ${String(process.exitCode)}` : `signal ${process.signal}`;
  const stderr = process.stderrTail.trim().split('\n').slice(-10).join('\n');
  return `${name} exited with ${how} during ${step}${stderr === '' ? '' : `: ${stderr}`}`;
}
