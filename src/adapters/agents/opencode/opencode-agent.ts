import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildAgentEnvironment } from '../../../domain/agent-environment.js';
import type { Agent, AgentAvailability, AgentCapabilities, AgentEvent, AgentStageRequest, AgentStageResult } from '../../../ports/agent.js';
import type { Clock } from '../../../ports/clock.js';
import { findAgentBinary } from '../../shared/find-executable.js';
import { RELAY_PLACEHOLDER_API_KEY } from '../../shared/model-relay.js';
import {
  DEFAULT_OPENAI_COMPATIBLE_BASE_URL,
  DEFAULT_OPENAI_COMPATIBLE_MODEL,
  type OpenAiCompatibleAgentSettings,
} from '../../shared/openai-compatible-agent-settings.js';
import { readRateLimitHeaders } from '../../shared/rate-limit-headers.js';
import { readAgentVersion } from '../../shared/read-agent-version.js';
import { decideCommonOutcome, describeSilentFailure, runRelayedCliStage, type RelayedCliRun } from '../../shared/relayed-cli-stage.js';
import { StageEventStream } from '../../shared/stage-event-stream.js';
import { buildOpenCodeArguments, buildOpenCodeConfig } from './opencode-config.js';
import { OpenCodeEventReader, type OpenCodeRunState } from './opencode-event-reader.js';

const SYSTEM_CLOCK: Pick<Clock, 'now'> = { now: () => new Date() };

/**
 * Drives OpenCode headless (`opencode run --format json`) for one stage, against any
 * OpenAI-compatible endpoint reached through a model relay: read and search tools only at
 * C0/C1, edits and a shell confined to the worktree at C2, private HOME and XDG directories,
 * the repository's own OpenCode config ignored, an allow-listed environment.
 */
export class OpenCodeAgent implements Agent {
  readonly name: string;
  readonly capabilities: AgentCapabilities = { resumeSession: true, readOnlyMode: true, structuredOutput: false, reportsCost: false };
  private readonly clock: Pick<Clock, 'now'>;
  private readonly workingDirectory: string;

  constructor(private readonly settings: OpenAiCompatibleAgentSettings) {
    this.name = settings.name ?? 'opencode';
    this.clock = settings.clock ?? SYSTEM_CLOCK;
    this.workingDirectory = settings.workingDirectory ?? process.cwd();
  }

  async checkAvailable(): Promise<AgentAvailability> {
    const binary = this.findBinary();
    if (!binary.ok) return { ok: false, problem: binary.problem };
    const environment = buildAgentEnvironment(this.settings.parentEnvironment, this.settings.environmentAllowList ?? [], { OPENCODE_DISABLE_AUTOUPDATE: '1' });
    return readAgentVersion(binary.path, this.workingDirectory, environment);
  }

