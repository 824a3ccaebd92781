import { existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isProcessAlive, isProcessGoneSoon, readPidFile } from '../../testing/process-liveness.js';
import { startAgentProcessWithStdio, type AgentProcessWithStdio, type AgentProcessWithStdioRequest } from './start-agent-process-with-stdio.js';

describe('startAgentProcessWithStdio', () => {
  let cwd: string;

  beforeEach(() => {
    cwd = realpathSync(mkdtempSync(join(tmpdir(), 'nightshift-agent-stdio-')));
  });
  afterEach(() => rmSync(cwd, { recursive: true, force: true }));

  const shell = (script: string, overrides: Partial<AgentProcessWithStdioRequest> = {}): AgentProcessWithStdioRequest => ({
    executable: 'sh',
    arguments: ['-c', script],
    workingDirectory: cwd,
    environment: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    timeoutMilliseconds: 10_000,
    killGraceMilliseconds: 300,
    ...overrides,
  });

  const readAll = (agent: AgentProcessWithStdio): Promise<string> =>
    new Promise((resolve) => {
      let text = '';
      agent.stdout.setEncoding('utf8');
      agent.stdout.on('data', (chunk: string) => (text += chunk));
      agent.stdout.on('close', () => resolve(text));
    });

  it('talks over stdin and stdout, and reports the exit code and the tail of stderr', async () => {
    const started: number[] = [];
    const agent = startAgentProcessWithStdio(shell('read line; echo "got $line in $(pwd)"; echo oops >&2; exit 3', { onStart: (pid) => started.push(pid) }));
    const output = readAll(agent);
    agent.stdin.write('hello\n');
    expect(await output).toBe(`got hello in ${cwd}\n`);
    expect(await agent.outcome).toEqual({ exitCode: 3, signal: null, timedOut: false, stderrTail: 'oops\n' });
    expect(started).toEqual([agent.processId]);
  });

  it('reports a program that cannot be started as a start error, not an exception', async () => {
    const agent = startAgentProcessWithStdio(shell('', { executable: join(cwd, 'no-such-agent') }));
    agent.stdin.write('ignored\n');
    const outcome = await agent.outcome;
    expect(outcome.exitCode).toBeNull();
    expect(outcome.startError).toContain('ENOENT');
  });

  it('ends the group when the caller stops it, without calling that a timeout or a cancellation', async () => {
    const agent = startAgentProcessWithStdio(shell('sleep 30 & echo $! > child.pid; wait'));
    const output = readAll(agent);
    await new Promise((resolve) => setTimeout(resolve, 200));
    agent.stop();
    const outcome = await agent.outcome;
    expect(outcome).toMatchObject({ signal: 'SIGTERM', timedOut: false });
    expect(outcome.cancelled).toBeUndefined();
    expect(await output).toBe('');
    expect(await isProcessGoneSoon(await readPidFile(join(cwd, 'child.pid')))).toBe(true);
  });

  it('settles only once the members outliving a stopped leader have ended what they started', async () => {
    const member = `sh -c 'trap "sleep 0.3; echo cleaned > cleaned.txt; exit 0" TERM; while true; do sleep 0.05; done' >/dev/null 2>&1 </dev/null &`;
    const agent = startAgentProcessWithStdio(shell(`${member} trap 'exit 0' TERM; echo ready; wait`, { killGraceMilliseconds: 3_000 }));
    const output = readAll(agent);
    await new Promise((resolve) => setTimeout(resolve, 300));
    agent.stop();
    await agent.outcome;
    expect(existsSync(join(cwd, 'cleaned.txt'))).toBe(true);
    expect(await output).toBe('ready\n');
  });

  it('ends the process groups of its own that a command was started in', async () => {
    const agent = startAgentProcessWithStdio(shell('setsid sleep 30 & echo $! > child.pid; echo started; wait'));
    const output = readAll(agent);
    await new Promise((resolve) => setTimeout(resolve, 500));
    agent.stop();
    await agent.outcome;
    expect(await output).toBe('started\n');
    expect(isProcessAlive(await readPidFile(join(cwd, 'child.pid')))).toBe(false);
  });

  it('kills the whole group on timeout and on abort, marking the outcome accordingly', async () => {
    const stubborn = 'trap "" TERM; sh -c \'trap "" TERM; sleep 30\' & echo $! > child.pid; wait; wait';
    const timedOut = await startAgentProcessWithStdio(shell(stubborn, { timeoutMilliseconds: 300 })).outcome;
    expect(timedOut).toMatchObject({ timedOut: true, signal: 'SIGKILL' });
    expect(await isProcessGoneSoon(await readPidFile(join(cwd, 'child.pid')))).toBe(true);

    const controller = new AbortController();
    const aborted = startAgentProcessWithStdio(shell('sleep 30', { signal: controller.signal }));
    controller.abort();
    expect(await aborted.outcome).toMatchObject({ cancelled: true, timedOut: false, signal: 'SIGTERM' });
  });
});
