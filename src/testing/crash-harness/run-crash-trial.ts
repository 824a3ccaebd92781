import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startModelServer } from '../model-server/start-model-server.js';
import { checkCrashOutcome, noDuplicates, type CrashDuplicates, type CrashOutcome } from './check-crash-outcome.js';
import { describeKillTrigger, isKillEvent, planKills, type KillPlanOptions, type KillTrigger } from './crash-kill-plan.js';
import { buildCrashNight } from './crash-night-scenario.js';
import { CRASH_MODEL_KEY_VARIABLE, createCrashRepository } from './crash-repository.js';
import { findProcessesInside, processAncestry } from './find-processes-inside.js';
import { reapedProcessId, type NightChildLine } from './night-child-lines.js';
import { startNightChild, type NightChildExit } from './night-child-process.js';

export interface CrashTrialOptions {
  seed: number;
  ticketCount: number;
  parallelAgents: number;
  kills: number;
  minimumDelayMilliseconds?: number;
  maximumDelayMilliseconds?: number;
  maximumEventDelayMilliseconds?: number;
  /** A run taking longer than this is killed and the trial fails; 180 s unless told. */
  childTimeoutMilliseconds?: number;
  /** Keep the temp repository for a post-mortem (its path is in the result). */
  keepRepository?: boolean;
}

/** What happened to one planned kill. */
export interface KillRecord {
  trigger: string;
  /** False when the run finished (or failed) before the trigger came. */
  landed: boolean;
  /** The last step the child reported before it died. */
  lastStep?: string;
}

export interface CrashTrialResult {
  seed: number;
  kills: KillRecord[];
  /** Orchestrator runs, the final run and the rerun after it included. */
  runs: number;
  problems: string[];
  duplicates: CrashDuplicates;
  /** Agent processes (`claude`) still running right after a kill: what the restart must end. */
  orphansLeft: number;
  /** Orphans the restarted runs reported they ended. */
  orphansReaped: number;
  /**
   * Orphans that had no record in `.nightshift/agent-processes/` when their orchestrator
   * died (killed between starting the agent and recording it), so no restart can find them.
   */
  orphansUnrecorded: number;
  durationMilliseconds: number;
  repositoryRoot?: string;
}

export const DEFAULT_KILL_DELAYS = { minimumDelayMilliseconds: 800, maximumDelayMilliseconds: 6_000, maximumEventDelayMilliseconds: 400 } as const;

/**
 * One crash trial: a scripted model server that outlives everything, a real repository
 * with the crash night's tickets, then the night in a child process killed with SIGKILL
 * at the seed's moments and restarted each time, a last run left to finish, one more run
 * that must find nothing to redo, and the checks of {@link checkCrashOutcome}.
 */
