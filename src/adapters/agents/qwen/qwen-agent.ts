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
import { readAgentVersion } from '../../shared/read-agent-version.js';
import { decideCommonOutcome, describeSilentFailure, runRelayedCliStage, type RelayedCliRun } from '../../shared/relayed-cli-stage.js';
import { StageEventStream } from '../../shared/stage-event-stream.js';
import { buildQwenArguments, buildQwenSystemSettings } from './qwen-settings.js';
import { QwenStreamReader, type QwenRunState } from './qwen-stream-reader.js';

const SYSTEM_CLOCK: Pick<Clock, 'now'> = { now: () => new Date() };

/**
 * Drives Qwen Code headless (`qwen -o stream-json`) for one stage, against any
 * OpenAI-compatible endpoint reached through a model relay: plan mode with read and search
 * tools only at C0/C1, edits and a shell at C2, a private HOME, settings no repository can
 * override, an allow-listed environment.
 */
export class QwenAgent implements Agent {
  readonly name: string;
  readonly capabilities: AgentCapabilities = { resumeSession: true, readOnlyMode: true, structuredOutput: false, reportsCost: false };
  private readonly clock: Pick<Clock, 'now'>;
  private readonly workingDirectory: string;

  constructor(private readonly settings: OpenAiCompatibleAgentSettings) {
    this.name = settings.name ?? 'qwen';
    this.clock = settings.clock ?? SYSTEM_CLOCK;
    this.workingDirectory = settings.workingDirectory ?? process.cwd();
  }

  async checkAvailable(): Promise<AgentAvailability> {
    const binary = this.findBinary();
    if (!binary.ok) return { ok: false, problem: binary.problem };
    return readAgentVersion(binary.path, this.workingDirectory, buildAgentEnvironment(this.settings.parentEnvironment, this.settings.environmentAllowList ?? [], {}));
  }

  async runStage(request: AgentStageRequest, onEvent: (event: AgentEvent) => void): Promise<AgentStageResult> {
    const events = new StageEventStream(this.name, onEvent, () => this.clock.now());
    const failed = (errorMessage: string): AgentStageResult => events.finish({ outcome: 'failed', finalText: '', usage: { inputTokens: 0, outputTokens: 0 }, errorMessage });
    const binary = this.findBinary();
    if (!binary.ok) return failed(binary.problem);
    if (!existsSync(request.worktreePath)) return failed(`the worktree ${request.worktreePath} does not exist`);

    const home = join(request.privateDirectory, 'home');
    const temporaryDirectory = join(request.privateDirectory, 'tmp');
    const settingsDirectory = join(request.privateDirectory, 'qwen');
    await Promise.all([home, temporaryDirectory, settingsDirectory].map((directory) => mkdir(directory, { recursive: true })));
    const maxRetries = this.settings.maxRetries ?? 2;
    const reader = new QwenStreamReader(events);
    const run = await runRelayedCliStage({
      commandName: 'qwen',
      binaryPath: binary.path,
      upstreamBaseUrl: this.settings.baseUrl ?? DEFAULT_OPENAI_COMPATIBLE_BASE_URL,
      ...(this.settings.apiKey === undefined ? {} : { apiKey: this.settings.apiKey }),
      maxRetries,
      request,
      ...(this.settings.killGraceMilliseconds === undefined ? {} : { killGraceMilliseconds: this.settings.killGraceMilliseconds }),
      ...(this.settings.sandbox === undefined ? {} : { sandbox: this.settings.sandbox }),
      now: () => this.clock.now(),
      onStdout: (text) => reader.push(text),
      prepare: async (relayBaseUrl) => {
        const systemSettingsPath = join(settingsDirectory, 'system-settings.json');
        await writeFile(systemSettingsPath, `${JSON.stringify(buildQwenSystemSettings({ maxRetries, worktreePath: request.worktreePath }), null, 2)}\n`);
        return {
          arguments: buildQwenArguments({
            prompt: request.prompt,
            access: request.access,
            baseUrl: relayBaseUrl,
            apiKey: RELAY_PLACEHOLDER_API_KEY,
            model: this.settings.model ?? DEFAULT_OPENAI_COMPATIBLE_MODEL,
            extraArguments: this.settings.extraArguments ?? [],
            ...(request.resumeSessionId === undefined ? {} : { resumeSessionId: request.resumeSessionId }),
          }),
          environment: buildAgentEnvironment(this.settings.parentEnvironment, this.settings.environmentAllowList ?? [], {
            HOME: home,
            TMPDIR: temporaryDirectory,
            QWEN_CODE_SYSTEM_SETTINGS_PATH: systemSettingsPath,
            QWEN_CODE_NO_RELAUNCH: '1',
          }),
        };
      },
    });
    reader.end();
    return events.finish(decideQwenResult(reader.state, run, binary.path, request.timeoutMilliseconds));
  }

  private findBinary(): { ok: true; path: string } | { ok: false; problem: string } {
    return findAgentBinary({
      binary: this.settings.binary,
      commandName: 'qwen',
      packageName: '@qwen-code/qwen-code',
      pathVariable: this.settings.parentEnvironment.PATH,
      workingDirectory: this.workingDirectory,
    });
  }
}

/** Decides the stage's outcome from Qwen Code's stream, the relay and how the process ended. */
export function decideQwenResult(state: QwenRunState, run: RelayedCliRun, binaryPath: string, timeoutMilliseconds: number): AgentStageResult {
  const result = state.result;
  const base = {
    finalText: result !== undefined && !result.isError ? result.text || state.lastAssistantText : state.lastAssistantText,
    usage: result?.usage ?? { inputTokens: 0, outputTokens: 0 },
    exitCode: run.process.exitCode,
    ...(state.sessionId === undefined ? {} : { sessionId: state.sessionId }),
  };
  const common = decideCommonOutcome(run, 'qwen', binaryPath, timeoutMilliseconds);
  if (common !== undefined) return { ...base, ...common };
  if (result !== undefined && !result.isError && run.process.exitCode === 0) return { ...base, outcome: 'completed' };
  const message = result?.errorMessage ?? (result?.isError === true && result.text !== '' ? result.text : undefined);
  if (message !== undefined && /API Error: 429\b/.test(message)) return { ...base, outcome: 'rate-limited', errorMessage: `qwen: ${message}`, rateLimit: {} };
  return { ...base, outcome: 'failed', errorMessage: message === undefined ? describeSilentFailure(run, 'qwen') : `qwen: ${message}` };
}
