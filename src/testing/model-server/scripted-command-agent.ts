/**
 * A stand-in agent for the `command` adapter's tests: a script that talks to no model and
 * plays a scenario's actions itself (write, edit and run in its working directory, print
 * the report), so the same scenarios drive both the real agent CLIs and a command agent.
 *
 * Usage: `node --import tsx scripted-command-agent.ts <prompt file> <scenario file>`.
 * A `fail` action prints its message on stderr and exits 1, as a crashing agent would.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { readScenarioMarkers } from '../../domain/scenario-markers.js';
import { findStageScript, loadScenario } from './scenario.js';

async function main(): Promise<number> {
  const [promptFile, scenarioFile] = process.argv.slice(2);
  if (promptFile === undefined || scenarioFile === undefined) {
    process.stderr.write('usage: scripted-command-agent <prompt file> <scenario file>\n');
    return 2;
  }
  const markers = readScenarioMarkers(readFileSync(promptFile, 'utf8'));
  if (markers === undefined) {
    process.stderr.write(`no nightshift markers in ${promptFile}\n`);
    return 2;
  }
  const scenario = await loadScenario(scenarioFile);
  const script = findStageScript(scenario, markers.ticketId, markers.stage, markers.attempt);
  if (script === undefined) {
    process.stderr.write(`scenario ${scenarioFile} has no script for ticket ${markers.ticketId} stage ${markers.stage}\n`);
    return 2;
  }
  const resolvePath = (path: string): string => (isAbsolute(path) ? path : join(process.cwd(), path));
  for (const action of script) {
    switch (action.kind) {
      case 'read':
        readFileSync(resolvePath(action.path), 'utf8');
        break;
      case 'write':
        mkdirSync(dirname(resolvePath(action.path)), { recursive: true });
        writeFileSync(resolvePath(action.path), action.content);
        break;
      case 'edit': {
        const current = readFileSync(resolvePath(action.path), 'utf8');
        writeFileSync(resolvePath(action.path), current.replace(action.oldText, action.newText));
        break;
      }
      case 'run':
        spawnSync('sh', ['-c', action.command], { stdio: ['ignore', process.stderr, process.stderr] });
        break;
      case 'fail':
        process.stderr.write(`${action.message}\n`);
        return 1;
      case 'say':
      case 'report':
        process.stdout.write(`${action.text}\n`);
        return 0;
    }
  }
  process.stdout.write('done\n');
  return 0;
}

process.exitCode = await main();
