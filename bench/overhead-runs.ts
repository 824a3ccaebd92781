import { spawnSync } from 'node:child_process';
import { cpSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { runGit } from '../src/adapters/workspaces/git/git-command.js';
import { PRIORITIES } from '../src/domain/ticket.js';
import { runGeneration } from '../src/pipeline/generate.js';
import { runIntake } from '../src/pipeline/intake.js';
import { openRuntime } from '../src/runtime/open-runtime.js';
import { createGitFixture } from '../src/testing/git-fixture.js';
import { defaultInstantAgentFilePath, InstantAgent } from '../src/testing/instant-agent.js';
import { ticketFileText } from '../src/testing/ticket-file-text.js';
import { baselineScriptText } from './baseline-script.js';
import { cpuTimeBetween, readProcessCpuTime, type ProcessCpuTime } from './process-cpu-time.js';
import { createSeededRandom } from './seeded-random.js';
import { withTimedPorts, type MethodTiming } from './timed-ports.js';

/** The commit identity of both sides: Nightshift's default author. */
export const BENCH_AUTHOR = { name: 'Nightshift', email: 'nightshift@localhost' } as const;

export interface RepositorySettings {
  parallelAgents: number;
  removeWorktrees: boolean;
  fillerFiles: number;
  seed: number;
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
  const fixture = createGitFixture({ files });
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
  generationMilliseconds: number;
  /** How many tickets ended generation in each state (all `gating` when everything worked). */
  states: Map<string, number>;
  timings: Map<string, MethodTiming>;
  /** CPU time of intake + generation, git children included; undefined without /proc. */
  cpu?: ProcessCpuTime;
}

/** Opens the runtime as the CLI does, swaps in the instant agent and timed ports, and times intake then generation. */
export async function runNightshift(root: string): Promise<NightshiftRun> {
  const runtime = await openRuntime({ repositoryRoot: root, environment: process.env });
  try {
    const { dependencies, timings } = withTimedPorts({ ...runtime.dependencies, agent: new InstantAgent() });
    const cpuStarted = readProcessCpuTime();
    const intakeStarted = performance.now();
    const intake = await runIntake(dependencies, { dryRun: false });
    const generationStarted = performance.now();
    const report = await runGeneration(dependencies, { batchId: intake.batchId });
    const generationEnded = performance.now();
    const cpuEnded = readProcessCpuTime();
    const states = new Map<string, number>();
    for (const run of report.runs) states.set(run.state, (states.get(run.state) ?? 0) + 1);
    return {
      intakeMilliseconds: generationStarted - intakeStarted,
      generationMilliseconds: generationEnded - generationStarted,
      states,
      timings,
      ...withCpu(cpuTimeBetween(cpuStarted, cpuEnded)),
    };
  } finally {
    await runtime.close();
  }
}

/** Writes the baseline script beside the repository, runs it with bash and returns its wall (and CPU) time in milliseconds. */
export function runBaseline(repositories: BenchRepositories, name: string, removeWorktrees: boolean): { milliseconds: number; cpu?: ProcessCpuTime; root: string } {
  const root = repositories.baselineRoot(name);
  const scriptPath = join(repositories.parent, `${name}.sh`);
  writeFileSync(scriptPath, baselineScriptText({ ticketIds: repositories.ticketIds, baseBranch: 'main', branchPrefix: 'agent/', author: BENCH_AUTHOR, removeWorktrees }));
  const cpuStarted = readProcessCpuTime();
  const started = performance.now();
  const result = spawnSync('bash', [scriptPath, root, join(repositories.parent, `${name}-worktrees`), join(repositories.parent, `${name}-records`)], {
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const milliseconds = performance.now() - started;
  const cpuEnded = readProcessCpuTime();
  if (result.status !== 0) throw new Error(`overhead: the baseline script ${scriptPath} failed (exit ${result.status}): ${result.stderr}`);
  return { milliseconds, root, ...withCpu(cpuTimeBetween(cpuStarted, cpuEnded)) };
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
