import type { AgentStageOutcome, AgentStageRequest, AgentStageResult } from '../../ports/agent.js';
import { decideAfterModelFailure, type ModelCallFailure } from './model-failure-policy.js';
import { startModelRelay } from './model-relay.js';
import { sandboxForStage, type AgentSandbox } from './agent-sandbox.js';
import type { AgentProcessOutcome } from './run-agent-process.js';
import { runAgentProcessWithDescendants } from './run-agent-process-with-descendants.js';

export interface RelayedCliStageInput {
  /** The CLI's name, for messages (`opencode`). */
  commandName: string;
  binaryPath: string;
  /** The provider's base URL; the CLI is given the relay's instead. */
  upstreamBaseUrl: string;
  /** Sent to the provider by the relay; the CLI only ever sees a placeholder. */
  apiKey?: string;
  /** Failed model calls the CLI may retry before the stage ends (see {@link decideAfterModelFailure}). */
  maxRetries: number;
  request: AgentStageRequest;
  killGraceMilliseconds?: number;
  /** The OS sandbox around the CLI; none when absent. */
  sandbox?: AgentSandbox;
  now(): Date;
  /** Writes the CLI's private config for this run and returns its command line and environment. */
  prepare(relayBaseUrl: string): Promise<{ arguments: string[]; environment: Record<string, string> }>;
  onStdout(text: string): void;
}

export interface RelayedCliRun {
  process: AgentProcessOutcome;
  /** Set when the run was ended on a failed model call, and why. */
  stoppedBy?: { outcome: 'rate-limited' | 'failed'; failure: ModelCallFailure };
  failures: ModelCallFailure[];
}

/**
 * Runs one stage of an OpenAI-compatible CLI (OpenCode, Qwen Code, pi) behind a model relay:
 * in its own process group, stdin closed, in the worktree, with the process groups its
 * commands start in ended with it (OpenCode detaches every shell command); ended as soon as a
 * failed model call exhausts the retry budget or announces a long rate limit, instead of when
 * the CLI's own retries give up (minutes or hours later).
 */
export async function runRelayedCliStage(input: RelayedCliStageInput): Promise<RelayedCliRun> {
  const stop = new AbortController();
  let stoppedBy: RelayedCliRun['stoppedBy'];
  let relay: Awaited<ReturnType<typeof startModelRelay>>;
  try {
    relay = await startModelRelay({
      upstreamBaseUrl: input.upstreamBaseUrl,
      ...(input.apiKey === undefined ? {} : { apiKey: input.apiKey }),
      now: input.now,
      onFailure: (failure) => {
        if (stoppedBy !== undefined) return;
        const decision = decideAfterModelFailure(failure, relay.failures.length, input.maxRetries);
        if (decision.kind === 'stop') {
          stoppedBy = { outcome: decision.outcome, failure };
          stop.abort();
        }
      },
    });
  } catch (error) {
    return { process: { exitCode: null, signal: null, timedOut: false, stderrTail: '', startError: (error as Error).message }, failures: [] };
  }
  try {
    const { arguments: commandLine, environment } = await input.prepare(relay.baseUrl);
    const signal = input.request.signal === undefined ? stop.signal : AbortSignal.any([stop.signal, input.request.signal]);
    const process = await runAgentProcessWithDescendants({
      executable: input.binaryPath,
      arguments: commandLine,
      workingDirectory: input.request.worktreePath,
      environment,
      timeoutMilliseconds: input.request.timeoutMilliseconds,
      ...(input.killGraceMilliseconds === undefined ? {} : { killGraceMilliseconds: input.killGraceMilliseconds }),
      onStdout: input.onStdout,
      ...sandboxForStage(input.sandbox, input.request),
      signal,
      ...(input.request.onProcessStart === undefined ? {} : { onStart: input.request.onProcessStart }),
    });
    return { process, failures: [...relay.failures], ...(stoppedBy === undefined ? {} : { stoppedBy }) };
  } finally {
    await relay.close();
  }
}

type CommonResult = Pick<AgentStageResult, 'outcome' | 'errorMessage' | 'rateLimit'> & { outcome: AgentStageOutcome };

/**
 * The outcomes every relayed CLI shares, in order of precedence: ended on a failed model call,
 * cancelled by Nightshift, timed out, could not start. Undefined when the CLI ran to its own
 * end, and its own output decides.
 */
export function decideCommonOutcome(run: RelayedCliRun, commandName: string, binaryPath: string, timeoutMilliseconds: number): CommonResult | undefined {
  if (run.stoppedBy !== undefined) {
    const { outcome, failure } = run.stoppedBy;
    const status = failure.status === undefined ? 'no answer' : `HTTP ${failure.status}`;
    const errorMessage = `${commandName}: the model call failed (${status}): ${failure.message}`;
    if (outcome === 'failed') return { outcome, errorMessage };
    const rateLimit = {
      ...(failure.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: failure.retryAfterSeconds }),
      ...(failure.resetAt === undefined ? {} : { resetAt: failure.resetAt }),
    };
    return { outcome, errorMessage, rateLimit };
  }
  if (run.process.cancelled === true) return { outcome: 'cancelled', errorMessage: `${commandName} was stopped by Nightshift` };
  if (run.process.timedOut) {
    return { outcome: 'timed-out', errorMessage: `${commandName} did not finish within ${timeoutMilliseconds} ms; its process group was ended` };
  }
  if (run.process.startError !== undefined) return { outcome: 'failed', errorMessage: `cannot start ${binaryPath}: ${run.process.startError}` };
  return undefined;
}

/** What to say when a CLI failed without a message of its own: the last failed model call, stderr, or how it exited. */
export function describeSilentFailure(run: RelayedCliRun, commandName: string): string {
  const lastFailure = run.failures.at(-1);
  if (lastFailure !== undefined) return `${commandName}: the model call failed (${lastFailure.status === undefined ? 'no answer' : `HTTP ${lastFailure.status}`}): ${lastFailure.message}`;
  const stderr = run.process.stderrTail.trim().split('\n').slice(-10).join('\n');
  if (stderr !== '') return stderr;
  return `${commandName} exited with ${run.process.signal === null ? `code ${String(run.process.exitCode)}` : `signal ${run.process.signal}`} without a result`;
}
