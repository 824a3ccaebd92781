import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { buildAgentEnvironment } from '../../../domain/agent-environment.js';
import type { Agent, AgentAvailability, AgentCapabilities, AgentEvent, AgentStageRequest, AgentStageResult } from '../../../ports/agent.js';
import type { Clock } from '../../../ports/clock.js';
import { runAgentProcess, type AgentProcessOutcome } from '../../shared/run-agent-process.js';
import { buildClaudeArguments } from './claude-code-arguments.js';
import { ClaudeStreamReader, parseRateLimitText, type ClaudeRunState } from './claude-stream-reader.js';
import { findExecutable } from '../../shared/find-executable.js';
import { sandboxForStage, type AgentSandbox } from '../../shared/agent-sandbox.js';

/** Everything the Claude Code adapter is configured with; nothing is read from the process. */
export interface ClaudeCodeAgentSettings {
  /** The configured agent name; `claude-code` unless told. */
  name?: string;
  /** Path or bare name of the CLI; `claude` (PATH, then `<workingDirectory>/node_modules/.bin`) unless told. */
  binary?: string;
  model?: string;
  /** Passed as `ANTHROPIC_BASE_URL`, e.g. the scripted model server. */
  baseUrl?: string;
  /** Passed as `ANTHROPIC_API_KEY`: the only secret the agent receives. */
  apiKey?: string;
  extraArguments?: string[];
  /** Variable names beyond the built-in allow-list that the agent may see. */
  environmentAllowList?: string[];
  /** Nightshift's own environment, filtered through the allow-list before the agent sees it. */
  parentEnvironment: Record<string, string | undefined>;
  /** Where a relative binary and `node_modules/.bin` are looked up; the process's cwd unless told. */
  workingDirectory?: string;
  /**
   * `CLAUDE_CODE_MAX_RETRIES`; 2 unless told. Claude Code otherwise retries 10 times, waiting
   * `retry-after` each time (a 429 announcing more than about a minute is not retried at all),
   * so a short limit costs at most two waits and a long one pauses the batch at once.
   */
  maxRetries?: number;
  killGraceMilliseconds?: number;
  /** The OS sandbox around each stage's process (bubblewrap), decided by the runtime from agent.sandbox; none when absent. */
  sandbox?: AgentSandbox;
  clock?: Pick<Clock, 'now'>;
}

const SYSTEM_CLOCK: Pick<Clock, 'now'> = { now: () => new Date() };

/**
 * Drives Claude Code headless (`claude -p … --output-format stream-json`) for one stage:
 * read-only tools at C0/C1, edits and a shell inside the worktree at C2, a private HOME and
 * config directory, an allow-listed environment, and its own process group for timeouts.
 */
export class ClaudeCodeAgent implements Agent {
  readonly name: string;
  readonly capabilities: AgentCapabilities = { resumeSession: true, readOnlyMode: true, structuredOutput: false, reportsCost: true };
  private readonly clock: Pick<Clock, 'now'>;
  private readonly workingDirectory: string;

  constructor(private readonly settings: ClaudeCodeAgentSettings) {
    this.name = settings.name ?? 'claude-code';
    this.clock = settings.clock ?? SYSTEM_CLOCK;
    this.workingDirectory = settings.workingDirectory ?? process.cwd();
  }

  async checkAvailable(): Promise<AgentAvailability> {
    const binary = this.findBinary();
    if (!binary.ok) return { ok: false, problem: binary.problem };
    let output = '';
    const outcome = await runAgentProcess({
      executable: binary.path,
      arguments: ['--version'],
      workingDirectory: this.workingDirectory,
      environment: buildAgentEnvironment(this.settings.parentEnvironment, this.settings.environmentAllowList ?? [], {}),
      timeoutMilliseconds: 30_000,
      onStdout: (text) => (output += text),
    });
    const version = output.trim().split('\n')[0] ?? '';
    if (outcome.startError !== undefined || outcome.exitCode !== 0 || version === '') {
      return { ok: false, problem: `${binary.path} --version failed: ${outcome.startError ?? (outcome.stderrTail.trim() || `exit code ${String(outcome.exitCode)}`)}` };
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
      if (result.outcome === 'rate-limited') {
        emit({ type: 'rate-limit', at: at(), ...result.rateLimit, message: result.errorMessage ?? 'rate limited' });
      }
      emit({ type: 'agent-end', at: at(), outcome: result.outcome, ...(result.errorMessage === undefined ? {} : { errorMessage: result.errorMessage }) });
      return result;
    };
    const failed = (errorMessage: string): AgentStageResult => finish({ outcome: 'failed', finalText: '', usage: { inputTokens: 0, outputTokens: 0 }, errorMessage });

    const binary = this.findBinary();
    if (!binary.ok) return failed(binary.problem);
    if (!existsSync(request.worktreePath)) return failed(`the worktree ${request.worktreePath} does not exist`);
    const home = join(request.privateDirectory, 'home');
    const configDirectory = join(request.privateDirectory, 'claude-config');
    const temporaryDirectory = join(request.privateDirectory, 'tmp');
    await Promise.all([home, configDirectory, temporaryDirectory].map((directory) => mkdir(directory, { recursive: true })));

    const reader = new ClaudeStreamReader(this.name, emit, () => this.clock.now());
    const outcome = await runAgentProcess({
      executable: binary.path,
      arguments: buildClaudeArguments({
        prompt: request.prompt,
        access: request.access,
        extraArguments: this.settings.extraArguments ?? [],
        ...(this.settings.model === undefined ? {} : { model: this.settings.model }),
        ...(request.resumeSessionId === undefined ? {} : { resumeSessionId: request.resumeSessionId }),
      }),
      workingDirectory: request.worktreePath,
      environment: this.buildEnvironment(home, configDirectory, temporaryDirectory),
      timeoutMilliseconds: request.timeoutMilliseconds,
      ...(this.settings.killGraceMilliseconds === undefined ? {} : { killGraceMilliseconds: this.settings.killGraceMilliseconds }),
      onStdout: (text) => reader.push(text),
      ...sandboxForStage(this.settings.sandbox, request),
      ...(request.signal === undefined ? {} : { signal: request.signal }),
      ...(request.onProcessStart === undefined ? {} : { onStart: request.onProcessStart }),
    });
    reader.end();
    return finish(decideStageResult(reader.state, outcome, binary.path, request.timeoutMilliseconds));
  }

