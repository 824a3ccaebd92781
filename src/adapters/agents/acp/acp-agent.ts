import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { buildAgentEnvironment } from '../../../domain/agent-environment.js';
import type { Agent, AgentAvailability, AgentCapabilities, AgentEvent, AgentStageRequest, AgentStageResult } from '../../../ports/agent.js';
import type { Clock } from '../../../ports/clock.js';
import { findExecutable } from '../../shared/find-executable.js';
import { decideAfterModelFailure, type ModelCallFailure } from '../../shared/model-failure-policy.js';
import { startModelRelay, type ModelRelay } from '../../shared/model-relay.js';
import { StageEventStream } from '../../shared/stage-event-stream.js';
import { startAgentProcessWithStdio } from '../../shared/start-agent-process-with-stdio.js';
import { sandboxForStage, type AgentSandbox } from '../../shared/agent-sandbox.js';
import { findAcpAgentProfile, type AcpAgentProfile, type AcpProfileInput } from './acp-agent-profile.js';
import { AcpFileAccess, resolveRealPath } from './acp-file-access.js';
import { choosePermissionOutcome, collectToolCallPaths, decideToolPermission, type StagePolicy } from './acp-permission-policy.js';
import { decideAcpStageResult } from './acp-stage-result.js';
import { readAcpAgentInfo, runAcpTurn } from './acp-turn.js';
import { AcpUpdateReader } from './acp-update-reader.js';
import { CLAUDE_AGENT_ACP_PROFILE } from './claude-agent-acp-profile.js';
import { CODEX_ACP_PROFILE } from './codex-acp-profile.js';
import { GEMINI_ACP_PROFILE } from './gemini-acp-profile.js';
import { OPENCODE_ACP_PROFILE } from './opencode-acp-profile.js';

/**
 * The agents Nightshift has a profile for: claude-agent-acp, codex-acp and `gemini --acp` pass the
 * agent contract suite; `opencode acp` is checked by its own cases (it starts too slowly for the
 * suite's five-second timeout case).
 */
export const BUILT_IN_ACP_PROFILES: readonly AcpAgentProfile[] = [CLAUDE_AGENT_ACP_PROFILE, CODEX_ACP_PROFILE, GEMINI_ACP_PROFILE, OPENCODE_ACP_PROFILE];

/**
 * The variable of ours that holds the agent's API key when the config names none: the vendor's
 * usual one (`ANTHROPIC_API_KEY` for claude-agent-acp, `OPENAI_API_KEY` for codex-acp); none for
 * agents without a profile.
 */
export function defaultAcpApiKeyVariable(program: string): string | undefined {
  return findAcpAgentProfile(program, BUILT_IN_ACP_PROFILES).apiKeyVariable;
}

/** Everything the ACP adapter is configured with; nothing is read from the process. */
export interface AcpAgentSettings {
  /** The configured agent name; `acp` unless told. */
  name?: string;
  /** The agent's command line (`agent.acp_command`): its program, a path or a bare name, then its arguments. */
  command: readonly string[];
  model?: string;
  /** The model API the agent talks to (the scripted model server in tests); the vendor's unless told. */
  baseUrl?: string;
  apiKey?: string;
  /** Appended to the command line. */
  extraArguments?: string[];
  /** Variable names beyond the built-in allow-list that the agent may see. */
  environmentAllowList?: string[];
  /** Nightshift's own environment, filtered through the allow-list before the agent sees it. */
  parentEnvironment: Record<string, string | undefined>;
  /** Where a bare program name is looked up in `node_modules/.bin` after PATH; the process's cwd unless told. */
  workingDirectory?: string;
  /** Failed model calls the agent may retry before the stage ends; 2 unless told. */
  maxRetries?: number;
  killGraceMilliseconds?: number;
  /** The OS sandbox around each stage's process (bubblewrap), decided by the runtime from agent.sandbox; none when absent. */
  sandbox?: AgentSandbox;
  /** Looked up by the program's basename; {@link BUILT_IN_ACP_PROFILES} unless told. */
  profiles?: readonly AcpAgentProfile[];
  clock?: Pick<Clock, 'now'>;
}

const SYSTEM_CLOCK: Pick<Clock, 'now'> = { now: () => new Date() };

/**
 * Drives any Agent Client Protocol agent (claude-agent-acp, codex-acp, `gemini --acp`,
 * `opencode acp` …) for one stage: its process in a group of its own with a private HOME, an
 * allow-listed environment and the vendor settings of its profile; one ACP prompt turn whose
 * permission requests and file accesses Nightshift answers by the stage's policy (reads inside
 * the worktree; edits and commands there at C2 only; every refusal logged); and, for agents with
 * a profile, a model relay that ends the run on a failed model call and reads the rate-limit reset.
 */
export class AcpAgent implements Agent {
  readonly name: string;
  readonly capabilities: AgentCapabilities;
  private readonly clock: Pick<Clock, 'now'>;
  private readonly workingDirectory: string;
  private readonly profile: AcpAgentProfile;
  private readonly program: string;