  async runStage(request: AgentStageRequest, onEvent: (event: AgentEvent) => void): Promise<AgentStageResult> {
    const events = new StageEventStream(this.name, onEvent, () => this.clock.now());
    const failed = (errorMessage: string): AgentStageResult => events.finish({ outcome: 'failed', finalText: '', usage: { inputTokens: 0, outputTokens: 0 }, errorMessage });
    const binary = this.findBinary();
    if (!binary.ok) return failed(binary.problem);
    if (!existsSync(request.worktreePath)) return failed(`the worktree ${request.worktreePath} does not exist`);

    const directories = privateDirectories(request.privateDirectory);
    await Promise.all(Object.values(directories).map((directory) => mkdir(directory, { recursive: true })));
    const model = this.settings.model ?? DEFAULT_OPENAI_COMPATIBLE_MODEL;
    const reader = new OpenCodeEventReader(events);
    const run = await runRelayedCliStage({
      commandName: 'opencode',
      binaryPath: binary.path,
      upstreamBaseUrl: this.settings.baseUrl ?? DEFAULT_OPENAI_COMPATIBLE_BASE_URL,
      ...(this.settings.apiKey === undefined ? {} : { apiKey: this.settings.apiKey }),
      maxRetries: this.settings.maxRetries ?? 2,
      request,
      ...(this.settings.killGraceMilliseconds === undefined ? {} : { killGraceMilliseconds: this.settings.killGraceMilliseconds }),
      ...(this.settings.sandbox === undefined ? {} : { sandbox: this.settings.sandbox }),
      now: () => this.clock.now(),
      onStdout: (text) => reader.push(text),
      prepare: async (relayBaseUrl) => {
        const configPath = join(directories.config, 'nightshift-opencode.json');
        const agentsFile = join(request.worktreePath, 'AGENTS.md');
        const config = buildOpenCodeConfig({
          baseUrl: relayBaseUrl,
          apiKey: RELAY_PLACEHOLDER_API_KEY,
          model,
          access: request.access,
          instructionFiles: existsSync(agentsFile) ? [agentsFile] : [],
        });
        await writeFile(configPath, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
        return {
          arguments: buildOpenCodeArguments({
            prompt: request.prompt,
            model,
            extraArguments: this.settings.extraArguments ?? [],
            ...(request.resumeSessionId === undefined ? {} : { resumeSessionId: request.resumeSessionId }),
          }),
          environment: this.buildEnvironment(directories, configPath),
        };
      },
    });
    reader.end();
    return events.finish(decideOpenCodeResult(reader.state, run, binary.path, request.timeoutMilliseconds, () => this.clock.now()));
  }

  private buildEnvironment(directories: ReturnType<typeof privateDirectories>, configPath: string): Record<string, string> {
    return buildAgentEnvironment(this.settings.parentEnvironment, this.settings.environmentAllowList ?? [], {
      HOME: directories.home,
      XDG_CONFIG_HOME: directories.config,
      XDG_DATA_HOME: directories.data,
      XDG_CACHE_HOME: directories.cache,
      XDG_STATE_HOME: directories.state,
      TMPDIR: directories.temporary,
      OPENCODE_CONFIG: configPath,
      OPENCODE_DISABLE_PROJECT_CONFIG: '1',
      OPENCODE_DISABLE_AUTOUPDATE: '1',
      OPENCODE_DISABLE_MODELS_FETCH: '1',
      OPENCODE_DISABLE_LSP_DOWNLOAD: '1',
      OPENCODE_DISABLE_SHARE: '1',
      OPENCODE_DISABLE_CLAUDE_CODE: '1',
      OPENCODE_EXPERIMENTAL_DISABLE_FILEWATCHER: '1',
    });
  }

  private findBinary(): { ok: true; path: string } | { ok: false; problem: string } {
    return findAgentBinary({
      binary: this.settings.binary,
      commandName: 'opencode',
      packageName: 'opencode-ai',
      pathVariable: this.settings.parentEnvironment.PATH,
      workingDirectory: this.workingDirectory,
    });
  }
}

/** Directories of one ticket's OpenCode runs; the data directory keeps sessions, so later stages can resume them. */
function privateDirectories(privateDirectory: string): Record<'home' | 'config' | 'data' | 'cache' | 'state' | 'temporary', string> {
  const root = join(privateDirectory, 'opencode');
  return {
    home: join(privateDirectory, 'home'),
    config: join(root, 'config'),
    data: join(root, 'data'),
    cache: join(root, 'cache'),
    state: join(root, 'state'),
    temporary: join(privateDirectory, 'tmp'),
  };
}

/** Decides the stage's outcome from OpenCode's events, the relay and how the process ended. */
export function decideOpenCodeResult(state: OpenCodeRunState, run: RelayedCliRun, binaryPath: string, timeoutMilliseconds: number, now: () => Date): AgentStageResult {
  const base = {
    finalText: state.lastText,
    usage: state.usage,
    exitCode: run.process.exitCode,
    ...(state.sessionId === undefined ? {} : { sessionId: state.sessionId }),
  };
  const common = decideCommonOutcome(run, 'opencode', binaryPath, timeoutMilliseconds);
  if (common !== undefined) return { ...base, ...common };
  const error = state.errors.at(-1);
  if (error === undefined && run.process.exitCode === 0) return { ...base, outcome: 'completed' };
  if (error?.statusCode === 429) {
    return { ...base, outcome: 'rate-limited', errorMessage: `opencode: ${error.message}`, rateLimit: readRateLimitHeaders(error.responseHeaders ?? {}, now()) };
  }
  return { ...base, outcome: 'failed', errorMessage: error === undefined ? describeSilentFailure(run, 'opencode') : `opencode: ${error.message}` };
}
