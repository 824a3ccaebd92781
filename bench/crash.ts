import { parseArgs } from 'node:util';
import { countDuplicates, noDuplicates, type CrashDuplicates } from '../src/testing/crash-harness/check-crash-outcome.js';
import { runCrashTrial, type CrashTrialResult } from '../src/testing/crash-harness/run-crash-trial.js';
import { formatTable } from './format-table.js';

const HELP = `Usage: node --import tsx bench/crash.ts [options]   (npm run bench:crash -- …)

The crash test of durability: each trial runs a night of real Claude Code agents
against the scripted model server in a child orchestrator, kills the orchestrator
with SIGKILL at seeded moments (a time after it started, or shortly after a step
it reported), restarts it each time, lets the last run finish, runs once more,
then checks that every ticket reached its scripted end with no duplicate commit,
MR, checkpoint, follow-up or escalation, and that no agent was left running.

Options:
  --trials <n>      trials to run (default 10)
  --seed <n>        seed of the first trial; trial i uses seed + i (default 1).
                    Replay a failing trial with --trials 1 --seed <its seed>.
  --tickets <n>     tickets per night (default 5: a stacked pair, a partial
                    result with a follow-up, an escalation, and a plain one)
  --parallel <n>    parallel agents (default 2)
  --kills <n>       kills per trial before the night may finish (default 3)
  --max-delay <ms>  latest time kill after the child starts (default 6000)
  --keep            keep the temp repositories of failing trials
  --help            show this help

Prints one row per trial, the failures with their seeds and reasons, then
CRASH trials=<n> failures=<f> duplicates=<d>
and exits 1 when any trial failed.`;

interface CrashBenchOptions {
  trials: number;
  seed: number;
  tickets: number;
  parallel: number;
  kills: number;
  maxDelay: number;
  keep: boolean;
}

function readOptions(argv: string[]): CrashBenchOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      trials: { type: 'string', default: '10' },
      seed: { type: 'string', default: '1' },
      tickets: { type: 'string', default: '5' },
      parallel: { type: 'string', default: '2' },
      kills: { type: 'string', default: '3' },
      'max-delay': { type: 'string', default: '6000' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return undefined;
  const whole = (name: string, text: string, minimum: number): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < minimum) throw new Error(`crash: --${name} must be a whole number ≥ ${minimum}, got ${JSON.stringify(text)}`);
    return value;
  };
  return {
    trials: whole('trials', values.trials, 1),
    seed: whole('seed', values.seed, 0),
    tickets: whole('tickets', values.tickets, 1),
    parallel: whole('parallel', values.parallel, 1),
    kills: whole('kills', values.kills, 0),
    maxDelay: whole('max-delay', values['max-delay'], 300),
    keep: values.keep,
  };
}

function addDuplicates(total: CrashDuplicates, more: CrashDuplicates): void {
  for (const key of Object.keys(total) as (keyof CrashDuplicates)[]) total[key] += more[key];
}

async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2));
  if (options === undefined) {
    console.log(HELP);
    return;
  }
  console.log(
    `Crash test: ${options.trials} trial(s) from seed ${options.seed}, ${options.tickets} tickets, ${options.parallel} parallel agents, ${options.kills} kill(s) per trial\n`,
  );
  const results: CrashTrialResult[] = [];
  const rows: string[][] = [];
  const headers = ['seed', 'kills', 'runs', 'kill trigger→last step reported', 'orphans', 'unrecorded', 'reaped', 'dups', 'seconds', 'result'];
  for (let index = 0; index < options.trials; index += 1) {
    const seed = options.seed + index;
    const result = await runCrashTrial({
      seed,
      ticketCount: options.tickets,
      parallelAgents: options.parallel,
      kills: options.kills,
      maximumDelayMilliseconds: options.maxDelay,
      keepRepository: options.keep,
    });
    results.push(result);
    const landed = result.kills.filter((kill) => kill.landed);
    const row = [
      String(seed),
      `${landed.length}/${result.kills.length}`,
      String(result.runs),
      landed.map((kill) => `${kill.trigger}→${kill.lastStep ?? '?'}`).join('; ') || '-',
      String(result.orphansLeft),
      String(result.orphansUnrecorded),
      String(result.orphansReaped),
      String(countDuplicates(result.duplicates)),
      (result.durationMilliseconds / 1000).toFixed(1),
      result.problems.length === 0 ? 'ok' : 'FAIL',
    ];
    rows.push(row);
    console.log(`trial ${index + 1}/${options.trials}: ${row.join('  ')}`);
    if (result.problems.length > 0 && result.repositoryRoot !== undefined) console.log(`  kept ${result.repositoryRoot}`);
  }

  console.log(`\n${formatTable(headers, rows)}`);
  const failures = results.filter((result) => result.problems.length > 0);
  const duplicates = noDuplicates();
  for (const result of results) addDuplicates(duplicates, result.duplicates);
  if (failures.length > 0) {
    console.log('\nFailures (replay one with --trials 1 --seed <seed>):');
    for (const failure of failures) {
      console.log(`  seed ${failure.seed}:`);
      for (const problem of failure.problems) console.log(`    - ${problem}`);
    }
  }
  const total = (count: (result: CrashTrialResult) => number): number => results.reduce((sum, result) => sum + count(result), 0);
  const kills = results.reduce((sum, result) => sum + result.kills.filter((kill) => kill.landed).length, 0);
  console.log(
    `\nkills landed ${kills}; agents orphaned by the kills ${total((result) => result.orphansLeft)} (${total((result) => result.orphansUnrecorded)} not yet in the process registry), reaped on restart ${total((result) => result.orphansReaped)}`,
  );
  console.log(`duplicates: ${Object.entries(duplicates).map(([name, count]) => `${name} ${count}`).join(', ')}`);
  console.log(`CRASH trials=${results.length} failures=${failures.length} duplicates=${countDuplicates(duplicates)}`);
  if (failures.length > 0) process.exitCode = 1;
}

await main();
