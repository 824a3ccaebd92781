import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildAgentEnvironment } from '../../../domain/agent-environment.js';
import type { Agent, AgentAvailability, AgentCapabilities, AgentEvent, AgentStageRequest, AgentStageResult } from '../../../ports/agent.js';
import type { Clock } from '../../../ports/clock.js';
import { runAgentProcess, type AgentProcessOutcome } from '../../shared/run-agent-process.js';
import { sandboxForStage, type AgentSandbox } from '../../shared/agent-sandbox.js';
import { buildCodexArguments } from './codex-arguments.js';
import { buildCodexConfig, CODEX_API_KEY_VARIABLE } from './codex-config.js';
import { CodexEventReader, type CodexRunState } from './codex-event-reader.js';
import { CODEX_LOG_FILTER, readLoggedResponses, readRateLimitHint, withoutLoggedResponses } from './codex-http-log.js';

/** Everything the Codex adapter is configured with; nothing is read from the process. */
export interface CodexAgentSettings {
  /** The configured agent name; `codex` unless told. */
  name?: string;
  /** Path or bare name of the CLI (a bare name is looked up on PATH); `codex` unless told. */
  binary?: string;
  /**
   * A model slug the pinned Codex knows (an unknown one costs an `error` item and fallback
   * settings); Codex's own default unless told. {@link CODEX_SCRIPTED_MODEL} for the scripted model server.
   */
  model?: string;
  /** The Responses API server, e.g. the scripted model server; `/v1` is appended unless present. OpenAI's API unless told. */
  baseUrl?: string;
  /** The model API key: the only secret the agent receives, and Codex keeps it from the commands it runs. */
  apiKey?: string;
  extraArguments?: string[];
  /** Variable names beyond the built-in allow-list that the agent may see. */
  environmentAllowList?: string[];
  /** Nightshift's own environment, filtered through the allow-list before the agent sees it. */
  parentEnvironment: Record<string, string | undefined>;
  /** Where the binary runs for `--version`; the process's cwd unless told. */
  workingDirectory?: string;
  /** Codex's `request_max_retries` and `stream_max_retries`; 2 unless told (Nightshift retries stages itself). */
  maxRetries?: number;
  killGraceMilliseconds?: number;
  /** The OS sandbox around each stage's process (bubblewrap), decided by the runtime from agent.sandbox; none when absent. */
  sandbox?: AgentSandbox;
  clock?: Pick<Clock, 'now'>;
}

/**
 * A model slug Codex 0.169.0 knows whose tools are plain ones (`exec_command`, the freeform
 * `apply_patch`), which the scripted model server can play. Codex's default model of that
 * version runs in "code mode" (one JavaScript `exec` tool), which a script cannot drive.
 */
export const CODEX_SCRIPTED_MODEL = 'gpt-5.5';

const SYSTEM_CLOCK: Pick<Clock, 'now'> = { now: () => new Date() };

/**
 * Drives Codex headless (`codex exec --json`) for one stage: a private `CODEX_HOME` whose
 * config.toml names the model provider and the stage's sandbox (read-only at C0/C1,
 * workspace-write confined to the worktree at C2), no approvals, an allow-listed environment,
 * stdin closed, and its own process group for timeouts and cancellation. With `agent.sandbox`
 * on, Codex runs inside Nightshift's bubblewrap sandbox like every agent (which also hides what
 * it may not read, which Codex's own sandbox does not) and its own sandbox is turned off: a
 * second bubblewrap cannot start inside the first (see {@link buildCodexConfig}).
 */
export class CodexAgent implements Agent {
  readonly name: string;
  /**
   * Resume: `codex exec resume <thread id>` continues the stored thread (proven by the
   * contract). Read-only: Codex's sandbox refuses writes at C0/C1 (proven too). No cost: Codex
   * reports tokens only. No structured output through the port: `--output-schema` exists, but
   * a stage request carries no schema.
   */
  readonly capabilities: AgentCapabilities = { resumeSession: true, readOnlyMode: true, structuredOutput: false, reportsCost: false };
  private readonly clock: Pick<Clock, 'now'>;
  private readonly workingDirectory: string;
  private readonly binary: string;

