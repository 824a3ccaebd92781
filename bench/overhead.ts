import { execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { InstantAgent } from '../src/testing/instant-agent.js';
import { BaselineInterleavingAgent } from './baseline-interleaving-agent.js';
import { formatRatioLine, formatTable } from './format-table.js';
import { pairInterleavedTimes, type InterleavedPair } from './interleaved-pairs.js';
import type { GitCallTally } from './git-call-counter.js';
import {
  countAgentBranches,
  createBenchRepositories,
  defaultBenchDirectory,
  isWritableDirectory,
  measureGitSpawnCost,
  prepareChunkedBaseline,
  runNightshift,
  type RepositorySettings,
} from './overhead-runs.js';
import { readProcessCpuTime, type ProcessCpuTime } from './process-cpu-time.js';

/** Nightshift's intake + generation time per ticket over the bash baseline's must stay at or under this. */
export const OVERHEAD_TARGET = 1.25;

/** Port methods that run in the background (queued log lines): their wall time overlaps everything else. */
const BACKGROUND_METHODS = new Set(['artifacts.appendLine']);

const HELP = `Usage: node --import tsx bench/overhead.ts [options]

Times Nightshift's intake + generation with an instant agent (no model, no
process: src/testing/instant-agent.ts) on a real git repository, against a bash
script running the same git commands per ticket (rev-parse of the start point,
worktree add -b, git status after C0 and after C1, write a file, add -A, commit,
rev-parse HEAD, a JSON MR record, and worktree remove when Nightshift removes its
worktrees) on a copy of the same repository: the ratio is Nightshift's own
overhead (Node, the store, the orchestration).

The two alternate in chunks of --chunk tickets, in the order baseline,
Nightshift, Nightshift, baseline, baseline, Nightshift, ... (A-B-B-A, so a disk
that slows down or speeds up through the run favours neither side): Nightshift is
paused while bash runs a baseline chunk, and the pause is taken out of its time.
A slow spell of the disk thus lands on both sides; run back to back, either side
could catch it alone (these machines vary by half from one minute to the next).

Options:
  --tickets <n>         tickets in the timed run, one batch (default 200, at most 500)
  --chunk <n>           tickets per alternation (default 25)
  --count-tickets <n>   tickets in the extra run that counts git processes
                        through a shim on PATH (default 30; 0 skips it)
  --parallel <n>        batch.parallel_agents for Nightshift (default 1: the
                        baseline is sequential too)
  --repo-files <n>      filler files in the repository (default 20)
  --keep-worktrees      generation.remove_worktrees: false (default true,
                        Nightshift's default)
  --seed <n>            seed of the tickets' priorities (default 1)
  --directory <path>    where the repositories go (default /dev/shm, a RAM disk,
                        when writable, else the system temp directory); e.g.
                        --directory "\${TMPDIR:-/tmp}" to time on the disk, where
                        this machine's file allocator makes each run swing by a
                        third (see bench/README.md)
  --keep                keep the temp directories and print where they are
  --help                show this help

Prints per-ticket milliseconds for both, where Nightshift's time goes, then
RATIO overhead <Nightshift ms per ticket / baseline ms per ticket> (target ≤ ${OVERHEAD_TARGET}) PASS|FAIL`;

interface OverheadOptions extends RepositorySettings {
  tickets: number;
  ticketsPerChunk: number;
  countTickets: number;
  keep: boolean;
}

function readOptions(argv: string[]): OverheadOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      tickets: { type: 'string', default: '200' },
      chunk: { type: 'string', default: '25' },
      'count-tickets': { type: 'string', default: '30' },
      parallel: { type: 'string', default: '1' },
      'repo-files': { type: 'string', default: '20' },
      'keep-worktrees': { type: 'boolean', default: false },
      seed: { type: 'string', default: '1' },
      directory: { type: 'string' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return undefined;
  const whole = (name: string, text: string, minimum: number, maximum: number): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < minimum || value > maximum) {
      throw new Error(`overhead: --${name} must be a whole number from ${minimum} to ${maximum}, got ${JSON.stringify(text)}`);
    }
    return value;
  };
  return {
    tickets: whole('tickets', values.tickets, 1, 500),
    ticketsPerChunk: whole('chunk', values.chunk, 1, 500),
    countTickets: whole('count-tickets', values['count-tickets'], 0, 500),
    parallelAgents: whole('parallel', values.parallel, 1, 32),
    fillerFiles: whole('repo-files', values['repo-files'], 0, 100_000),
    removeWorktrees: !values['keep-worktrees'],
    seed: whole('seed', values.seed, 0, Number.MAX_SAFE_INTEGER),
    directory: writableDirectory(values.directory),
    keep: values.keep,
  };
}

const format = (value: number): string => value.toFixed(2);

