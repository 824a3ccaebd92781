import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DescendantProcessGroups } from './descendant-process-groups.js';

function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

describe.skipIf(process.platform !== 'linux')('DescendantProcessGroups', () => {
  it('ends a command its agent started in a group of its own, after the agent is gone', async () => {
    // The "agent": a shell that starts a command in a new session (its own group) and reports its pid.
    const agent = spawn('bash', ['-c', 'setsid sleep 60 & echo $!; wait'], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
    const groups = new DescendantProcessGroups(50);
    groups.watch(agent.pid as number);
    const commandPid = await new Promise<number>((resolve) => agent.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))));
    await new Promise((resolve) => setTimeout(resolve, 200));
    process.kill(-(agent.pid as number), 'SIGKILL');
    await new Promise((resolve) => agent.once('exit', resolve));
    expect(isAlive(commandPid)).toBe(true);

    expect(await groups.endLeftovers(1_000)).toEqual([commandPid]);
    expect(isAlive(commandPid)).toBe(false);
  });

  it('has nothing to end when the commands finished with their agent', async () => {
    const agent = spawn('bash', ['-c', 'setsid true; sleep 0.3'], { detached: true, stdio: 'ignore' });
    const groups = new DescendantProcessGroups(50);
    groups.watch(agent.pid as number);
    await new Promise((resolve) => agent.once('exit', resolve));
    expect(await groups.endLeftovers(1_000)).toEqual([]);
  });
});