  constructor(private readonly settings: CodexAgentSettings) {
    this.name = settings.name ?? 'codex';
    this.clock = settings.clock ?? SYSTEM_CLOCK;
    this.workingDirectory = settings.workingDirectory ?? process.cwd();
    this.binary = settings.binary ?? 'codex';
  }

  async checkAvailable(): Promise<AgentAvailability> {
    if (this.binary.includes('/') && !existsSync(this.binary)) return { ok: false, problem: this.missingBinaryProblem() };
    let output = '';
    const outcome = await runAgentProcess({
      executable: this.binary,
      arguments: ['--version'],
      workingDirectory: this.workingDirectory,
      environment: buildAgentEnvironment(this.settings.parentEnvironment, this.settings.environmentAllowList ?? [], {}),
      timeoutMilliseconds: 30_000,
      onStdout: (text) => (output += text),
    });
    if (outcome.startError !== undefined) return { ok: false, problem: this.missingBinaryProblem() };
    const version = /\d+\.\d+\.\d+\S*/.exec(output)?.[0];
    if (outcome.exitCode !== 0 || version === undefined) {
      return { ok: false, problem: `${this.binary} --version failed: ${outcome.stderrTail.trim() || `exit code ${String(outcome.exitCode)}`}` };
    }
    return { ok: true, version };
  }

  async runStage(request: AgentStageRequest, onEvent: (event: AgentEvent) => void): Promise<AgentStageResult> {
    const at = (): string => this.clock.now().toISOString();
    let started = false;
    const emit = (event: AgentEvent): void => {
      if (event.type === 'agent-start') started = true;
      onEvent(event);
    };
    const finish = (result: AgentStageResult): AgentStageResult => {
      if (!started) emit({ type: 'agent-start', at: at(), agent: this.name, ...(result.sessionId === undefined ? {} : { sessionId: result.sessionId }) });
      if (result.outcome === 'rate-limited') emit({ type: 'rate-limit', at: at(), ...result.rateLimit, message: result.errorMessage ?? 'rate limited' });
      emit({ type: 'agent-end', at: at(), outcome: result.outcome, ...(result.errorMessage === undefined ? {} : { errorMessage: result.errorMessage }) });
      return result;
    };
    const failed = (errorMessage: string): AgentStageResult => finish({ outcome: 'failed', finalText: '', usage: { inputTokens: 0, outputTokens: 0 }, errorMessage });

    if (this.binary.includes('/') && !existsSync(this.binary)) return failed(this.missingBinaryProblem());
    if (!existsSync(request.worktreePath)) return failed(`the worktree ${request.worktreePath} does not exist`);
    const home = join(request.privateDirectory, 'home');
    const codexHome = join(request.privateDirectory, 'codex-home');
    const temporaryDirectory = join(request.privateDirectory, 'tmp');
    await Promise.all([home, codexHome, temporaryDirectory].map((directory) => mkdir(directory, { recursive: true })));
    await writeFile(
      join(codexHome, 'config.toml'),
      buildCodexConfig({
        access: request.access,
        maxRetries: this.settings.maxRetries ?? 2,
        temporaryDirectory,
        confinedByNightshift: this.settings.sandbox?.kind === 'bubblewrap',
        ...(this.settings.model === undefined ? {} : { model: this.settings.model }),
        ...(this.settings.baseUrl === undefined ? {} : { baseUrl: this.settings.baseUrl }),
      }),
    );

    const reader = new CodexEventReader(this.name, this.settings.model, emit, () => this.clock.now());
    const outcome = await runAgentProcess({
      executable: this.binary,
      arguments: buildCodexArguments({
        prompt: request.prompt,
        extraArguments: this.settings.extraArguments ?? [],
        ...(request.resumeSessionId === undefined ? {} : { resumeSessionId: request.resumeSessionId }),
      }),
      workingDirectory: request.worktreePath,
      environment: buildAgentEnvironment(this.settings.parentEnvironment, this.settings.environmentAllowList ?? [], {
        HOME: home,
        CODEX_HOME: codexHome,
        TMPDIR: temporaryDirectory,
        RUST_LOG: CODEX_LOG_FILTER,
        ...(this.settings.apiKey === undefined ? {} : { [CODEX_API_KEY_VARIABLE]: this.settings.apiKey }),
      }),
      timeoutMilliseconds: request.timeoutMilliseconds,
      ...(this.settings.killGraceMilliseconds === undefined ? {} : { killGraceMilliseconds: this.settings.killGraceMilliseconds }),
      onStdout: (text) => reader.push(text),
      ...sandboxForStage(this.settings.sandbox, request),
      ...(request.signal === undefined ? {} : { signal: request.signal }),
      ...(request.onProcessStart === undefined ? {} : { onStart: request.onProcessStart }),
    });
    reader.end();
    return finish(decideCodexStageResult(reader.state, outcome, { binary: this.binary, timeoutMilliseconds: request.timeoutMilliseconds, now: this.clock.now() }));
  }

