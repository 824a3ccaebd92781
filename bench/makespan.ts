import { parseArgs } from 'node:util';
import { formatRatioLine, formatTable } from './format-table.js';
import { ORDERING_POLICIES } from './ordering-policies.js';
import { GRAPH_DENSITIES, GRAPH_SHAPES, generateBatchGraph, makespanLowerBound, type GraphDensity } from './random-batch-graph.js';
import { createSeededRandom } from './seeded-random.js';
import { simulateMakespan } from './simulate-makespan.js';
import { summarize } from './summary-statistics.js';

/** Our scheduler's mean makespan over the lower bound must stay at or under this, at every parallelism. */
export const MAKESPAN_TARGET = 1.05;

const HELP = `Usage: node --import tsx bench/makespan.ts [options]

Simulates batches of random dependency graphs and compares the makespan of
Nightshift's scheduler (src/domain/ticket-scheduler.ts) with FIFO and
priority-only orders, as a ratio to the lower bound
max(critical path of true durations, total work / parallel agents).

Options:
  --graphs <n>        random graphs to simulate (default 500)
  --min-tickets <n>   fewest tickets in a graph (default 20)
  --max-tickets <n>   most tickets in a graph (default 200)
  --parallel <list>   parallel agent counts, comma-separated (default 1,2,3,5)
  --spread <x>        true duration = estimate × U(1−x, 1+x) (default 0.5)
  --seed <n>          seed of the random graphs (default 1)
  --help              show this help

Prints one table per policy and parallelism, then
RATIO makespan <worst per-parallelism mean of our scheduler> (target ≤ ${MAKESPAN_TARGET}) PASS|FAIL`;

interface MakespanOptions {
  graphs: number;
  minTickets: number;
  maxTickets: number;
  parallel: number[];
  spread: number;
  seed: number;
}

function readOptions(argv: string[]): MakespanOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      graphs: { type: 'string', default: '500' },
      'min-tickets': { type: 'string', default: '20' },
      'max-tickets': { type: 'string', default: '200' },
      parallel: { type: 'string', default: '1,2,3,5' },
      spread: { type: 'string', default: '0.5' },
      seed: { type: 'string', default: '1' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return undefined;
  const whole = (name: string, text: string, minimum: number): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < minimum) throw new Error(`makespan: --${name} must be a whole number ≥ ${minimum}, got ${JSON.stringify(text)}`);
    return value;
  };
  const options: MakespanOptions = {
    graphs: whole('graphs', values.graphs, 1),
    minTickets: whole('min-tickets', values['min-tickets'], 1),
    maxTickets: whole('max-tickets', values['max-tickets'], 1),
    parallel: values.parallel.split(',').map((part) => whole('parallel', part.trim(), 1)),
    spread: Number(values.spread),
    seed: whole('seed', values.seed, 0),
  };
  if (!(options.spread >= 0 && options.spread < 1)) throw new Error(`makespan: --spread must be in [0, 1), got ${JSON.stringify(values.spread)}`);
  if (options.maxTickets < options.minTickets) throw new Error('makespan: --max-tickets must be ≥ --min-tickets');
  return options;
}

function main(): void {
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
  const densities = Object.keys(GRAPH_DENSITIES) as GraphDensity[];
  const random = createSeededRandom(options.seed);
  const ratios = new Map<string, number[]>();
  const record = (key: string, value: number): void => {
    const list = ratios.get(key) ?? [];
    list.push(value);
    ratios.set(key, list);
  };
  const started = performance.now();
  for (let index = 0; index < options.graphs; index += 1) {
    const graph = generateBatchGraph(random, {
      ticketCount: random.integer(options.minTickets, options.maxTickets),
      shape: random.pick(GRAPH_SHAPES),
      density: random.pick(densities),
      durationSpread: options.spread,
    });
    for (const parallelAgents of options.parallel) {
      const bound = makespanLowerBound(graph.tickets, parallelAgents);
      for (const policy of ORDERING_POLICIES) {
        const ratio = simulateMakespan(graph.tickets, policy.forBatch(graph.tickets), parallelAgents) / bound;
        record(`${policy.name}|${parallelAgents}`, ratio);
        record(`${policy.name}|${parallelAgents}|${graph.shape}-${graph.density}`, ratio);
      }
    }
  }
  const elapsedSeconds = (performance.now() - started) / 1000;

  console.log(`Makespan / lower bound, ${options.graphs} random graphs of ${options.minTickets}–${options.maxTickets} tickets, seed ${options.seed}, duration spread ±${options.spread * 100}%`);
  console.log('(lower bound = max(critical path of true durations, total work / parallel agents); 1.000 is optimal)\n');
  const rows: string[][] = [];
  for (const policy of ORDERING_POLICIES) {
    for (const parallelAgents of options.parallel) {
      const summary = summarize(ratios.get(`${policy.name}|${parallelAgents}`) ?? []);
      rows.push([policy.reference ? `${policy.name} *` : policy.name, String(parallelAgents), summary.mean.toFixed(3), summary.p90.toFixed(3), summary.worst.toFixed(3)]);
    }
  }
  console.log(formatTable(['policy', 'agents', 'mean', 'p90', 'worst'], rows));
  console.log('* reference only: knows the true durations, which the real scheduler cannot\n');

  const ours = ORDERING_POLICIES[0]!;
  const shapeRows: string[][] = [];
  for (const shape of GRAPH_SHAPES) {
    for (const density of densities) {
      if (shape === 'local' && density === 'none') continue;
      const key = density === 'none' ? 'none' : `${shape}-${density}`;
      const cells = options.parallel.map((parallelAgents) => {
        const values = density === 'none'
          ? GRAPH_SHAPES.flatMap((anyShape) => ratios.get(`${ours.name}|${parallelAgents}|${anyShape}-none`) ?? [])
          : ratios.get(`${ours.name}|${parallelAgents}|${shape}-${density}`) ?? [];
        const summary = summarize(values);
        return summary.count === 0 ? '-' : `${summary.mean.toFixed(3)}`;
      });
      const count = summarize(GRAPH_SHAPES.flatMap((anyShape) => (density === 'none' || anyShape === shape ? ratios.get(`${ours.name}|${options.parallel[0]}|${anyShape}-${density}`) ?? [] : []))).count;
      shapeRows.push([key, String(count), ...cells]);
    }
  }
  console.log(`Nightshift's scheduler, mean ratio by graph shape and density (expected dependencies per ticket: ${Object.entries(GRAPH_DENSITIES).map(([name, value]) => `${name} ${value}`).join(', ')})`);
  console.log(formatTable(['graphs', 'count', ...options.parallel.map((parallelAgents) => `${parallelAgents} agents`)], shapeRows));

  const perParallelism = options.parallel.map((parallelAgents) => summarize(ratios.get(`${ours.name}|${parallelAgents}`) ?? []).mean);
  const overall = summarize(options.parallel.flatMap((parallelAgents) => ratios.get(`${ours.name}|${parallelAgents}`) ?? [])).mean;
  console.log(`\nOur scheduler: mean over every run ${overall.toFixed(3)}; worst per-parallelism mean ${Math.max(...perParallelism).toFixed(3)} (simulated in ${elapsedSeconds.toFixed(1)} s)`);
  console.log(formatRatioLine('makespan', Math.max(...perParallelism), MAKESPAN_TARGET));
}

main();
