import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildAgentEnvironment } from '../../../domain/agent-environment.js';
import type { Agent, AgentAvailability, AgentCapabilities, AgentEvent, AgentStageRequest, AgentStageResult } from '../../../ports/agent.js';
import type { Clock } from '../../../ports/clock.js';
import { runAgentProcess } from '../../shared/run-agent-process.js';
import { installationOf, sandboxForStage, type AgentSandbox } from '../../shared/agent-sandbox.js';
import { findExecutable } from '../../shared/find-executable.js';

/** Everything the command adapter is configured with; nothing is read from the process. */
export interface CommandAgentSettings {
  /** The configured agent name; `command` unless told. */
  name?: string;
  /**
   * A shell command run with `sh -c` in the worktree, e.g. `aider --yes --message-file {prompt_file}`.
   * `{prompt_file}` becomes the shell-quoted path of the prompt; ticket text never enters the command.
   */
  commandTemplate: string;
  /** Variable names beyond the built-in allow-list that the agent may see. */
  environmentAllowList?: string[];
  /** Nightshift's own environment, filtered through the allow-list before the agent sees it. */
  parentEnvironment: Record<string, string | undefined>;
  killGraceMilliseconds?: number;
  /** The OS sandbox around each stage's process (bubblewrap), decided by the runtime from agent.sandbox; none when absent. */
  sandbox?: AgentSandbox;
  clock?: Pick<Clock, 'now'>;
}

const SYSTEM_CLOCK: Pick<Clock, 'now'> = { now: () => new Date() };
const PROMPT_PLACEHOLDER = '{prompt_file}';
const MAXIMUM_FINAL_TEXT_CHARACTERS = 1_000_000;

/**
 * Runs an agent Nightshift does not wrap yet (aider, a home-grown script) from a shell
 * command template. It cannot restrict the agent at read-only stages, resume a session or
 * report usage: it says so in its capabilities, and the pipeline's check of what changed
 * afterwards is the guard. The stage, ticket and access are given as environment variables.
 */
export class CommandAgent implements Agent {
  readonly name: string;
  readonly capabilities: AgentCapabilities = { resumeSession: false, readOnlyMode: false, structuredOutput: false, reportsCost: false };
  private readonly clock: Pick<Clock, 'now'>;

  constructor(private readonly settings: CommandAgentSettings) {
    this.name = settings.name ?? 'command';
    this.clock = settings.clock ?? SYSTEM_CLOCK;
  }

  /** Checks that the template's program is found (when the template starts with a plain program name). */
  async checkAvailable(): Promise<AgentAvailability> {
    const program = /^\s*([A-Za-z0-9_./+-]+)(\s|$)/.exec(this.settings.commandTemplate)?.[1];
    if (program === undefined) return { ok: true, version: `sh -c ${JSON.stringify(this.settings.commandTemplate)}` };
    let output = '';
    const outcome = await runAgentProcess({
      executable: 'sh',
      arguments: ['-c', 'command -v "$1"', 'sh', program],
      workingDirectory: process.cwd(),
      environment: buildAgentEnvironment(this.settings.parentEnvironment, this.settings.environmentAllowList ?? [], {}),
      timeoutMilliseconds: 10_000,
      onStdout: (text) => (output += text),
    });
    if (outcome.startError !== undefined) return { ok: false, problem: `cannot start sh to look for ${program}: ${outcome.startError}` };
    if (outcome.exitCode !== 0) return { ok: false, problem: `${program} (from agent.command) is not found on PATH` };
    return { ok: true, version: `${output.trim()} (command template; no version)` };
  }

