import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatScenarioMarkers } from '../../domain/scenario-markers.js';
import type { Stage } from '../../domain/stage.js';
import { resolveAgentSandbox, type AgentSandbox } from '../../adapters/shared/agent-sandbox.js';
import type { Agent, AgentCapabilities, AgentEvent, AgentStageRequest, AgentStageResult } from '../../ports/agent.js';
import { findProcessesInside, type ProcessInside } from '../crash-harness/find-processes-inside.js';
import { startModelServer, type RunningModelServer } from '../model-server/start-model-server.js';
import { parseScenario, type ScenarioDocument } from '../model-server/scenario.js';

/** What a contract case gives the adapter's setup to build its agent from. */
export interface AgentContractContext {
  /** The scripted model server, started with the case's scenario: the agent's base URL. */
  modelServerUrl: string;
  /** The same scenario as a JSON file, for agents that play it themselves (a command agent's script). */
  scenarioPath: string;
  /** Nightshift's environment as the agent's parent sees it, with planted secrets in it. */
  parentEnvironment: Record<string, string | undefined>;
  /** Names to allow-list: a harmless one that must reach the agent, and a secret that must not. */
  environmentAllowList: string[];
  /** The bubblewrap sandbox every case runs the agent in (`agent.sandbox: bubblewrap`): the contract holds inside it. */
  sandbox: AgentSandbox;
}

export interface AgentContractSetup {
  /** What the agent must declare; the suite checks it and skips the cases that cannot apply. */
  capabilities: AgentCapabilities;
  /** Whether the agent sends its requests to a model (so an HTTP 429 from the model can reach it). */
  talksToModel: boolean;
  /**
   * Builds the agent for one case. Turn the agent's own retries off (Claude Code:
   * `maxRetries: 0`): the cases answer one HTTP error and expect to see it, not a retry.
   */
  createAgent(context: AgentContractContext): Agent;
  /**
   * The HTTP status of the failing-answer case; 500 unless told. Codex shows a generic text
   * instead of the provider's message for exactly an HTTP 500 (and passes it on for 503), so
   * its setup uses 503 and its own tests cover the 500.
   */
  failingAnswerStatus?: number;
  /**
   * How long the timeout case lets the agent run; 5 s unless told. The agent must have
   * started the case's command by then: OpenCode (a 185 MB Bun binary) needs about 4 s of CPU
   * before its first model call, more than 5 s on a busy machine.
   */
  timeoutCaseMilliseconds?: number;
  /**
   * What token counts the agent gives: input and output (the default), or only the size of its
   * context (codex-acp's `usage_update.used`, read as input tokens), so no output count exists.
   */
  tokenCounts?: 'input-and-output' | 'context-size-only';
}

const TICKET = 'CONTRACT-1';
const PLANTED_SECRETS = { GITHUB_TOKEN: 'ghp_contract_secret', NIGHTSHIFT_SECRET_TEST: 'planted-secret' };
const VISIBLE = { NIGHTSHIFT_VISIBLE_TEST: 'visible-value' };

interface CaseRun {
  result: AgentStageResult;
  events: AgentEvent[];
  worktree: string;
  privateDirectory: string;
  server: RunningModelServer;
}

/**
 * The cases every {@link Agent} adapter must pass, run against a real temporary git
 * worktree and the scripted model server. Cases that need a capability the agent does not
 * declare are skipped, and say why in their name.
 */
