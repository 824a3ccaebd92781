import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const HELP = `Usage: node --import tsx bench/run-all.ts [--quick] [--seed <n>]

Runs every benchmark of bench/ one after the other, each in its own Node process,
streams their tables, then repeats their RATIO lines at the end. Exits 0 when the
benchmarks ran, whether or not they met their targets (they report; CI decides).

Options:
  --quick      smaller sizes, for a quick look (makespan: 100 graphs; overhead: 50 tickets).
               The overhead target is set at 200 tickets: Nightshift's first tickets
               are slower (the first ten ~8 ms each, the next twenty ~4 ms, as the
               process warms up), which over 50 tickets weighs four times as much:
               the ratio reads about 0.1 higher (1.25-1.30 measured).
  --seed <n>   seed passed to every benchmark (default 1)
  --help       show this help`;

/** Each benchmark and the arguments it gets, full size or quick. */
function benchmarks(quick: boolean, seed: string): { file: string; arguments: string[] }[] {
  return [
    { file: 'makespan.ts', arguments: ['--seed', seed, ...(quick ? ['--graphs', '100'] : [])] },
    { file: 'overhead.ts', arguments: ['--seed', seed, ...(quick ? ['--tickets', '50', '--count-tickets', '10'] : [])] },
  ];
}

/** Runs one benchmark with this Node and tsx, echoing its output, and returns its RATIO lines. */
function runBenchmark(path: string, benchmarkArguments: string[]): Promise<{ ratios: string[]; exitCode: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path, ...benchmarkArguments], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      process.stdout.write(chunk);
    });
    child.on('error', reject);
    child.on('close', (exitCode) => resolve({ ratios: output.split('\n').filter((line) => line.startsWith('RATIO ')), exitCode }));
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { quick: { type: 'boolean', default: false }, seed: { type: 'string', default: '1' }, help: { type: 'boolean', default: false } },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const directory = dirname(fileURLToPath(import.meta.url));
  const ratios: string[] = [];
  const failures: string[] = [];
  for (const benchmark of benchmarks(values.quick, values.seed)) {
    console.log(`\n=== ${benchmark.file} ${benchmark.arguments.join(' ')}\n`);
    const result = await runBenchmark(join(directory, benchmark.file), benchmark.arguments);
    ratios.push(...result.ratios);
    if (result.exitCode !== 0 || result.ratios.length === 0) failures.push(`${benchmark.file} exited ${result.exitCode} without a RATIO line`);
  }
  console.log('\n=== Summary');
  for (const line of [...ratios, ...failures.map((failure) => `ERROR ${failure}`)]) console.log(line);
  if (failures.length > 0) process.exitCode = 1;
}

await main();