/** The `--directory` given, checked, or the default; a bad one is a clear error, not a stack trace. */
function writableDirectory(given: string | undefined): string {
  if (given === undefined) return defaultBenchDirectory();
  const directory = resolve(given);
  if (isWritableDirectory(directory)) return directory;
  throw new Error(`overhead: --directory must be a writable directory, got ${JSON.stringify(given)}`);
}

interface GitCallCounts {
  nightshift: Map<string, GitCallTally>;
  baseline: Map<string, GitCallTally>;
}

/** Runs count-git-calls.ts in a process of its own (the shim must be on PATH before any git starts there). */
function countGitCalls(options: OverheadOptions): GitCallCounts {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'count-git-calls.ts');
  const output = execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      script,
      '--tickets',
      String(options.countTickets),
      '--repo-files',
      String(options.fillerFiles),
      '--seed',
      String(options.seed),
      '--directory',
      options.directory,
      ...(options.removeWorktrees ? [] : ['--keep-worktrees']),
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const counts = JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as { nightshift: [string, GitCallTally][]; baseline: [string, GitCallTally][] };
  return { nightshift: new Map(counts.nightshift), baseline: new Map(counts.baseline) };
}

function printGitCalls(tallies: GitCallCounts, ticketCount: number): void {
  const total = (map: Map<string, GitCallTally>): GitCallTally =>
    [...map.values()].reduce((sum, tally) => ({ calls: sum.calls + tally.calls, milliseconds: sum.milliseconds + tally.milliseconds }), { calls: 0, milliseconds: 0 });
  const cells = (tally: GitCallTally | undefined): string[] => [((tally?.calls ?? 0) / ticketCount).toFixed(2), format((tally?.milliseconds ?? 0) / ticketCount)];
  const names = [...new Set([...tallies.nightshift.keys(), ...tallies.baseline.keys()])].sort(
    (left, right) => (tallies.nightshift.get(right)?.milliseconds ?? 0) - (tallies.nightshift.get(left)?.milliseconds ?? 0),
  );
  const rows = names.map((name) => [`git ${name}`, ...cells(tallies.nightshift.get(name)), ...cells(tallies.baseline.get(name))]);
  rows.push(['total', ...cells(total(tallies.nightshift)), ...cells(total(tallies.baseline))]);
  console.log(`\nGit processes per ticket (a separate run of ${ticketCount} tickets through a counting shim on PATH; ms = time inside git itself)`);
  console.log(formatTable(['git subcommand', 'nightshift calls', 'nightshift ms', 'baseline calls', 'baseline ms'], rows));
}

/** Each A-B-B-A group side by side: if one group's ratio stands out, a spell of the machine decided it. */
function printPairs(pairs: readonly InterleavedPair[]): void {
  const rows = pairs.map((pair, index) => [
    String(index),
    String(pair.tickets),
    format(pair.baselineMilliseconds / pair.tickets),
    format(pair.nightshiftMilliseconds / pair.tickets),
    (pair.nightshiftMilliseconds / pair.baselineMilliseconds).toFixed(3),
  ]);
  console.log(`\nA-B-B-A groups (baseline chunk, Nightshift's two chunks, baseline chunk; ms per ticket; Nightshift's time without intake)`);
  console.log(formatTable(['group', 'tickets', 'baseline', 'nightshift', 'ratio'], rows));
}

