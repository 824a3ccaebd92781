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
import { PiEventReader, type PiRunState } from './pi-event-reader.js';
import { buildPiGuardExtension } from './pi-guard-extension.js';
import { buildPiArguments, buildPiModels, buildPiSettings } from './pi-settings.js';

const SYSTEM_CLOCK: Pick<Clock, 'now'> = { now: () => new Date() };

/**
 * Drives pi headless (`pi --print --mode json`) for one stage, against any OpenAI-compatible
 * endpoint reached through a model relay: read and search tools only at C0/C1, edits and a
 * shell at C2, file tools kept inside the worktree by a guard extension, a private HOME and
 * agent directory, the repository's own extensions ignored, an allow-listed environment.
 */
export class PiAgent implements Agent {
  readonly name: string;
  readonly capabilities: AgentCapabilities = { resumeSession: true, readOnlyMode: true, structuredOutput: false, reportsCost: false };
  private readonly clock: Pick<Clock, 'now'>;
  private readonly workingDirectory: string;

  constructor(private readonly settings: OpenAiCompatibleAgentSettings) {
    this.name = settings.name ?? 'pi';
    this.clock = settings.clock ?? SYSTEM_CLOCK;
    this.workingDirectory = settings.workingDirectory ?? process.cwd();
  }

  async checkAvailable(): Promise<AgentAvailability> {
    const binary = this.findBinary();
    if (!binary.ok) return { ok: false, problem: binary.problem };
    return readAgentVersion(binary.path, this.workingDirectory, buildAgentEnvironment(this.settings.parentEnvironment, this.settings.environmentAllowList ?? [], { PI_OFFLINE: '1' }));
  }

  async runStage(request: AgentStageRequest, onEvent: (event: AgentEvent) => void): Promise<AgentStageResult> {
    const events = new StageEventStream(this.name, onEvent, () => this.clock.now());
    const failed = (errorMessage: string): AgentStageResult => events.finish({ outcome: 'failed', finalText: '', usage: { inputTokens: 0, outputTokens: 0 }, errorMessage });
    const binary = this.findBinary();
    if (!binary.ok) return failed(binary.problem);
    if (!existsSync(request.worktreePath)) return failed(`the worktree ${request.worktreePath} does not exist`);

    const home = join(request.privateDirectory, 'home');
    const temporaryDirectory = join(request.privateDirectory, 'tmp');
    const agentDirectory = join(request.privateDirectory, 'pi', 'agent');
    const sessionDirectory = join(request.privateDirectory, 'pi', 'sessions');
    await Promise.all([home, temporaryDirectory, agentDirectory, sessionDirectory].map((directory) => mkdir(directory, { recursive: true })));
    const maxRetries = this.settings.maxRetries ?? 2;
    const model = this.settings.model ?? DEFAULT_OPENAI_COMPATIBLE_MODEL;
    const reader = new PiEventReader(events);
    const run = await runRelayedCliStage({
      commandName: 'pi',
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
        const guardExtensionPath = join(agentDirectory, 'nightshift-guard.ts');
        await Promise.all([
          writeFile(join(agentDirectory, 'models.json'), `${JSON.stringify(buildPiModels({ baseUrl: relayBaseUrl, apiKey: RELAY_PLACEHOLDER_API_KEY, model }), null, 2)}\n`),
          writeFile(join(agentDirectory, 'settings.json'), `${JSON.stringify(buildPiSettings({ maxRetries }), null, 2)}\n`),
          writeFile(guardExtensionPath, buildPiGuardExtension(request.worktreePath)),
        ]);
        return {
          arguments: buildPiArguments({
            prompt: request.prompt,
            access: request.access,
            model,
            sessionDirectory,
            guardExtensionPath,
            extraArguments: this.settings.extraArguments ?? [],
            ...(request.resumeSessionId === undefined ? {} : { resumeSessionId: request.resumeSessionId }),
          }),
          environment: buildAgentEnvironment(this.settings.parentEnvironment, this.settings.environmentAllowList ?? [], {
            HOME: home,
            TMPDIR: temporaryDirectory,
            PI_CODING_AGENT_DIR: agentDirectory,
            PI_OFFLINE: '1',
            PI_TELEMETRY: '0',
          }),
        };
      },
    });
    reader.end();
    return events.finish(decidePiResult(reader.state, run, binary.path, request.timeoutMilliseconds));
  }

  private findBinary(): { ok: true; path: string } | { ok: false; problem: string } {
    return findAgentBinary({
      binary: this.settings.binary,
      commandName: 'pi',
      packageName: '@mariozechner/pi-coding-agent',
      pathVariable: this.settings.parentEnvironment.PATH,
      workingDirectory: this.workingDirectory,
    });
  }
}

/** Decides the stage's outcome from pi's events, the relay and how the process ended (pi exits 0 even when the model call failed). */
export function decidePiResult(state: PiRunState, run: RelayedCliRun, binaryPath: string, timeoutMilliseconds: number): AgentStageResult {
  const base = {
    finalText: state.lastAssistantText,
    usage: state.usage,
    exitCode: run.process.exitCode,
    ...(state.sessionId === undefined ? {} : { sessionId: state.sessionId }),
  };
  const common = decideCommonOutcome(run, 'pi', binaryPath, timeoutMilliseconds);
  if (common !== undefined) return { ...base, ...common };
  if (state.errorMessage === undefined && state.agentEnded && run.process.exitCode === 0) return { ...base, outcome: 'completed' };
  if (state.errorMessage !== undefined && /^429\b/.test(state.errorMessage)) return { ...base, outcome: 'rate-limited', errorMessage: `pi: ${state.errorMessage}`, rateLimit: {} };
  return { ...base, outcome: 'failed', errorMessage: state.errorMessage === undefined ? describeSilentFailure(run, 'pi') : `pi: ${state.errorMessage}` };
}
