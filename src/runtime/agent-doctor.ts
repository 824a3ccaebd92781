import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GitWorkspace } from '../adapters/workspaces/git/git-workspace.js';
import type { AgentConfig } from '../config/nightshift-config.js';
import { parseStageOutput, scopeOutputSchema } from '../domain/stage-output.js';
import type { Ticket } from '../domain/ticket.js';
import { buildStagePrompt } from '../pipeline/stage-prompt.js';
import type { Agent, AgentStageResult } from '../ports/agent.js';
import { startModelServer } from '../testing/model-server/start-model-server.js';
import type { AgentSandbox } from '../adapters/shared/agent-sandbox.js';
import { createSingleAgent, resolveSandbox } from './agent-registry.js';
import { agentVariants } from './staged-agent.js';

const run = promisify(execFile);

/** The variable that carries the doctor's (fake) key to the agent under test. */
export const DOCTOR_MODEL_KEY_VARIABLE = 'NIGHTSHIFT_DOCTOR_MODEL_KEY';
/** Also given to the agent, so that a `command` template can be pointed at the scripted model or play the scenario itself. */
export const DOCTOR_MODEL_URL_VARIABLE = 'NIGHTSHIFT_MODEL_BASE_URL';
export const DOCTOR_SCENARIO_VARIABLE = 'NIGHTSHIFT_SCENARIO_FILE';

const SMOKE_TICKET = 'DOCTOR-1';
const READ_ONLY_TICKET = 'DOCTOR-2';
const PROBE_FILE = 'nightshift-doctor-probe.txt';
/** What the scripted model answers at the smoke test's C0; the agent must hand it back. */
export const DOCTOR_SCOPE = { summary: 'Nightshift doctor smoke test', files: ['README.md'], complexity: 'small' } as const;
const DOCTOR_SCENARIO = {
  tickets: {
    [SMOKE_TICKET]: { C0: [{ report: DOCTOR_SCOPE }] },
    [READ_ONLY_TICKET]: { C0: [{ write: { path: PROBE_FILE, content: 'written at a read-only stage\n' } }, { report: DOCTOR_SCOPE }] },
  },
};

export type CheckStatus = 'passed' | 'failed' | 'skipped';

/** What the doctor found for one agent the configuration runs. */
export interface AgentDoctorCheck {
  /** `claude-code`, `claude-code (C0, C1: model haiku)`, `failover 1: codex` … */
  label: string;
  kind: string;
  binary: { status: CheckStatus; detail: string };
  version?: string;
  smokeTest: { status: CheckStatus; detail: string };
  /**
   * `enforced`: a write attempted at a read-only stage did not land; `not-enforced`: it
   * landed (a failure when the agent declares a read-only mode); `not-declared`: the
   * agent has none and the pipeline's after-stage checks are the guard.
   */
  readOnly: { status: 'enforced' | 'not-enforced' | 'not-declared' | 'skipped'; detail: string };
  /**
   * `active`: the agent runs inside the bubblewrap sandbox (agent.sandbox); `off`: it does not
   * (set to off, or `auto` found no working bwrap: the detail says which); `failed`: agent.sandbox
   * is `bubblewrap` and bwrap does not work here.
   */
  sandbox: { status: 'active' | 'off' | 'failed'; detail: string };
  ok: boolean;
}

export interface AgentDoctorReport {
  checks: AgentDoctorCheck[];
  ok: boolean;
}

export interface AgentDoctorRequest {
  config: AgentConfig;
  environment: Record<string, string | undefined>;
  /** Where binaries are looked up (`node_modules/.bin`) and relative paths resolve. */
  repositoryRoot: string;
  /** Per agent run; the smoke tests are one turn each, so a minute is plenty. */
  timeoutMilliseconds?: number;
}

/**
 * `nightshift agents doctor`: for each agent the configuration runs (the agent, its
 * per-stage variants, its failover agents), finds the binary and its version, then runs a
 * one-turn C0 against a scripted model server started here, in a throw-away git worktree,
 * and checks that a write attempted at a read-only stage does not land. Nothing leaves the
 * machine for agents whose model address Nightshift sets; a `command` agent runs as configured.
 */
