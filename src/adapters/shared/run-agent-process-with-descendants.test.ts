import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { runAgentProcessWithDescendants } from './run-agent-process-with-descendants.js';

function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** An "agent" that starts a command in a session (and group) of its own, like the Gemini CLI's shell tool, and waits. */
const AGENT_SCRIPT = 'setsid sleep 60 & echo $!; wait';

describe.skipIf(process.platform !== 'linux')('runAgentProcessWithDescendants', () => {
  it('ends the commands of an agent that timed out, even in groups of their own', async () => {
    let output = '';
    const outcome = await runAgentProcessWithDescendants({
      executable: 'bash',
      arguments: ['-c', AGENT_SCRIPT],
      workingDirectory: tmpdir(),
      environment: { PATH: process.env.PATH ?? '' },
      timeoutMilliseconds: 1_000,
      killGraceMilliseconds: 500,
      onStdout: (text) => (output += text),
    });
    expect(outcome).toMatchObject({ timedOut: true, cancelled: false });
    expect(isRunning(Number(output.trim()))).toBe(false);
  });

  it('ends them when the caller aborts, and says cancelled', async () => {
    let output = '';
    const controller = new AbortController();
    const started: number[] = [];
    const outcome = await runAgentProcessWithDescendants({
      executable: 'bash',
      arguments: ['-c', AGENT_SCRIPT],
      workingDirectory: tmpdir(),
      environment: { PATH: process.env.PATH ?? '' },
      timeoutMilliseconds: 30_000,
      killGraceMilliseconds: 500,
      signal: controller.signal,
      onStart: (processId) => started.push(processId),
      onStdout: (text) => {
        output += text;
        // Once the command has left the agent's group (setsid runs just after the fork).
        setTimeout(() => controller.abort(), 100);
      },
    });
    expect(outcome).toMatchObject({ timedOut: false, cancelled: true });
    expect(started).toEqual([expect.any(Number)]);
    expect(isRunning(Number(output.trim()))).toBe(false);
  });
});