export async function runCrashTrial(options: CrashTrialOptions): Promise<CrashTrialResult> {
  const started = performance.now();
  const night = buildCrashNight(options.ticketCount);
  const plan: KillPlanOptions = { kills: options.kills, ...DEFAULT_KILL_DELAYS, ...definedDelays(options) };
  const triggers = planKills(options.seed, plan);
  const server = await startModelServer({ scenario: night.scenario });
  const repository = createCrashRepository({ night, modelServerUrl: server.url, parallelAgents: options.parallelAgents });
  const problems: string[] = [];
  const kills: KillRecord[] = [];
  let runs = 0;
  let orphansLeft = 0;
  let orphansReaped = 0;
  let orphansUnrecorded = 0;
  const run = async (trigger: KillTrigger | undefined): Promise<NightChildExit> => {
    runs += 1;
    const exit = await runNightChild(repository.root, trigger, options.childTimeoutMilliseconds ?? 180_000);
    orphansReaped += exit.lines.filter((line) => reapedProcessId(line) !== undefined).length;
    if (exit.timedOut) problems.push(`run ${runs} ran past its time limit and was killed${stderrNote(exit)}`);
    else if (!exit.killed && exit.exitCode !== 0) problems.push(`run ${runs} exited with code ${exit.exitCode ?? exit.signal}${stderrNote(exit)}`);
    return exit;
  };
  try {
    let lastExit: NightChildExit | undefined;
    for (const trigger of triggers) {
      lastExit = await run(trigger);
      const landed = lastExit.killed && !lastExit.timedOut;
      kills.push({ trigger: describeKillTrigger(trigger), landed, ...(landed ? { lastStep: describeLastStep(lastExit.lines) } : {}) });
      if (!landed) break;
      const orphans = findOrphanAgents(repository.root);
      orphansLeft += orphans.length;
      orphansUnrecorded += orphans.filter((orphan) => !orphan.recorded).length;
    }
    // A run the kill never reached has finished the night already; otherwise one more run must.
    const finishedAlready = lastExit !== undefined && !lastExit.killed && lastExit.exitCode === 0;
    if (lastExit?.timedOut !== true && !finishedAlready) lastExit = await run(undefined);
    // Once more: a night that is over must find nothing to redo.
    if (lastExit?.timedOut !== true) await run(undefined);
    const outcome = await checkCrashOutcome({ repositoryRoot: repository.root, expectations: night.expectations, modelRequests: server.requests }).catch(
      (error: unknown): CrashOutcome => ({ problems: [`the checks could not run: ${(error as Error).message}`], duplicates: noDuplicates() }),
    );
    problems.push(...outcome.problems);
    return {
      seed: options.seed,
      kills,
      runs,
      problems,
      duplicates: outcome.duplicates,
      orphansLeft,
      orphansReaped,
      orphansUnrecorded,
      durationMilliseconds: performance.now() - started,
      ...(options.keepRepository === true ? { repositoryRoot: repository.root } : {}),
    };
  } finally {
    for (const survivor of findProcessesInside(repository.root)) {
      try {
        process.kill(survivor.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    await server.close();
    if (options.keepRepository !== true) repository.cleanup();
  }
}

/** One run of the orchestrator child, killed when its trigger comes (if it comes before the run ends). */
async function runNightChild(repositoryRoot: string, trigger: KillTrigger | undefined, timeoutMilliseconds: number): Promise<NightChildExit> {
  const child = startNightChild({ repositoryRoot, environment: { [CRASH_MODEL_KEY_VARIABLE]: 'scripted' }, timeoutMilliseconds });
  let timer: NodeJS.Timeout | undefined;
  if (trigger?.kind === 'time') timer = setTimeout(() => child.kill(), trigger.afterMilliseconds);
  if (trigger?.kind === 'event') {
    let seen = 0;
    child.onLine((line) => {
      if (!isKillEvent(line, trigger.event)) return;
      seen += 1;
      if (seen === trigger.occurrence) timer = setTimeout(() => child.kill(), trigger.delayMilliseconds);
    });
  }
  const exit = await child.exited;
  clearTimeout(timer);
  return exit;
}

/** The agent processes (`claude`) still running inside the repository, and whether the registry knows each. */
function findOrphanAgents(repositoryRoot: string): { pid: number; recorded: boolean }[] {
  const registry = join(repositoryRoot, '.nightshift', 'agent-processes');
  const recorded = new Set(existsSync(registry) ? readdirSync(registry).map((name) => Number.parseInt(name, 10)) : []);
  return findProcessesInside(repositoryRoot)
    .filter((survivor) => /claude/.test(survivor.command))
    // Recorded when Nightshift recorded it or the process it runs under (the sandbox's bwrap).
    .map((survivor) => ({ pid: survivor.pid, recorded: processAncestry(survivor.pid).some((pid) => recorded.has(pid)) }));
}

function describeLastStep(lines: readonly NightChildLine[]): string {
  const last = lines.at(-1);
  if (last === undefined) return 'before any step';
  if (last.type === 'ticket-stage') return `${last.ticketId} ${last.stage}`;
  if (last.type === 'ticket-done') return `${last.ticketId} ${last.state}`;
  if (last.type === 'message') return last.message.startsWith('ended agent process') ? 'reaping orphans' : last.message.slice(0, 40);
  return last.type;
}

/** The error line of the child's stderr (or its last lines), for the trial's problem list. */
function stderrNote(exit: NightChildExit): string {
  const lines = exit.stderrTail.split('\n').map((line) => line.trim()).filter(Boolean);
  const errorLine = lines.find((line) => /^[A-Za-z]*Error\b|^Error:/.test(line));
  const note = errorLine ?? lines.slice(-3).join(' | ');
  return note === '' ? '' : `: ${note}`;
}

function definedDelays(options: CrashTrialOptions): Partial<KillPlanOptions> {
  return {
    ...(options.minimumDelayMilliseconds === undefined ? {} : { minimumDelayMilliseconds: options.minimumDelayMilliseconds }),
    ...(options.maximumDelayMilliseconds === undefined ? {} : { maximumDelayMilliseconds: options.maximumDelayMilliseconds }),
    ...(options.maximumEventDelayMilliseconds === undefined ? {} : { maximumEventDelayMilliseconds: options.maximumEventDelayMilliseconds }),
  };
}