  async runStage(request: AgentStageRequest, onEvent: (event: AgentEvent) => void): Promise<AgentStageResult> {
    const at = (): string => this.clock.now().toISOString();
    const finish = (result: AgentStageResult): AgentStageResult => {
      onEvent({ type: 'agent-end', at: at(), outcome: result.outcome, ...(result.errorMessage === undefined ? {} : { errorMessage: result.errorMessage }) });
      return result;
    };
    const noUsage = { inputTokens: 0, outputTokens: 0 };
    if (!existsSync(request.worktreePath)) {
      onEvent({ type: 'agent-start', at: at(), agent: this.name });
      return finish({ outcome: 'failed', finalText: '', usage: noUsage, errorMessage: `the worktree ${request.worktreePath} does not exist` });
    }
    const home = join(request.privateDirectory, 'home');
    const temporaryDirectory = join(request.privateDirectory, 'tmp');
    await Promise.all([home, temporaryDirectory].map((directory) => mkdir(directory, { recursive: true })));
    const promptFile = join(request.privateDirectory, `prompt-${request.stage}-attempt-${request.attempt}.md`);
    await writeFile(promptFile, request.prompt, 'utf8');

    const environment = buildAgentEnvironment(this.settings.parentEnvironment, this.settings.environmentAllowList ?? [], {
      HOME: home,
      TMPDIR: temporaryDirectory,
      NIGHTSHIFT_PROMPT_FILE: promptFile,
      NIGHTSHIFT_STAGE: request.stage,
      NIGHTSHIFT_ATTEMPT: String(request.attempt),
      NIGHTSHIFT_TICKET: request.ticketId,
      NIGHTSHIFT_WORKTREE: request.worktreePath,
      NIGHTSHIFT_ACCESS: request.access,
    });
    onEvent({ type: 'agent-start', at: at(), agent: this.name });
    let stdout = '';
    const outcome = await runAgentProcess({
      executable: 'sh',
      arguments: ['-c', fillCommandTemplate(this.settings.commandTemplate, promptFile)],
      workingDirectory: request.worktreePath,
      environment,
      timeoutMilliseconds: request.timeoutMilliseconds,
      ...(this.settings.killGraceMilliseconds === undefined ? {} : { killGraceMilliseconds: this.settings.killGraceMilliseconds }),
      onStdout: (text) => {
        if (stdout.length < MAXIMUM_FINAL_TEXT_CHARACTERS) stdout += text;
        onEvent({ type: 'text-delta', at: at(), text });
      },
      ...sandboxForStage(this.settings.sandbox, request, this.readablePaths(environment.PATH, request.worktreePath)),
      ...(request.signal === undefined ? {} : { signal: request.signal }),
      ...(request.onProcessStart === undefined ? {} : { onStart: request.onProcessStart }),
    });
    const base = { finalText: stdout.trim(), usage: noUsage, exitCode: outcome.exitCode };
    if (outcome.cancelled === true) return finish({ ...base, outcome: 'cancelled', errorMessage: 'the agent command was stopped by Nightshift' });
    if (outcome.timedOut) {
      return finish({ ...base, outcome: 'timed-out', errorMessage: `the agent command did not finish within ${request.timeoutMilliseconds} ms; its process group was ended` });
    }
    if (outcome.startError !== undefined) return finish({ ...base, outcome: 'failed', errorMessage: `cannot start sh: ${outcome.startError}` });
    if (outcome.exitCode !== 0) {
      const tail = outcome.stderrTail.trim().split('\n').slice(-20).join('\n');
      const how = outcome.signal === null ? `exit code ${String(outcome.exitCode)}` : `signal ${outcome.signal}`;
      return finish({ ...base, outcome: 'failed', errorMessage: `the agent command failed with ${how}${tail ? `: ${tail}` : ''}` });
    }
    return finish({ ...base, outcome: 'completed' });
  }

  /**
   * What the sandbox keeps readable for the template, which the operator wrote: the files it names
   * (its script, its settings) and the installation of its program (an `aider` in a hidden HOME).
   */
  private readablePaths(pathVariable: string | undefined, workingDirectory: string): string[] {
    const program = /^\s*([A-Za-z0-9_./+-]+)(\s|$)/.exec(this.settings.commandTemplate)?.[1];
    const found = program === undefined ? undefined : findExecutable(program, pathVariable, workingDirectory);
    return [...absolutePathsIn(this.settings.commandTemplate), ...(found?.found === true ? installationOf(found.path) : [])];
  }
}

/** Puts the shell-quoted prompt path where the template says `{prompt_file}`. */
export function fillCommandTemplate(template: string, promptFile: string): string {
  return template.replaceAll(PROMPT_PLACEHOLDER, quoteForShell(promptFile));
}

/** Single-quotes a value for `sh`, so no character in it is interpreted. */
export function quoteForShell(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** The absolute paths a command template names, quoted or bare (`node '/opt/agent/run.js' /etc/agent.json`). */
export function absolutePathsIn(template: string): string[] {
  return [...template.matchAll(/'(\/[^']*)'|"(\/[^"$`\\]*)"|(?<=^|\s)(\/[^\s'"$`;|&<>()]*)/g)].map((match) => match[1] ?? match[2] ?? match[3] ?? '').filter((path) => path !== '');
}
