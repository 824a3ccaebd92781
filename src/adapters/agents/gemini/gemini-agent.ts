import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildAgentEnvironment } from '../../../domain/agent-environment.js';
import type { Agent, AgentAvailability, AgentCapabilities, AgentEvent, AgentStageRequest, AgentStageResult } from '../../../ports/agent.js';
import type { Clock } from '../../../ports/clock.js';
import { runAgentProcess, type AgentProcessOutcome } from '../../shared/run-agent-process.js';
import { findExecutable } from '../../shared/find-executable.js';
import { buildGeminiArguments, buildGeminiPolicy, buildGeminiSettings, DEFAULT_GEMINI_MODEL } from './gemini-arguments.js';
import { GeminiStreamReader, readGeminiRateLimit, type GeminiRunState } from './gemini-stream-reader.js';
import { runAgentProcessWithDescendants } from '../../shared/run-agent-process-with-descendants.js';
import { sandboxForStage, type AgentSandbox } from '../../shared/agent-sandbox.js';

/** Everything the Gemini CLI adapter is configured with; nothing is read from the process. */
export interface GeminiAgentSettings {
  /** The configured agent name; `gemini` unless told. */
  name?: string;
  /** Path or bare name of the CLI; `gemini` (PATH, then `<workingDirectory>/node_modules/.bin`) unless told. */
  binary?: string;
  /** Always passed with `-m`; {@link DEFAULT_GEMINI_MODEL} unless told. */
  model?: string;
  /** Passed as `GOOGLE_GEMINI_BASE_URL`, e.g. the scripted model server. */
  baseUrl?: string;
  /** Passed as `GEMINI_API_KEY`: the only secret the agent receives. */
  apiKey?: string;
  extraArguments?: string[];
  /** Variable names beyond the built-in allow-list that the agent may see. */
  environmentAllowList?: string[];
  /** Nightshift's own environment, filtered through the allow-list before the agent sees it. */
  parentEnvironment: Record<string, string | undefined>;
  /** Where a relative binary and `node_modules/.bin` are looked up; the process's cwd unless told. */
  workingDirectory?: string;
  /**
   * Retries of a failed model request (`general.maxAttempts` is this plus one, at most 10); 2
   * unless told. The CLI otherwise tries 10 times with backoff up to 30 s — minutes on a 500.
   * A 429 whose RetryInfo names more than 5 minutes is never retried by the CLI.
   */
  maxRetries?: number;
  killGraceMilliseconds?: number;
  /** The OS sandbox around each stage's process (bubblewrap), decided by the runtime from agent.sandbox; none when absent. */
  sandbox?: AgentSandbox;
  clock?: Pick<Clock, 'now'>;
}

const SYSTEM_CLOCK: Pick<Clock, 'now'> = { now: () => new Date() };

/**
 * Drives the Gemini CLI headless (`gemini --prompt … --output-format stream-json -m <model>`)
 * for one stage: reading tools only at C0/C1 and file tools plus a shell at C2, both decided by
 * a policy file at the user tier; an untrusted workspace (so a repository's `.gemini/` settings,
 * hooks and MCP servers are ignored); a private HOME holding the CLI's settings, sessions and
 * temporary files; an allow-listed environment; and its own process group, plus the groups the
 * CLI puts its shell commands in, for timeouts and cancellation.
 */
export class GeminiAgent implements Agent {
  readonly name: string;
  /** No cost (the CLI reports tokens only) and no structured output (no schema flag headless). */
  readonly capabilities: AgentCapabilities = { resumeSession: true, readOnlyMode: true, structuredOutput: false, reportsCost: false };
  private readonly clock: Pick<Clock, 'now'>;
  private readonly workingDirectory: string;

  constructor(private readonly settings: GeminiAgentSettings) {
    this.name = settings.name ?? 'gemini';
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
      environment: buildAgentEnvironment(this.settings.parentEnvironment, this.settings.environmentAllowList ?? [], { GEMINI_CLI_NO_RELAUNCH: 'true' }),
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
      if (result.outcome === 'rate-limited') emit({ type: 'rate-limit', at: at(), ...result.rateLimit, message: result.errorMessage ?? 'rate limited' });
      emit({ type: 'agent-end', at: at(), outcome: result.outcome, ...(result.errorMessage === undefined ? {} : { errorMessage: result.errorMessage }) });
      return result;
    };
    const failed = (errorMessage: string): AgentStageResult => finish({ outcome: 'failed', finalText: '', usage: { inputTokens: 0, outputTokens: 0 }, errorMessage });

    const binary = this.findBinary();
    if (!binary.ok) return failed(binary.problem);
    if (!existsSync(request.worktreePath)) return failed(`the worktree ${request.worktreePath} does not exist`);
    const home = join(request.privateDirectory, 'home');
    const temporaryDirectory = join(request.privateDirectory, 'tmp');
    const policyPath = join(request.privateDirectory, 'gemini-policy.toml');
    await Promise.all([join(home, '.gemini'), temporaryDirectory].map((directory) => mkdir(directory, { recursive: true })));
    await writeFile(join(home, '.gemini', 'settings.json'), `${JSON.stringify(buildGeminiSettings({ maxAttempts: (this.settings.maxRetries ?? 2) + 1 }), null, 2)}\n`);
    await writeFile(policyPath, buildGeminiPolicy(request.access));

