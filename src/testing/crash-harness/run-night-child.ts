/**
 * The orchestrator a crash trial kills: `node --import tsx run-night-child.ts <repo> [NAME=value …]`
 * opens the runtime the way `nightshift run` does and runs the whole night. It prints one
 * JSON line per progress event on stdout (the parent times some kills on them) and a last
 * `night-end` line, and exits 0 once the night is done (an exception exits 1 with its stack on stderr). The NAME=value arguments are added
 * to the environment the runtime reads (the fake model key).
 */
import { runBatch } from '../../pipeline/run-batch.js';
import { openRuntime } from '../../runtime/open-runtime.js';
import { NIGHT_END_EVENT, type NightChildLine } from './night-child-lines.js';

const [repositoryRoot, ...assignments] = process.argv.slice(2);
if (repositoryRoot === undefined) {
  process.stderr.write('usage: node --import tsx src/testing/crash-harness/run-night-child.ts <repository> [NAME=value …]\n');
  process.exit(2);
}
const extraEnvironment: Record<string, string> = {};
for (const assignment of assignments) {
  const separator = assignment.indexOf('=');
  if (separator <= 0) {
    process.stderr.write(`run-night-child: expected NAME=value, got ${JSON.stringify(assignment)}\n`);
    process.exit(2);
  }
  extraEnvironment[assignment.slice(0, separator)] = assignment.slice(separator + 1);
}

const print = (line: NightChildLine): void => {
  process.stdout.write(`${JSON.stringify(line)}\n`);
};

const runtime = await openRuntime({ repositoryRoot, environment: { ...process.env, ...extraEnvironment } });
try {
  const report = await runBatch(runtime.dependencies, {}, (event) => print(event));
  print({
    type: NIGHT_END_EVENT,
    ...(report.intake?.manifestPath === undefined ? {} : { newBatchId: report.intake.batchId }),
    ...(report.generation === undefined ? {} : { batchId: report.generation.batchId, reapedOrphans: report.generation.reapedOrphans }),
    ...(report.generation?.aborted === undefined ? {} : { aborted: report.generation.aborted.reason }),
    ...(report.generation?.stopped === undefined ? {} : { stopped: report.generation.stopped.reason }),
  });
} finally {
  await runtime.close();
}
// Exit at once: a finished gate leaves a timer of several seconds behind (the shell runner's kill grace), which would only slow the trials.
process.exit(0);
