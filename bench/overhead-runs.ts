import { spawnSync } from 'node:child_process';
import { accessSync, constants, cpSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { gitShellProcessId, runGit } from '../src/adapters/workspaces/git/git-command.js';
import { PRIORITIES } from '../src/domain/ticket.js';
import type { Agent } from '../src/ports/agent.js';
import { runGeneration } from '../src/pipeline/generate.js';
import { runIntake } from '../src/pipeline/intake.js';
import { openRuntime } from '../src/runtime/open-runtime.js';
import { createGitFixture } from '../src/testing/git-fixture.js';
import { defaultInstantAgentFilePath, InstantAgent } from '../src/testing/instant-agent.js';
import { ticketFileText } from '../src/testing/ticket-file-text.js';
import { baselineScriptText } from './baseline-script.js';
import { cpuTimeBetween, readOtherProcessCpuTime, readProcessCpuTime, type ProcessCpuTime } from './process-cpu-time.js';
import { createSeededRandom } from './seeded-random.js';
import { withTimedPorts, type MethodTiming } from './timed-ports.js';

/** The commit identity of both sides: Nightshift's default author. */
export const BENCH_AUTHOR = { name: 'Nightshift', email: 'nightshift@localhost' } as const;

export interface RepositorySettings {
  parallelAgents: number;
  removeWorktrees: boolean;
  fillerFiles: number;
  seed: number;
  /** The directory the repositories are made in (see {@link defaultBenchDirectory}). */
  directory: string;
}

/**
 * Where the overhead benchmark puts its repositories unless told: a RAM disk
 * (`/dev/shm`) when there is a writable one, otherwise the system's temp directory.
 *
 * These machines' disk is ext4 without a journal, and there every new file costs a
 * scan past the inodes deleted in the last minutes (`recently_deleted` in the kernel,
 * seen with `perf record`): with a worktree of ~225 files made and
 * deleted per ticket, creating a file swings from 25 µs to 950 µs within seconds, and the
 * baseline's 25-ticket chunks from 40 to 280 ms per ticket in one run. That is the
 * allocator, not Nightshift or git. On a RAM disk git is at its fastest, so Nightshift's
 * own work weighs the most in the ratio, and the run repeats to within a few percent.
 */
export function defaultBenchDirectory(): string {
  const ramDisk = '/dev/shm';
  return isWritableDirectory(ramDisk) ? ramDisk : tmpdir();
}

/** Whether `path` is a directory this process may create files in. */
export function isWritableDirectory(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Identical repositories with the same ready tickets: one for Nightshift, fresh copies for the baseline. */
export interface BenchRepositories {
  parent: string;
  nightshiftRoot: string;
  ticketIds: string[];
  /** A copy of the untouched repository, made before Nightshift ran, at `<parent>/<name>`. */
  baselineRoot(name: string): string;
  cleanup(): void;
}

/**
 * A real git repository with `ticketCount` ready, independent tickets (each expecting
 * the file the instant agent writes), a nightshift.yaml, and filler source files.
 */
export function createBenchRepositories(ticketCount: number, settings: RepositorySettings): BenchRepositories {
  const random = createSeededRandom(settings.seed);
  const ticketIds = Array.from({ length: ticketCount }, (_, index) => `T-${String(index + 1).padStart(3, '0')}`);
  const files: Record<string, string> = {
    'README.md': '# Overhead benchmark\n',
    'nightshift.yaml': stringify({
      agent: { kind: 'command', command: 'true' },
      batch: { max_tickets: ticketCount, parallel_agents: settings.parallelAgents, timeout_per_ticket: '30m' },
      generation: { remove_worktrees: settings.removeWorktrees },
    }),
  };
  for (let index = 0; index < settings.fillerFiles; index += 1) {
    files[`src/module-${index}.js`] = `export const value${index} = ${index};\n`.repeat(20);
  }
  for (const id of ticketIds) {
    files[`tickets/${id}.md`] = ticketFileText({ id, priority: random.pick(PRIORITIES), estimatedFiles: [defaultInstantAgentFilePath(id)] });
  }
  const fixture = createGitFixture({ files, temporaryDirectory: settings.directory });
  const parent = dirname(fixture.root);
  const pristine = join(parent, 'pristine-repo');
  cpSync(fixture.root, pristine, { recursive: true });
  return {
    parent,
    nightshiftRoot: fixture.root,
    ticketIds,
    baselineRoot: (name) => {
      const root = join(parent, name);
      cpSync(pristine, root, { recursive: true });
      return root;
    },
    cleanup: fixture.cleanup,
  };
}

export interface NightshiftRun {
  intakeMilliseconds: number;
  /** Generation's wall time, less the time its agent spent running baseline chunks. */
  generationMilliseconds: number;
  /** When generation started and ended (`performance.now()`), pauses included. */
  generationWindow: { started: number; ended: number };
  /** How many tickets ended generation in each state (all `gating` when everything worked). */
  states: Map<string, number>;
  timings: Map<string, MethodTiming>;
  /**
   * CPU time of intake + generation: Node itself, plus the resident git shell and the git
   * processes it ran (children); undefined without /proc. Baseline chunks run during the
   * pauses are not in it.
   */
  cpu?: ProcessCpuTime;
}

/** An agent for the timed run, and how long it kept Nightshift paused (see {@link BaselineInterleavingAgent}). */
export interface BenchAgent {
  agent: Agent;
  pausedMilliseconds(): number;
  /** CPU time of the baseline processes it ran, which Node counts among its own children. */
  pausedChildrenCpuMilliseconds(): number;
}

/**
 * Opens the runtime as the CLI does, swaps in the bench's agent and timed ports, and times
 * intake then generation. Time the agent spent paused (running baseline chunks) is taken
 * out of generation and out of `agent.runStage`.
 */
export async function runNightshift(root: string, benchAgent: BenchAgent = instantBenchAgent()): Promise<NightshiftRun> {
  const runtime = await openRuntime({ repositoryRoot: root, environment: process.env });
  try {
    const { dependencies, timings } = withTimedPorts({ ...runtime.dependencies, agent: benchAgent.agent });
    const shellCpuStarted = shellCpu();
    const cpuStarted = readProcessCpuTime();
    const intakeStarted = performance.now();
    const intake = await runIntake(dependencies, { dryRun: false });
    const generationStarted = performance.now();
    const report = await runGeneration(dependencies, { batchId: intake.batchId });
    const generationEnded = performance.now();
    const cpuEnded = readProcessCpuTime();
    const shellCpuEnded = shellCpu();
    const paused = benchAgent.pausedMilliseconds();
    const runStage = timings.get('agent.runStage');
    if (runStage !== undefined) runStage.milliseconds -= paused;
    const states = new Map<string, number>();
    for (const run of report.runs) states.set(run.state, (states.get(run.state) ?? 0) + 1);
    const nodeCpu = cpuTimeBetween(cpuStarted, cpuEnded);
    // The shell was started during the run when this is its first: then all of its time is this run's.
    const shellCpuUsed = shellCpuEnded === undefined ? undefined : shellCpuEnded - (shellCpuStarted ?? 0);
    const cpu =
      nodeCpu === undefined || shellCpuUsed === undefined
        ? undefined
        : { self: nodeCpu.self, children: nodeCpu.children - benchAgent.pausedChildrenCpuMilliseconds() + shellCpuUsed };
    return {
      intakeMilliseconds: generationStarted - intakeStarted,
      generationMilliseconds: generationEnded - generationStarted - paused,
      generationWindow: { started: generationStarted, ended: generationEnded },
      states,
      timings,
      ...withCpu(cpu),
    };
  } finally {
    await runtime.close();
  }
}

function instantBenchAgent(): BenchAgent {
  return { agent: new InstantAgent(), pausedMilliseconds: () => 0, pausedChildrenCpuMilliseconds: () => 0 };
}

function shellCpu(): number | undefined {
  const processId = gitShellProcessId();
  return processId === undefined ? undefined : readOtherProcessCpuTime(processId);
}

/** The bash baseline cut into chunks that run one at a time on one repository copy. */
export interface ChunkedBaseline {
  root: string;
  chunkCount: number;
  /** Runs chunk `index` with bash and returns its wall time in milliseconds. */
  runChunk(index: number): number;
  /** Wall time of each chunk run so far, in order. */
  chunkMilliseconds: number[];
  /** CPU time of bash and git over every chunk run so far; undefined without /proc. */
  cpu(): ProcessCpuTime | undefined;
}

/**
 * Writes the baseline script for each chunk of `ticketsPerChunk` tickets beside a fresh
 * copy of the repository (not timed), ready to be run chunk by chunk between Nightshift's
 * tickets. All chunks share one worktrees and one records directory, as one script would.
 *
 * Both lie where Nightshift keeps its own, `.nightshift/worktrees` and
 * `.nightshift/merge-requests` inside the repository, for the disk's sake: ext4 puts a new
 * file near its directory, and on these machines creating a file costs more the more
 * files were deleted lately in the same block group (`recently_deleted` in `perf`).
 * With the same layout beside each other, both sides create and delete their worktrees'
 * files in the same part of the disk and pay alike.
 */
export function prepareChunkedBaseline(repositories: BenchRepositories, name: string, ticketsPerChunk: number, removeWorktrees: boolean): ChunkedBaseline {
  const root = repositories.baselineRoot(name);
  const ownDirectory = join(root, '.nightshift');
  const worktrees = join(ownDirectory, 'worktrees');
  const records = join(ownDirectory, 'merge-requests');
  mkdirSync(worktrees, { recursive: true });
  mkdirSync(records, { recursive: true });
  writeFileSync(join(ownDirectory, '.gitignore'), '*\n');
  const scripts: string[] = [];
  for (let start = 0; start < repositories.ticketIds.length; start += ticketsPerChunk) {
    const scriptPath = join(repositories.parent, `${name}-chunk-${scripts.length}.sh`);
    const ticketIds = repositories.ticketIds.slice(start, start + ticketsPerChunk);
    writeFileSync(scriptPath, baselineScriptText({ ticketIds, baseBranch: 'main', branchPrefix: 'agent/', author: BENCH_AUTHOR, removeWorktrees }));
    scripts.push(scriptPath);
  }
  const chunkMilliseconds: number[] = [];
  let cpuTotal: ProcessCpuTime | undefined = { self: 0, children: 0 };
  return {
    root,
    chunkCount: scripts.length,
    chunkMilliseconds,
    cpu: () => cpuTotal,
    runChunk: (index) => {
      const scriptPath = scripts[index];
      if (scriptPath === undefined) throw new Error(`overhead: there is no baseline chunk ${index}`);
      const cpuStarted = readProcessCpuTime();
      const started = performance.now();
      const result = spawnSync('bash', [scriptPath, root, worktrees, records], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
      const milliseconds = performance.now() - started;
      const cpu = cpuTimeBetween(cpuStarted, readProcessCpuTime());
      if (result.status !== 0) throw new Error(`overhead: the baseline script ${scriptPath} failed (exit ${result.status}): ${result.stderr}`);
      chunkMilliseconds.push(milliseconds);
      cpuTotal = cpu === undefined || cpuTotal === undefined ? undefined : { self: cpuTotal.self + cpu.self, children: cpuTotal.children + cpu.children };
      return milliseconds;
    },
  };
}

/** Writes the baseline script beside the repository, runs it with bash and returns its wall (and CPU) time in milliseconds. */
export function runBaseline(repositories: BenchRepositories, name: string, removeWorktrees: boolean): { milliseconds: number; cpu?: ProcessCpuTime; root: string } {
  const baseline = prepareChunkedBaseline(repositories, name, repositories.ticketIds.length, removeWorktrees);
  const milliseconds = baseline.runChunk(0);
  return { milliseconds, root: baseline.root, ...withCpu(baseline.cpu()) };
}

/** Branches under `agent/` in a repository: the bench's check that both sides did the work. */
export function countAgentBranches(root: string): number {
  const result = spawnSync('git', ['for-each-ref', '--format=%(refname)', 'refs/heads/agent/'], { cwd: root, encoding: 'utf8' });
  return result.stdout.split('\n').filter(Boolean).length;
}

/**
 * The cost of one trivial git process (`git --version`), spawned the way GitWorkspace
 * does (execa from Node) and from a bash loop: the price of each extra git call.
 */
export async function measureGitSpawnCost(calls: number): Promise<{ fromNode: number; fromBash: number }> {
  const nodeStarted = performance.now();
  for (let index = 0; index < calls; index += 1) await runGit(['--version'], { cwd: process.cwd() });
  const fromNode = (performance.now() - nodeStarted) / calls;
  const bashStarted = performance.now();
  spawnSync('bash', ['-c', `for index in $(seq ${calls}); do git --version > /dev/null; done`]);
  const fromBash = (performance.now() - bashStarted) / calls;
  return { fromNode, fromBash };
}

function withCpu(cpu: ProcessCpuTime | undefined): { cpu?: ProcessCpuTime } {
  return cpu === undefined ? {} : { cpu };
}