export function describeAgentContract(name: string, setup: AgentContractSetup): void {
  describe(`Agent contract: ${name}`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    async function prepare(scenario: ScenarioDocument): Promise<{ agent: Agent; worktree: string; privateDirectory: string; server: RunningModelServer }> {
      const root = await mkdtemp(join(tmpdir(), 'nightshift-agent-contract-'));
      cleanups.push(() => rm(root, { recursive: true, force: true }));
      const worktree = join(root, 'worktree');
      const privateDirectory = join(root, 'private');
      await mkdir(worktree);
      await mkdir(privateDirectory);
      await createRepository(worktree);
      const scenarioPath = join(root, 'scenario.json');
      await writeFile(scenarioPath, JSON.stringify(scenario));
      const server = await startModelServer({ scenario: parseScenario(scenario, `${name} contract scenario`) });
      cleanups.push(() => server.close());
      const agent = setup.createAgent({
        modelServerUrl: server.url,
        scenarioPath,
        parentEnvironment: { ...process.env, ...PLANTED_SECRETS, ...VISIBLE },
        environmentAllowList: ['NIGHTSHIFT_VISIBLE_TEST', 'NIGHTSHIFT_SECRET_TEST'],
        sandbox: contractSandbox(),
      });
      return { agent, worktree, privateDirectory, server };
    }

    async function runCase(
      scenario: ScenarioDocument,
      stage: Stage,
      options: { timeoutMilliseconds?: number; then?: { stage: Stage; resume: boolean } } = {},
    ): Promise<CaseRun & { second?: { result: AgentStageResult; events: AgentEvent[] } }> {
      const { agent, worktree, privateDirectory, server } = await prepare(scenario);
      const run = async (runStage: Stage, resumeSessionId?: string): Promise<{ result: AgentStageResult; events: AgentEvent[] }> => {
        const events: AgentEvent[] = [];
        const request: AgentStageRequest = {
          batchId: '2024-01-15-contract',
          ticketId: TICKET,
          stage: runStage,
          attempt: 1,
          prompt: `Agent contract case for ${name}.\n\n${formatScenarioMarkers({ ticketId: TICKET, stage: runStage, attempt: 1, worktreePath: worktree })}\n\nFollow the scenario.`,
          worktreePath: worktree,
          privateDirectory,
          access: runStage === 'C2' ? 'edit-worktree' : 'read-only',
          timeoutMilliseconds: options.timeoutMilliseconds ?? 60_000,
          ...(resumeSessionId === undefined ? {} : { resumeSessionId }),
        };
        const result = await agent.runStage(request, (event) => events.push(event));
        expectStartAndEnd(events, result, agent.name);
        return { result, events };
      };
      const first = await run(stage);
      const then = options.then;
      if (then === undefined) return { ...first, worktree, privateDirectory, server };
      const second = await run(then.stage, then.resume ? first.result.sessionId : undefined);
      return { ...first, worktree, privateDirectory, server, second };
    }

    it('declares the capabilities its setup expects', async () => {
      const { agent } = await prepare({ tickets: {} });
      expect(agent.capabilities).toEqual(setup.capabilities);
    });

    it('returns the C0 and C1 answers as finalText', async () => {
      const scope = { summary: 'Add a greeting', files: ['src/greet.js'] };
      const plan = { plan: ['Write greet()', 'Test it'], risks: [], decision_needed: null };
      const run = await runCase({ tickets: { [TICKET]: { C0: [{ report: scope }], C1: [{ report: plan }] } } }, 'C0', { then: { stage: 'C1', resume: false } });
      expect(run.result.outcome).toBe('completed');
      expect(JSON.parse(run.result.finalText)).toEqual(scope);
      expect(run.second?.result.outcome).toBe('completed');
      expect(JSON.parse(run.second?.result.finalText ?? '')).toEqual(plan);
    });

    it('writes a file and then edits it at C2', async () => {
      const run = await runCase(
        {
          tickets: {
            [TICKET]: {
              C2: [
                { write: { path: 'notes/new.txt', content: 'one\n' } },
                { edit: { path: 'notes/new.txt', old: 'one', new: 'two' } },
                { edit: { path: 'README.md', old: 'Contract', new: 'Edited contract' } },
                { report: { summary: 'done', changes: ['edit'] } },
              ],
            },
          },
        },
        'C2',
      );
      expect(run.result.outcome).toBe('completed');
      expect(readFileSync(join(run.worktree, 'notes/new.txt'), 'utf8')).toBe('two\n');
      expect(readFileSync(join(run.worktree, 'README.md'), 'utf8')).toBe('# Edited contract repository\n');
    });

    it('runs a command in the worktree at C2', async () => {
      const run = await runCase({ tickets: { [TICKET]: { C2: [{ run: { command: 'echo hi > ran.txt' } }, { say: 'ran it' }] } } }, 'C2');
      expect(run.result.outcome).toBe('completed');
      expect(readFileSync(join(run.worktree, 'ran.txt'), 'utf8')).toBe('hi\n');
      expect(run.result.finalText).toBe('ran it');
    });

    it('keeps tokens out of the environment the agent sees, and gives it a private HOME', async () => {
      const run = await runCase({ tickets: { [TICKET]: { C2: [{ run: { command: 'env > env.txt' } }, { say: 'ok' }] } } }, 'C2');
      expect(run.result.outcome).toBe('completed');
      const seen = readFileSync(join(run.worktree, 'env.txt'), 'utf8');
      expect(seen).toContain(`NIGHTSHIFT_VISIBLE_TEST=${VISIBLE.NIGHTSHIFT_VISIBLE_TEST}`);
      for (const [key, value] of Object.entries(PLANTED_SECRETS)) {
        expect(seen).not.toContain(key);
        expect(seen).not.toContain(value);
      }
      expect(seen).toMatch(new RegExp(`^HOME=${escapeForPattern(run.privateDirectory)}`, 'm'));
    });

    it('surfaces a failing answer as failed, with its message', async () => {
      const status = setup.failingAnswerStatus ?? 500;
      const run = await runCase({ tickets: { [TICKET]: { C0: [{ fail: { status, message: 'scripted failure for the contract' } }, { say: 'recovered' }] } } }, 'C0');
      expect(run.result.outcome).toBe('failed');
      expect(run.result.errorMessage).toContain('scripted failure for the contract');
    });

    it('ends a run that exceeds its timeout, with the commands it started', async () => {
      const sleeper = 'echo $$ > sleeper.pid; readlink /proc/self/ns/pid > sleeper.ns; exec sleep 120';
      const run = await runCase({ tickets: { [TICKET]: { C2: [{ run: { command: sleeper } }, { say: 'never' }] } } }, 'C2', {
        timeoutMilliseconds: setup.timeoutCaseMilliseconds ?? 5_000,
      });
      expect(run.result.outcome).toBe('timed-out');
      const pidFile = join(run.worktree, 'sleeper.pid');
      expect(existsSync(pidFile)).toBe(true);
      const pid = Number(readFileSync(pidFile, 'utf8').trim());
      // A sandbox may run commands in a PID namespace of their own (Codex's bubblewrap does), where `$$` is no host pid.
      if (inOurPidNamespace(join(run.worktree, 'sleeper.ns'))) expect(await waitUntilGone(pid, 5_000)).toBe(true);
      expect(await waitUntilNothingRunsInside(run.worktree, 5_000)).toEqual([]);
    });

    const usageReason = setup.talksToModel ? '' : ' — skipped: the agent talks to no model, so it has no tokens to count';
    it.skipIf(!setup.talksToModel)(`reports token usage${setup.capabilities.reportsCost ? ' and cost' : ', and no cost since it declares none'}${usageReason}`, async () => {
      const run = await runCase({ tickets: { [TICKET]: { C0: [{ report: { summary: 's', files: [] } }] } } }, 'C0');
      expect(run.result.usage.inputTokens).toBeGreaterThan(0);
      if (setup.tokenCounts === 'context-size-only') expect(run.result.usage.outputTokens).toBe(0);
      else expect(run.result.usage.outputTokens).toBeGreaterThan(0);
      if (setup.capabilities.reportsCost) expect(run.result.usage.costUsd).toEqual(expect.any(Number));
      else expect(run.result.usage.costUsd).toBeUndefined();
      expect(run.events.some((event) => event.type === 'usage')).toBe(true);
    });

    const rateReason = setup.talksToModel ? '' : ' — skipped: the agent talks to no model, so no HTTP 429 can reach it';
    it.skipIf(!setup.talksToModel)(`surfaces an HTTP 429 as rate-limited with its reset time${rateReason}`, async () => {
      const run = await runCase(
        { tickets: { [TICKET]: { C0: [{ fail: { status: 429, retry_after_seconds: 3600, message: 'rate limited by the contract' } }, { say: 'after the limit' }] } } },
        'C0',
      );
      expect(run.result.outcome).toBe('rate-limited');
      expect(run.result.rateLimit?.retryAfterSeconds).toBe(3600);
      expect(run.events.some((event) => event.type === 'rate-limit')).toBe(true);
      expect(run.server.requests.filter((request) => request.status === 429)).toHaveLength(1);
    });

    const readOnlyReason = setup.capabilities.readOnlyMode ? '' : ' — skipped: the agent declares no read-only mode';
    it.skipIf(!setup.capabilities.readOnlyMode)(`cannot write files or run commands at read-only stages${readOnlyReason}`, async () => {
      const run = await runCase(
        {
          tickets: {
            [TICKET]: {
              C0: [{ write: { path: 'written-at-c0.txt', content: 'no' } }, { report: { summary: 's', files: [] } }],
              C1: [{ run: { command: 'echo no > ran-at-c1.txt' } }, { report: { plan: ['p'], risks: [], decision_needed: null } }],
            },
          },
        },
        'C0',
        { then: { stage: 'C1', resume: false } },
      );
      expect(existsSync(join(run.worktree, 'written-at-c0.txt'))).toBe(false);
      expect(existsSync(join(run.worktree, 'ran-at-c1.txt'))).toBe(false);
      expect(gitStatus(run.worktree)).toBe('');
    });

    const resumeReason = setup.capabilities.resumeSession ? '' : ' — skipped: the agent declares no session resume';
    it.skipIf(!setup.capabilities.resumeSession)(`resumes the session of an earlier stage${resumeReason}`, async () => {
      const run = await runCase(
        { tickets: { [TICKET]: { C0: [{ report: { summary: 'first', files: [] } }], C1: [{ report: { plan: ['second'], risks: [], decision_needed: null } }] } } },
        'C0',
        { then: { stage: 'C1', resume: true } },
      );
      expect(run.result.sessionId).toEqual(expect.any(String));
      expect(run.second?.result.outcome).toBe('completed');
      expect(run.second?.result.sessionId).toBe(run.result.sessionId);
      expect(JSON.parse(run.second?.result.finalText ?? '')).toEqual({ plan: ['second'], risks: [], decision_needed: null });
    });
  });
}