  private missingBinaryProblem(): string {
    return `codex not found at ${this.binary} — install @openai/codex or set agent.binary`;
  }
}

/** Decides the stage's outcome from what the events said, what Codex logged, and how the process ended. */
export function decideCodexStageResult(
  state: CodexRunState,
  process: AgentProcessOutcome,
  context: { binary: string; timeoutMilliseconds: number; now: Date },
): AgentStageResult {
  const base = {
    finalText: state.lastAgentMessage,
    usage: state.usage,
    exitCode: process.exitCode,
    ...(state.sessionId === undefined ? {} : { sessionId: state.sessionId }),
  };
  if (process.cancelled === true) return { ...base, outcome: 'cancelled', errorMessage: 'codex was stopped by Nightshift' };
  if (process.timedOut) return { ...base, outcome: 'timed-out', errorMessage: `codex did not finish within ${context.timeoutMilliseconds} ms; its process group was ended` };
  if (process.startError !== undefined) return { ...base, outcome: 'failed', errorMessage: `cannot start ${context.binary}: ${process.startError}` };
  if (state.turnCompleted && state.failure === undefined && process.exitCode === 0) return { ...base, outcome: 'completed' };

  const lastResponse = readLoggedResponses(process.stderrTail).at(-1);
  const failedResponse = lastResponse !== undefined && lastResponse.status >= 400 ? lastResponse : undefined;
  const message = state.failure ?? state.errors.at(-1) ?? '';
  if (failedResponse?.status === 429 || /\b429\b|rate limit|usage limit/i.test(message)) {
    return { ...base, outcome: 'rate-limited', errorMessage: message || 'the model answered HTTP 429', rateLimit: readRateLimitHint(failedResponse, message, context.now) };
  }
  const status = failedResponse === undefined || message.includes(String(failedResponse.status)) ? '' : ` (the model answered HTTP ${failedResponse.status} ${failedResponse.statusText})`;
  const detail =
    (message && `${message}${status}`) ||
    lastLines(withoutLoggedResponses(process.stderrTail)) ||
    state.unparsedLines.slice(-3).join('\n') ||
    `codex exited with ${process.signal === null ? `code ${String(process.exitCode)}` : `signal ${process.signal}`} without finishing its turn`;
  const warnings = state.warnings.length === 0 ? '' : `\nCodex also reported: ${state.warnings.join('; ')}`;
  return { ...base, outcome: 'failed', errorMessage: `${detail}${warnings}` };
}

function lastLines(text: string): string {
  return text
    .trim()
    .split('\n')
    .filter((line) => line.trim() !== '' && line.trim() !== 'Reading additional input from stdin...')
    .slice(-10)
    .join('\n');
}