async function main(): Promise<void> {
  let options: ReturnType<typeof readOptions>;
  try {
    options = readOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\nSee --help.`);
    process.exitCode = 2;
    return;
  }
  if (options === undefined) {
    console.log(HELP);
    return;
  }
  const count = options.tickets;
  readProcessCpuTime();
  const repositories = createBenchRepositories(count, options);
  const baseline = prepareChunkedBaseline(repositories, 'baseline', options.ticketsPerChunk, options.removeWorktrees);
  let nightshift: Awaited<ReturnType<typeof runNightshift>>;
  let baselineCpu: ProcessCpuTime | undefined;
  let pairs: InterleavedPair[];
  try {
    const agent = new BaselineInterleavingAgent(new InstantAgent(), { ticketsPerChunk: options.ticketsPerChunk, chunkCount: baseline.chunkCount, runChunk: baseline.runChunk });
    nightshift = await runNightshift(repositories.nightshiftRoot, {
      agent,
      pausedMilliseconds: () => agent.pausedMilliseconds,
      pausedChildrenCpuMilliseconds: () => baseline.cpu()?.children ?? 0,
    });
    agent.runRemainingChunks();
    baselineCpu = baseline.cpu();
    pairs = pairInterleavedTimes({
      ticketCount: count,
      ticketsPerChunk: options.ticketsPerChunk,
      chunkMilliseconds: baseline.chunkMilliseconds,
      pauses: agent.pauses,
      generationWindow: nightshift.generationWindow,
    });
    if (countAgentBranches(baseline.root) !== count) throw new Error(`overhead: the baseline in ${baseline.root} made ${countAgentBranches(baseline.root)} branches, expected ${count}`);
    const gating = nightshift.states.get('gating') ?? 0;
    const branches = countAgentBranches(repositories.nightshiftRoot);
    if (gating !== count || branches !== count) {
      console.log(`WARNING: Nightshift left ${gating} of ${count} tickets in gating and made ${branches} branches; states: ${JSON.stringify(Object.fromEntries(nightshift.states))}\n`);
    }
  } finally {
    if (options.keep) console.log(`kept ${repositories.parent}`);
    else repositories.cleanup();
  }

  const baselineMilliseconds = baseline.chunkMilliseconds.reduce((sum, milliseconds) => sum + milliseconds, 0);
  const nightshiftMilliseconds = nightshift.intakeMilliseconds + nightshift.generationMilliseconds;
  const chunkPerTicket = baseline.chunkMilliseconds.map((milliseconds, index) => milliseconds / Math.min(options.ticketsPerChunk, count - index * options.ticketsPerChunk));
  console.log(
    `Overhead per ticket: ${count} independent tickets in one batch, parallel_agents ${options.parallelAgents}, remove_worktrees ${options.removeWorktrees}, ${options.fillerFiles} filler files, instant agent; ` +
      `repositories in ${options.directory}${options.directory === '/dev/shm' ? ' (a RAM disk: see --help)' : ''}; ` +
      `the baseline ran in ${baseline.chunkCount} chunks of ${options.ticketsPerChunk} between Nightshift's tickets\n`,
  );
  console.log(
    formatTable(
      ['run', 'total ms', 'ms per ticket'],
      [
        ['baseline (bash + git), all chunks', format(baselineMilliseconds), format(baselineMilliseconds / count)],
        ['nightshift intake', format(nightshift.intakeMilliseconds), format(nightshift.intakeMilliseconds / count)],
        ['nightshift generation (pauses taken out)', format(nightshift.generationMilliseconds), format(nightshift.generationMilliseconds / count)],
        ['nightshift intake + generation', format(nightshiftMilliseconds), format(nightshiftMilliseconds / count)],
      ],
    ),
  );
  console.log(`Baseline ms per ticket by chunk, in order (how much the machine varied): ${chunkPerTicket.map(format).join(', ')}`);
  printPairs(pairs);

  const portRows = [...nightshift.timings.entries()]
    .sort((left, right) => right[1].milliseconds - left[1].milliseconds)
    .filter(([, timing]) => timing.milliseconds / count >= 0.05)
    .map(([name, timing]) => [
      BACKGROUND_METHODS.has(name) ? `${name} (background)` : name,
      (timing.calls / count).toFixed(2),
      format(timing.milliseconds / count),
      `${((100 * timing.milliseconds) / nightshiftMilliseconds).toFixed(0)}%`,
    ]);
  console.log(`\nWhere Nightshift's time goes, by port method (wall time per ticket; under 0.05 ms left out; background writes overlap the rest; agent.runStage without the pauses)`);
  console.log(formatTable(['port method', 'calls/ticket', 'ms/ticket', 'share'], portRows));

  const spawnCost = await measureGitSpawnCost(50);
  console.log(`\nOne trivial git process (git --version): ${format(spawnCost.fromNode)} ms run from Node as GitWorkspace does, ${format(spawnCost.fromBash)} ms from bash`);
  if (options.countTickets > 0) printGitCalls(countGitCalls(options), options.countTickets);

  if (baselineCpu !== undefined && nightshift.cpu !== undefined) {
    const total = (cpu: ProcessCpuTime): number => cpu.self + cpu.children;
    const perTicket = (cpu: ProcessCpuTime): string => `${format(total(cpu) / count)} (own ${format(cpu.self / count)}, children ${format(cpu.children / count)})`;
    console.log('\nCPU time per ticket, user + system (children = bash and git; for Nightshift, its resident git shell and the git it ran)');
    console.log(
      formatTable(
        ['run', 'cpu ms (own, children)'],
        [
          ['baseline (bash + git)', perTicket(baselineCpu)],
          ['nightshift intake + generation', perTicket(nightshift.cpu)],
        ],
      ),
    );
    console.log(`CPU ratio ${(total(nightshift.cpu) / total(baselineCpu)).toFixed(3)} (printed for comparison; the RATIO line uses wall time)`);
  }
  const ratio = nightshiftMilliseconds / baselineMilliseconds;
  console.log(`\nNightshift ${format(nightshiftMilliseconds / count)} ms per ticket, baseline ${format(baselineMilliseconds / count)} ms per ticket (wall time)`);
  console.log(formatRatioLine('overhead', ratio, OVERHEAD_TARGET));
}

await main();