  constructor(private readonly settings: AcpAgentSettings) {
    const program = settings.command[0];
    if (program === undefined || program.trim() === '') throw new Error('AcpAgent: settings.command must name the agent program, e.g. ["claude-agent-acp"]');
    this.program = program;
    this.name = settings.name ?? 'acp';
    this.clock = settings.clock ?? SYSTEM_CLOCK;
    this.workingDirectory = settings.workingDirectory ?? process.cwd();
    this.profile = findAcpAgentProfile(program, settings.profiles ?? BUILT_IN_ACP_PROFILES);
    this.capabilities = this.profile.capabilities;
  }

  async checkAvailable(): Promise<AgentAvailability> {
    const executable = this.findExecutable();
    if (!executable.ok) return { ok: false, problem: executable.problem };
    const home = await mkdtemp(join(tmpdir(), 'nightshift-acp-check-'));
    try {
      const agent = startAgentProcessWithStdio({
        executable: executable.path,
        arguments: this.arguments(),
        workingDirectory: this.workingDirectory,
        environment: buildAgentEnvironment(this.settings.parentEnvironment, this.settings.environmentAllowList ?? [], { HOME: home, TMPDIR: home }),
        timeoutMilliseconds: 30_000,
      });
      const info = await Promise.race([readAcpAgentInfo(agent.stdin, agent.stdout), agent.outcome.then(() => ({ ok: false as const, message: 'the agent exited during initialize' }))]);
      agent.stop();
      const outcome = await agent.outcome;
      if (!info.ok) return { ok: false, problem: `${executable.path} did not answer the ACP initialize: ${outcome.startError ?? info.message}${outcome.stderrTail.trim() === '' ? '' : `\n${outcome.stderrTail.trim()}`}` };
      return { ok: true, version: info.version ?? 'unknown' };
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  }

  async runStage(request: AgentStageRequest, onEvent: (event: AgentEvent) => void): Promise<AgentStageResult> {
    const events = new StageEventStream(this.name, onEvent, () => this.clock.now());
    const failed = (errorMessage: string): AgentStageResult => events.finish({ outcome: 'failed', finalText: '', usage: { inputTokens: 0, outputTokens: 0 }, errorMessage });
    const executable = this.findExecutable();
    if (!executable.ok) return failed(executable.problem);
    if (!existsSync(request.worktreePath)) return failed(`the worktree ${request.worktreePath} does not exist`);
    const directories = { root: request.privateDirectory, home: join(request.privateDirectory, 'home'), temporary: join(request.privateDirectory, 'tmp') };
    await Promise.all([directories.home, directories.temporary].map((directory) => mkdir(directory, { recursive: true })));

    const maxRetries = this.settings.maxRetries ?? 2;
    const stopRun = new AbortController();
    let stoppedBy: { outcome: 'rate-limited' | 'failed'; failure: ModelCallFailure } | undefined;
    let relay: ModelRelay | undefined;
    const upstream = this.upstreamBaseUrl();
    if (upstream !== undefined) {
      try {
        relay = await startModelRelay({
          upstreamBaseUrl: upstream,
          now: () => this.clock.now(),
          onFailure: (failure) => {
            if (stoppedBy !== undefined || relay === undefined) return;
            const decision = decideAfterModelFailure(failure, relay.failures.length, maxRetries);
            if (decision.kind === 'stop') {
              stoppedBy = { outcome: decision.outcome, failure };
              stopRun.abort();
            }
          },
        });
      } catch (error) {
        return failed(`cannot start the model relay for ${upstream}: ${(error as Error).message}`);
      }
    }
    try {
      return await this.runWithRelay(request, executable.path, directories, relay, maxRetries, events, stopRun, () => stoppedBy);
    } finally {
      await relay?.close();
    }
  }

  private async runWithRelay(
    request: AgentStageRequest,
    executablePath: string,
    directories: AcpProfileInput['directories'],
    relay: ModelRelay | undefined,
    maxRetries: number,
    events: StageEventStream,
    stopRun: AbortController,
    stoppedBy: () => { outcome: 'rate-limited' | 'failed'; failure: ModelCallFailure } | undefined,
  ): Promise<AgentStageResult> {
    const allowListed = buildAgentEnvironment(this.settings.parentEnvironment, this.settings.environmentAllowList ?? [], {});
    const modelBaseUrl = relay?.baseUrl ?? this.settings.baseUrl;
    const plan = await this.profile.plan({
      access: request.access,
      worktreePath: request.worktreePath,
      directories,
      executablePath,
      pathVariable: allowListed.PATH,
      maxRetries,
      runningAsRoot: process.getuid?.() === 0,
      confinedByNightshift: this.settings.sandbox?.kind === 'bubblewrap',
      ...(this.settings.model === undefined ? {} : { model: this.settings.model }),
      ...(modelBaseUrl === undefined ? {} : { modelBaseUrl }),
      ...(this.settings.apiKey === undefined ? {} : { apiKey: this.settings.apiKey }),
    });
    if (plan.problem !== undefined) return events.finish({ outcome: 'failed', finalText: '', usage: { inputTokens: 0, outputTokens: 0 }, errorMessage: plan.problem });
    for (const file of plan.files) {
      await mkdir(dirname(file.path), { recursive: true });
      await writeFile(file.path, file.content);
    }

    const policy: StagePolicy = { access: request.access, worktreeRealPath: await realpath(request.worktreePath) };
    const reader = new AcpUpdateReader((event) => events.emit(event), () => this.clock.now());
    const refusals: string[] = [];
    const refuse = (tool: string, reason: string, input: unknown): void => {
      refusals.push(`${tool}: ${reason}`);
      events.emit({ type: 'permission-refused', at: events.at(), tool, reason, ...(input === undefined ? {} : { input }) });
    };
    const signal = request.signal === undefined ? stopRun.signal : AbortSignal.any([stopRun.signal, request.signal]);
    const agent = startAgentProcessWithStdio({
      executable: executablePath,
      arguments: this.arguments(plan.arguments),
      workingDirectory: request.worktreePath,
      environment: buildAgentEnvironment(this.settings.parentEnvironment, this.settings.environmentAllowList ?? [], {
        HOME: directories.home,
        TMPDIR: directories.temporary,
        ...plan.environment,
      }),
      timeoutMilliseconds: request.timeoutMilliseconds,
      signal,
      ...sandboxForStage(this.settings.sandbox, request),
      ...(this.settings.killGraceMilliseconds === undefined ? {} : { killGraceMilliseconds: this.settings.killGraceMilliseconds }),
      ...(request.onProcessStart === undefined ? {} : { onStart: request.onProcessStart }),
    });
    const turn = await runAcpTurn({
      stdin: agent.stdin,
      stdout: agent.stdout,
      worktreePath: request.worktreePath,
      prompt: request.prompt,
      reader,
      files: new AcpFileAccess(policy),
      ...(request.resumeSessionId === undefined ? {} : { resumeSessionId: request.resumeSessionId }),
      ...(plan.sessionMeta === undefined ? {} : { sessionMeta: plan.sessionMeta }),
      ...(plan.modeId === undefined ? {} : { modeId: plan.modeId }),
      ...(plan.modelConfigOption === undefined ? {} : { modelConfigOption: plan.modelConfigOption }),
      ...(plan.clientFileSystem === undefined ? {} : { clientFileSystem: plan.clientFileSystem }),
      onSessionStart: (sessionId) => events.start({ sessionId, ...(this.settings.model === undefined ? {} : { model: this.settings.model }) }),
      onFileRefused: (method, path, reason) => refuse(method, reason, { path }),
      answerPermission: async (ask) => {
        const toolCall = ask.toolCall as unknown as Record<string, unknown>;
        reader.noteToolCall(toolCall, true);
        const paths = await Promise.all(collectToolCallPaths(ask.toolCall, request.worktreePath).map(resolveRealPath));
        const decision = decideToolPermission(ask.toolCall.kind, paths, policy);
        if (!decision.allowed) refuse(ask.toolCall.title ?? ask.toolCall.kind ?? 'tool', decision.reason, ask.toolCall.rawInput);
        return { outcome: choosePermissionOutcome(ask.options, decision) };
      },
    });
    agent.stdin.end();
    agent.stop();
    const outcome = await agent.outcome;
    const stopped = stoppedBy();
    const result = decideAcpStageResult({
        commandName: basename(this.program),
        executablePath,
        turn,
        state: reader.state,
        process: outcome,
        failures: relay?.failures ?? [],
        refusals,
        timeoutMilliseconds: request.timeoutMilliseconds,
        now: this.clock.now(),
      ...(stopped === undefined ? {} : { stoppedBy: stopped }),
    });
    if (result.usage.inputTokens > 0 || result.usage.outputTokens > 0 || result.usage.costUsd !== undefined) events.emit({ type: 'usage', at: events.at(), usage: result.usage });
    return events.finish(result);
  }

  private arguments(fromProfile: readonly string[] = []): string[] {
    return [...this.settings.command.slice(1), ...fromProfile, ...(this.settings.extraArguments ?? [])];
  }

  private upstreamBaseUrl(): string | undefined {
    if (this.profile.defaultBaseUrl === undefined) return undefined;
    if (this.settings.baseUrl === undefined) return this.profile.defaultBaseUrl;
    return this.profile.toUpstreamBaseUrl?.(this.settings.baseUrl) ?? this.settings.baseUrl;
  }

  private findExecutable(): { ok: true; path: string } | { ok: false; problem: string } {
    const search = findExecutable(this.program, this.settings.parentEnvironment.PATH, this.workingDirectory);
    if (!search.found) {
      const where = this.program.includes('/') ? (search.searched[0] ?? this.program) : `PATH or ${join(this.workingDirectory, 'node_modules', '.bin', this.program)}`;
      return { ok: false, problem: `${basename(this.program)} not found at ${where} — install the ACP agent or fix agent.acp_command` };
    }
    return this.profile.resolveExecutable?.(search.path) ?? { ok: true, path: search.path };
  }
}