    const reader = new GeminiStreamReader(this.name, emit, () => this.clock.now());
    const outcome = await runAgentProcessWithDescendants({
      executable: binary.path,
      arguments: buildGeminiArguments({
        prompt: request.prompt,
        model: this.settings.model ?? DEFAULT_GEMINI_MODEL,
        policyPath,
        extraArguments: this.settings.extraArguments ?? [],
        ...(request.resumeSessionId === undefined ? {} : { resumeSessionId: request.resumeSessionId }),
      }),
      workingDirectory: request.worktreePath,
      environment: this.buildEnvironment(home, temporaryDirectory),
      timeoutMilliseconds: request.timeoutMilliseconds,
      ...(this.settings.killGraceMilliseconds === undefined ? {} : { killGraceMilliseconds: this.settings.killGraceMilliseconds }),
      onStdout: (text) => reader.push(text),
      ...sandboxForStage(this.settings.sandbox, request),
      ...(request.signal === undefined ? {} : { signal: request.signal }),
      ...(request.onProcessStart === undefined ? {} : { onStart: request.onProcessStart }),
    });
    reader.end();
    return finish(decideGeminiStageResult(reader.state, outcome, binary.path, request.timeoutMilliseconds));
  }

  private buildEnvironment(home: string, temporaryDirectory: string): Record<string, string> {
    const overrides: Record<string, string> = {
      HOME: home,
      GEMINI_CLI_HOME: home,
      TMPDIR: temporaryDirectory,
      // Untrusted: the CLI ignores the repository's .gemini/settings.json, hooks and MCP servers.
      GEMINI_CLI_TRUST_WORKSPACE: 'false',
      // One process instead of a launcher relaunching itself with a larger heap.
      GEMINI_CLI_NO_RELAUNCH: 'true',
      NO_BROWSER: 'true',
    };
    if (this.settings.baseUrl !== undefined) overrides.GOOGLE_GEMINI_BASE_URL = this.settings.baseUrl;
    if (this.settings.apiKey !== undefined) overrides.GEMINI_API_KEY = this.settings.apiKey;
    return buildAgentEnvironment(this.settings.parentEnvironment, this.settings.environmentAllowList ?? [], overrides);
  }

  private findBinary(): { ok: true; path: string } | { ok: false; problem: string } {
    const binary = this.settings.binary ?? 'gemini';
    const search = findExecutable(binary, this.settings.parentEnvironment.PATH, this.workingDirectory);
    if (search.found) return { ok: true, path: search.path };
    const where = binary.includes('/') ? (search.searched[0] ?? binary) : `PATH or ${join(this.workingDirectory, 'node_modules', '.bin', binary)}`;
    return { ok: false, problem: `gemini not found at ${where} — install @google/gemini-cli or set agent.binary` };
  }
}

/** Decides the stage's outcome from what the stream said and how the process ended. */
export function decideGeminiStageResult(state: GeminiRunState, process: AgentProcessOutcome, binaryPath: string, timeoutMilliseconds: number): AgentStageResult {
  const result = state.result;
  const base = {
    finalText: state.lastAssistantText,
    usage: result?.usage ?? { inputTokens: 0, outputTokens: 0 },
    exitCode: process.exitCode,
    ...(state.sessionId === undefined ? {} : { sessionId: state.sessionId }),
  };
  if (process.cancelled === true) return { ...base, outcome: 'cancelled', errorMessage: 'gemini was stopped by Nightshift' };
  if (process.timedOut) {
    return { ...base, outcome: 'timed-out', errorMessage: `gemini did not finish within ${timeoutMilliseconds} ms; its process group and its commands' groups were ended` };
  }
  if (process.startError !== undefined) return { ...base, outcome: 'failed', errorMessage: `cannot start ${binaryPath}: ${process.startError}` };
  if (result !== undefined && !result.isError && process.exitCode === 0) return { ...base, outcome: 'completed' };
  const detail =
    result?.errorMessage ??
    state.errorMessages.at(-1) ??
    (lastLines(process.stderrTail) ||
      state.unparsedLines.slice(-3).join('\n') ||
      `gemini exited with ${process.signal === null ? `code ${String(process.exitCode)}` : `signal ${process.signal}`} without a result`);
  const rateLimit = readGeminiRateLimit(detail);
  if (rateLimit.rateLimited) {
    return {
      ...base,
      outcome: 'rate-limited',
      errorMessage: detail,
      rateLimit: rateLimit.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: rateLimit.retryAfterSeconds },
    };
  }
  return { ...base, outcome: 'failed', errorMessage: detail };
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-10).join('\n');
}