  private buildEnvironment(home: string, configDirectory: string, temporaryDirectory: string): Record<string, string> {
    const overrides: Record<string, string> = {
      HOME: home,
      CLAUDE_CONFIG_DIR: configDirectory,
      TMPDIR: temporaryDirectory,
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_AUTOUPDATER: '1',
      DISABLE_TELEMETRY: '1',
      DISABLE_ERROR_REPORTING: '1',
      CLAUDE_CODE_MAX_RETRIES: String(this.settings.maxRetries ?? 2),
    };
    if (this.settings.baseUrl !== undefined) overrides.ANTHROPIC_BASE_URL = this.settings.baseUrl;
    if (this.settings.apiKey !== undefined) overrides.ANTHROPIC_API_KEY = this.settings.apiKey;
    return buildAgentEnvironment(this.settings.parentEnvironment, this.settings.environmentAllowList ?? [], overrides);
  }

  private findBinary(): { ok: true; path: string } | { ok: false; problem: string } {
    const binary = this.settings.binary ?? 'claude';
    const search = findExecutable(binary, this.settings.parentEnvironment.PATH, this.workingDirectory);
    if (search.found) return { ok: true, path: search.path };
    const where = binary.includes('/') ? (search.searched[0] ?? binary) : `PATH or ${join(this.workingDirectory, 'node_modules', '.bin', binary)}`;
    return { ok: false, problem: `claude not found at ${where} — install @anthropic-ai/claude-code or set agent.binary` };
  }
}

/** Decides the stage's outcome from what the stream said and how the process ended. */
export function decideStageResult(state: ClaudeRunState, process: AgentProcessOutcome, binaryPath: string, timeoutMilliseconds: number): AgentStageResult {
  const result = state.result;
  const base = {
    finalText: result !== undefined && !result.isError ? result.text || state.lastAssistantText : state.lastAssistantText,
    usage: result?.usage ?? { inputTokens: 0, outputTokens: 0 },
    exitCode: process.exitCode,
    ...(state.sessionId === undefined ? {} : { sessionId: state.sessionId }),
  };
  if (process.cancelled === true) return { ...base, outcome: 'cancelled', errorMessage: 'claude was stopped by Nightshift' };
  if (process.timedOut) {
    return { ...base, outcome: 'timed-out', errorMessage: `claude did not finish within ${timeoutMilliseconds} ms; its process group was ended` };
  }
  if (process.startError !== undefined) return { ...base, outcome: 'failed', errorMessage: `cannot start ${binaryPath}: ${process.startError}` };
  if (result !== undefined && !result.isError) return { ...base, outcome: 'completed' };
  if (result !== undefined && (result.apiErrorStatus === 429 || result.apiErrorType === 'rate_limit_error' || /usage limit reached/i.test(result.text))) {
    const fromText = parseRateLimitText(result.text);
    const retryAfterSeconds = fromText.retryAfterSeconds ?? state.retryAfter429Seconds;
    const resetAt = fromText.resetAt ?? state.rateLimitResetAt;
    return {
      ...base,
      outcome: 'rate-limited',
      errorMessage: result.text,
      rateLimit: { ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }), ...(resetAt === undefined ? {} : { resetAt }) },
    };
  }
  const detail =
    result?.text ||
    lastLines(process.stderrTail) ||
    state.unparsedLines.slice(-3).join('\n') ||
    `claude exited with ${process.signal === null ? `code ${String(process.exitCode)}` : `signal ${process.signal}`} without a result`;
  return { ...base, outcome: 'failed', errorMessage: detail };
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-10).join('\n');
}
