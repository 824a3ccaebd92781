import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isProcessAlive, readPidFile } from '../../../testing/process-liveness.js';
import { ShellCommandRunner } from './shell-command-runner.js';

describe('ShellCommandRunner', () => {
  let cwd: string;
  const runner = new ShellCommandRunner({ killGraceMilliseconds: 300 });

  beforeEach(() => {
    cwd = realpathSync(mkdtempSync(join(tmpdir(), 'nightshift-runner-')));
  });
  afterEach(() => {
    delete process.env.NIGHTSHIFT_TEST_TOKEN;
    rmSync(cwd, { recursive: true, force: true });
  });

  it('runs the command in the worktree and reports its exit code and output', async () => {
    const outcome = await runner.run({ command: 'pwd; echo "passed: 12 tests"', cwd, timeoutMilliseconds: 10_000 });
    expect(outcome).toEqual({ exitCode: 0, timedOut: false, durationMilliseconds: expect.any(Number), outputTail: `${cwd}\npassed: 12 tests` });
    expect(outcome.durationMilliseconds).toBeGreaterThanOrEqual(0);
  });

  it('reports a failing exit code and a missing command', async () => {
    expect((await runner.run({ command: 'echo failing >&2; exit 3', cwd, timeoutMilliseconds: 10_000 })).exitCode).toBe(3);
    const missing = await runner.run({ command: 'no-such-command-nightshift', cwd, timeoutMilliseconds: 10_000 });
    expect(missing.exitCode).toBe(127);
    expect(missing.outputTail).toContain('no-such-command-nightshift');
  });

  it('interleaves standard output and error as they come', async () => {
    const outcome = await runner.run({ command: 'echo one; sleep 0.1; echo two >&2; sleep 0.1; echo three', cwd, timeoutMilliseconds: 10_000 });
    expect(outcome.outputTail).toBe('one\ntwo\nthree');
  });

  it('keeps only the last 80 lines', async () => {
    const outcome = await runner.run({ command: 'seq 1 5000', cwd, timeoutMilliseconds: 10_000 });
    const lines = outcome.outputTail.split('\n');
    expect(lines).toHaveLength(80);
    expect(lines[0]).toBe('4921');
    expect(lines.at(-1)).toBe('5000');
  });

  it('kills the whole process group on timeout, children included', async () => {
    const outcome = await runner.run({ command: 'sleep 30 & echo $! > child.pid; echo started; wait', cwd, timeoutMilliseconds: 300 });
    expect(outcome.timedOut).toBe(true);
    expect(outcome.exitCode).toBeNull();
    expect(outcome.outputTail).toBe('started');
    const child = await readPidFile(join(cwd, 'child.pid'));
    expect(isProcessAlive(child)).toBe(false);
  });

  it('kills children that ignore SIGTERM once the grace period is over', async () => {
    const command = 'trap "" TERM; sh -c \'trap "" TERM; sleep 30\' & echo $! > child.pid; wait; wait';
    const outcome = await runner.run({ command, cwd, timeoutMilliseconds: 300 });
    expect(outcome.timedOut).toBe(true);
    const child = await readPidFile(join(cwd, 'child.pid'));
    expect(isProcessAlive(child)).toBe(false);
  });

  it('ends what a finished command left running in the background', async () => {
    const outcome = await runner.run({ command: 'sleep 30 >/dev/null 2>&1 & echo $! > child.pid; echo done', cwd, timeoutMilliseconds: 10_000 });
    expect(outcome).toMatchObject({ exitCode: 0, timedOut: false, outputTail: 'done' });
    expect(isProcessAlive(await readPidFile(join(cwd, 'child.pid')))).toBe(false);
  });

  it('passes only allowed variables of its own environment, plus those of the request', async () => {
    process.env.NIGHTSHIFT_TEST_TOKEN = 'secret-token';
    const command = 'echo "token=[$NIGHTSHIFT_TEST_TOKEN] extra=[$EXTRA] path=[${PATH:+set}]"';
    expect((await runner.run({ command, cwd, timeoutMilliseconds: 10_000, environment: { EXTRA: 'yes' } })).outputTail).toBe(
      'token=[] extra=[yes] path=[set]',
    );
    const allowing = new ShellCommandRunner({ environmentAllowList: ['NIGHTSHIFT_TEST_TOKEN'] });
    expect((await allowing.run({ command, cwd, timeoutMilliseconds: 10_000 })).outputTail).toBe('token=[secret-token] extra=[] path=[set]');
  });

  it('reports a working directory that does not exist as an outcome', async () => {
    const outcome = await runner.run({ command: 'true', cwd: join(cwd, 'missing'), timeoutMilliseconds: 10_000 });
    expect(outcome.exitCode).toBeNull();
    expect(outcome.timedOut).toBe(false);
    expect(outcome.outputTail).toContain(join(cwd, 'missing'));
  });
});
