import type { AgentAvailability } from '../../ports/agent.js';
import { runAgentProcess } from './run-agent-process.js';

/**
 * Runs `<binary> --version` (no model involved) and returns the version it printed (on
 * stdout, or on stderr as pi does): the first thing that looks like `1.2.3` in its first
 * line, or the whole first line.
 */
export async function readAgentVersion(binaryPath: string, workingDirectory: string, environment: Record<string, string>): Promise<AgentAvailability> {
  let output = '';
  const outcome = await runAgentProcess({
    executable: binaryPath,
    arguments: ['--version'],
    workingDirectory,
    environment,
    timeoutMilliseconds: 30_000,
    onStdout: (text) => (output += text),
  });
  const firstLine = (output.trim() || outcome.stderrTail.trim()).split('\n')[0]?.trim() ?? '';
  if (outcome.startError !== undefined || outcome.exitCode !== 0 || !/\d/.test(firstLine)) {
    return { ok: false, problem: `${binaryPath} --version failed: ${outcome.startError ?? (outcome.stderrTail.trim() || `exit code ${String(outcome.exitCode)}`)}` };
  }
  return { ok: true, version: /\d+\.\d+\.\d+[^\s]*/.exec(firstLine)?.[0] ?? firstLine };
}