export async function runAgentDoctor(request: AgentDoctorRequest): Promise<AgentDoctorReport> {
  const directory = await mkdtemp(join(tmpdir(), 'nightshift-doctor-'));
  const server = await startModelServer({ scenario: DOCTOR_SCENARIO });
  try {
    const scenarioPath = join(directory, 'scenario.json');
    await writeFile(scenarioPath, JSON.stringify(DOCTOR_SCENARIO));
    const repository = await createDoctorRepository(join(directory, 'repository'));
    const environment = { ...request.environment, [DOCTOR_MODEL_KEY_VARIABLE]: 'scripted-doctor-key', [DOCTOR_MODEL_URL_VARIABLE]: server.url, [DOCTOR_SCENARIO_VARIABLE]: scenarioPath };
    const checks: AgentDoctorCheck[] = [];
    for (const variant of agentVariants(request.config)) {
      const settings: AgentConfig = {
        ...variant.settings,
        baseUrl: server.url,
        apiKeyEnvironmentVariable: DOCTOR_MODEL_KEY_VARIABLE,
        environmentAllowList: [...variant.settings.environmentAllowList, DOCTOR_MODEL_URL_VARIABLE, DOCTOR_SCENARIO_VARIABLE],
      };
      checks.push(await checkAgent(variant.label, settings, { scenarioPath, environment, repositoryRoot: request.repositoryRoot, repository, directory, timeoutMilliseconds: request.timeoutMilliseconds ?? 120_000 }));
    }
    return { checks, ok: checks.every((check) => check.ok) };
  } finally {
    await server.close();
    await rm(directory, { recursive: true, force: true });
  }
}

interface CheckContext {
  /** Kept readable inside the sandbox: a command agent may play it itself. */
  scenarioPath: string;
  environment: Record<string, string | undefined>;
  repositoryRoot: string;
  repository: DoctorRepository;
  directory: string;
  timeoutMilliseconds: number;
}

async function checkAgent(label: string, settings: AgentConfig, context: CheckContext): Promise<AgentDoctorCheck> {
  const skipped = { status: 'skipped' as const, detail: 'the binary is not usable' };
  let agent: Agent;
  let sandbox: AgentDoctorCheck['sandbox'];
  try {
    const resolution = resolveSandbox(settings.sandbox, context.environment);
    sandbox = describeSandbox(resolution.sandbox, resolution.warning);
    const runSandbox: AgentSandbox = resolution.sandbox.kind === 'off' ? resolution.sandbox : { ...resolution.sandbox, readablePaths: [context.scenarioPath] };
    agent = createSingleAgent(settings, context.environment, context.repositoryRoot, runSandbox);
  } catch (error) {
    const detail = `cannot be set up: ${error instanceof Error ? error.message : String(error)}`;
    const failedSandbox = { status: 'failed' as const, detail };
    return { label, kind: settings.kind, binary: { status: 'failed', detail }, smokeTest: skipped, readOnly: skipped, sandbox: failedSandbox, ok: false };
  }
  const availability = await agent.checkAvailable();
  if (!availability.ok) return { label, kind: settings.kind, binary: { status: 'failed', detail: availability.problem }, smokeTest: skipped, readOnly: skipped, sandbox, ok: false };

  const slug = label.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').toLowerCase();
  const smoke = await runDoctorStage(agent, SMOKE_TICKET, `${slug}-smoke`, context);
  const answer = smoke.worktree === undefined ? undefined : parseStageOutput(smoke.result.finalText, scopeOutputSchema);
  const smokeTest: AgentDoctorCheck['smokeTest'] =
    smoke.result.outcome !== 'completed'
      ? { status: 'failed', detail: `C0 ended ${smoke.result.outcome}: ${smoke.result.errorMessage ?? 'no reason given'}` }
      : answer?.ok === true && answer.value.summary === DOCTOR_SCOPE.summary
        ? { status: 'passed', detail: `one C0 turn against the scripted model answered the expected JSON (${smoke.result.usage.inputTokens + smoke.result.usage.outputTokens} tokens)` }
        : { status: 'failed', detail: `C0 completed but did not answer the expected JSON: ${answer?.ok === false ? answer.error : truncate(smoke.result.finalText)}` };

  let readOnly: AgentDoctorCheck['readOnly'];
  if (smokeTest.status !== 'passed') {
    readOnly = { status: 'skipped', detail: 'the smoke test did not pass' };
  } else {
    const probe = await runDoctorStage(agent, READ_ONLY_TICKET, `${slug}-read-only`, context);
    const landed = probe.worktree !== undefined && existsSync(join(probe.worktree, PROBE_FILE));
    if (!agent.capabilities.readOnlyMode && !landed && sandbox.status === 'active') {
      readOnly = { status: 'enforced', detail: 'a write attempted at a read-only stage did not land: the agent has no read-only mode, but the sandbox keeps the worktree read-only' };
    } else if (!agent.capabilities.readOnlyMode) {
      readOnly = { status: 'not-declared', detail: `the agent has no read-only mode (the write ${landed ? 'landed' : 'did not land'}); the pipeline's after-stage checks are the guard` };
    } else {
      readOnly = landed
        ? { status: 'not-enforced', detail: 'a write attempted at a read-only stage landed in the worktree' }
        : { status: 'enforced', detail: 'a write attempted at a read-only stage did not land' };
    }
  }
  return {
    label,
    kind: settings.kind,
    binary: { status: 'passed', detail: 'found' },
    version: availability.version,
    smokeTest,
    readOnly,
    sandbox,
    ok: smokeTest.status === 'passed' && readOnly.status !== 'not-enforced',
  };
}