function expectStartAndEnd(events: AgentEvent[], result: AgentStageResult, agentName: string): void {
  expect(events[0]).toMatchObject({ type: 'agent-start', agent: agentName });
  expect(events.at(-1)).toMatchObject({ type: 'agent-end', outcome: result.outcome });
  expect(events.filter((event) => event.type === 'agent-start')).toHaveLength(1);
  expect(events.filter((event) => event.type === 'agent-end')).toHaveLength(1);
  for (const event of events) expect(Number.isNaN(Date.parse(event.at))).toBe(false);
}

async function createRepository(directory: string): Promise<void> {
  const git = (...args: string[]): void => {
    execFileSync('git', args, { cwd: directory, stdio: 'ignore' });
  };
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'Contract Test');
  git('config', 'user.email', 'contract@example.com');
  await writeFile(join(directory, 'README.md'), '# Contract repository\n');
  git('add', '.');
  git('commit', '-q', '-m', 'Initial commit');
}

function gitStatus(directory: string): string {
  return execFileSync('git', ['status', '--porcelain'], { cwd: directory, encoding: 'utf8' }).trim();
}

/** Whether the PID namespace a command wrote (`readlink /proc/self/ns/pid`) is ours; true when either is unknown. */
function inOurPidNamespace(namespaceFile: string): boolean {
  try {
    const theirs = readFileSync(namespaceFile, 'utf8').trim();
    return theirs === '' || theirs === readlinkSync('/proc/self/ns/pid');
  } catch {
    return true;
  }
}

/** The processes still working inside a directory (found in `/proc` by working directory or command line, in any PID namespace). */
async function waitUntilNothingRunsInside(directory: string, withinMilliseconds: number): Promise<ProcessInside[]> {
  const deadline = Date.now() + withinMilliseconds;
  let found = findProcessesInside(directory);
  while (found.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    found = findProcessesInside(directory);
  }
  return found;
}

/** Whether a process ends (zombies count as ended: a container's init may never reap them). */
async function waitUntilGone(pid: number, withinMilliseconds: number): Promise<boolean> {
  const deadline = Date.now() + withinMilliseconds;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return !isAlive(pid);
}

function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
}

function escapeForPattern(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

let resolvedSandbox: AgentSandbox | undefined;

/** The sandbox of the contract cases: bubblewrap, required (CI installs it), so a passing contract proves the agent works confined. */
function contractSandbox(): AgentSandbox {
  if (resolvedSandbox !== undefined) return resolvedSandbox;
  const resolution = resolveAgentSandbox('bubblewrap', process.env);
  if (!resolution.ok) throw new Error(resolution.problem);
  resolvedSandbox = resolution.sandbox;
  return resolvedSandbox;
}
