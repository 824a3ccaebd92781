import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isProcessGoneSoon, readPidFile } from '../../testing/process-liveness.js';
import { runAgentProcess, type AgentProcessRequest } from './run-agent-process.js';

describe('runAgentProcess', () => {
  let cwd: string;
  let stdout: string;

  beforeEach(() => {
    cwd = realpathSync(mkdtempSync(join(tmpdir(), 'nightshift-agent-process-')));
    stdout = '';
  });
  afterEach(() => rmSync(cwd, { recursive: true, force: true }));

  const shell = (script: string, overrides: Partial<AgentProcessRequest> = {}): AgentProcessRequest => ({
    executable: 'sh',
    arguments: ['-c', script],
    workingDirectory: cwd,
    environment: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    timeoutMilliseconds: 10_000,
    killGraceMilliseconds: 300,
    onStdout: (text) => (stdout += text),
    ...overrides,
  });

  it('streams stdout and reports the exit code and the tail of stderr', async () => {
    const outcome = await runAgentProcess(shell('echo "out in $(pwd)"; echo oops >&2; exit 3'));
    expect(outcome).toEqual({ exitCode: 3, signal: null, timedOut: false, stderrTail: 'oops\n' });
    expect(stdout).toBe(`out in ${cwd}\n`);
  });

  it('reports a program that cannot be started as a start error, not an exception', async () => {
    const outcome = await runAgentProcess(shell('', { executable: join(cwd, 'no-such-agent') }));
    expect(outcome.exitCode).toBeNull();
    expect(outcome.timedOut).toBe(false);
    expect(outcome.startError).toContain('ENOENT');
  });

  it('kills the whole group on timeout, children that ignore SIGTERM included', async () => {
    const script = 'trap "" TERM; sh -c \'trap "" TERM; sleep 30\' & echo $! > child.pid; echo started; wait; wait';
    const outcome = await runAgentProcess(shell(script, { timeoutMilliseconds: 300 }));
    expect(outcome.timedOut).toBe(true);
    expect(outcome.signal).toBe('SIGKILL');
    expect(stdout).toBe('started\n');
    expect(await isProcessGoneSoon(await readPidFile(join(cwd, 'child.pid')))).toBe(true);
  });

  it('ends what the agent left running in the background when it exits', async () => {
    const outcome = await runAgentProcess(shell('sleep 30 >/dev/null 2>&1 & echo $! > child.pid; echo done'));
    expect(outcome).toMatchObject({ exitCode: 0, timedOut: false });
    expect(stdout).toBe('done\n');
    expect(await isProcessGoneSoon(await readPidFile(join(cwd, 'child.pid')))).toBe(true);
  });
});