async function runDoctorStage(agent: Agent, ticketId: string, name: string, context: CheckContext): Promise<{ result: AgentStageResult; worktree?: string }> {
  let worktree: string;
  try {
    worktree = (await context.repository.workspace.prepareWorktree({ branch: `doctor/${name}`, startPoint: 'main', directoryName: name })).path;
  } catch (error) {
    return { result: { outcome: 'failed', finalText: '', usage: { inputTokens: 0, outputTokens: 0 }, errorMessage: `cannot prepare a worktree: ${(error as Error).message}` } };
  }
  const privateDirectory = join(context.directory, 'agent-homes', name);
  await mkdir(privateDirectory, { recursive: true });
  const result = await agent.runStage(
    {
      batchId: 'doctor',
      ticketId,
      stage: 'C0',
      attempt: 1,
      prompt: buildStagePrompt({ ticket: doctorTicket(ticketId), stage: 'C0', attempt: 1, worktreePath: worktree }),
      worktreePath: worktree,
      privateDirectory,
      access: 'read-only',
      timeoutMilliseconds: context.timeoutMilliseconds,
    },
    () => {},
  );
  return { result, worktree };
}

interface DoctorRepository {
  root: string;
  workspace: GitWorkspace;
}

async function createDoctorRepository(root: string): Promise<DoctorRepository> {
  await mkdir(root, { recursive: true });
  const git = (...args: string[]) => run('git', args, { cwd: root });
  await git('init', '--quiet', '--initial-branch', 'main');
  await git('config', 'user.name', 'Nightshift Doctor');
  await git('config', 'user.email', 'doctor@nightshift.invalid');
  await writeFile(join(root, 'README.md'), '# Nightshift doctor\n\nA throw-away repository for one smoke test.\n');
  await git('add', '-A');
  await git('commit', '--quiet', '--no-verify', '-m', 'Initial commit');
  return { root, workspace: new GitWorkspace({ repositoryRoot: root, worktreesDirectory: join(root, '.nightshift', 'worktrees') }) };
}

function doctorTicket(id: string): Ticket {
  return {
    id,
    title: 'Describe the README',
    labels: ['ready-for-agent'],
    priority: 'low',
    complexity: 'small',
    estimatedFiles: ['README.md'],
    dependencies: [],
    body: 'Say in one sentence what README.md is for. Change nothing.',
    acceptanceCriteria: ['The scope names README.md'],
    openQuestions: [],
    testCases: [],
    readinessChecklist: [],
    sourceReference: `doctor/${id}`,
  };
}

function describeSandbox(sandbox: AgentSandbox, warning: string | undefined): AgentDoctorCheck['sandbox'] {
  if (sandbox.kind === 'bubblewrap') {
    return { status: 'active', detail: `bubblewrap (${sandbox.bubblewrapPath}): reads and writes confined to the worktree and the agent's private directory; hidden: ${sandbox.hiddenDirectories.join(', ')}` };
  }
  return { status: 'off', detail: warning ?? 'agent.sandbox is off: only the agent\'s own permission mode and the after-stage confinement check guard its reads and writes' };
}

function truncate(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat || '(empty answer)';
}
