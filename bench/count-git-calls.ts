import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { parseArgs } from 'node:util';
import { createGitCallCounter, type GitCallTally } from './git-call-counter.js';

/**
 * Counts the git processes Nightshift and the baseline start per ticket, through a
 * counting `git` shim first on PATH. Runs in a process of its own, started by
 * overhead.ts: Nightshift's resident git shell takes PATH when it starts, so the shim
 * must be on PATH before this process runs any git. Prints one JSON line:
 * `{"nightshift": [[subcommand, tally], …], "baseline": […]}`. Not timed: the shim
 * costs a bash start per call.
 */
const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    tickets: { type: 'string', default: '30' },
    'repo-files': { type: 'string', default: '20' },
    'keep-worktrees': { type: 'boolean', default: false },
    seed: { type: 'string', default: '1' },
    directory: { type: 'string' },
  },
});

const counterDirectory = mkdtempSync(join(tmpdir(), 'nightshift-git-counter-'));
const counter = createGitCallCounter(counterDirectory);
process.env.PATH = `${counter.directory}${delimiter}${process.env.PATH ?? ''}`;
// Imported only now, so that nothing has started git before PATH names the shim.
const { createBenchRepositories, defaultBenchDirectory, runBaseline, runNightshift } = await import('./overhead-runs.js');
const settings = {
  directory: values.directory ?? defaultBenchDirectory(),
  parallelAgents: 1,
  removeWorktrees: !values['keep-worktrees'],
  fillerFiles: Number(values['repo-files']),
  seed: Number(values.seed),
};
const repositories = createBenchRepositories(Number(values.tickets), settings);
try {
  counter.reset();
  runBaseline(repositories, 'baseline', settings.removeWorktrees);
  const baseline = counter.read();
  counter.reset();
  await runNightshift(repositories.nightshiftRoot);
  const nightshift = counter.read();
  const entries = (map: Map<string, GitCallTally>): [string, GitCallTally][] => [...map.entries()];
  console.log(JSON.stringify({ nightshift: entries(nightshift), baseline: entries(baseline) }));
} finally {
  repositories.cleanup();
  rmSync(counterDirectory, { recursive: true, force: true });
}
