import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { StringDecoder } from 'node:string_decoder';
import type { CommandOutcome, CommandRunner } from '../../../ports/command-runner.js';
import { delay, ProcessGroup } from '../../shared/process-group.js';
import { OutputTail } from './output-tail.js';

/**
 * Variables a check command sees from Nightshift's own environment. The command runs
 * code an agent wrote, so tracker and code-host tokens must not reach it; anything
 * else a repository's checks need is named in `environmentAllowList` or passed per run.
 */
export const DEFAULT_ENVIRONMENT_ALLOW_LIST = [
  'PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LANGUAGE', 'LC_ALL', 'LC_CTYPE', 'TZ',
  'TMPDIR', 'TEMP', 'TMP', 'TERM', 'CI', 'NODE_OPTIONS', 'JAVA_HOME', 'GOPATH', 'GOROOT', 'CARGO_HOME', 'RUSTUP_HOME',
  'VIRTUAL_ENV', 'PYTHONPATH',
];

export interface ShellCommandRunnerOptions {
  /** How long a timed-out command gets between SIGTERM and SIGKILL; 5 s unless told. */
  killGraceMilliseconds?: number;
  /** How many of the last output lines to keep; 80 unless told. */
  tailLines?: number;
  /** More variable names the commands may see, beyond {@link DEFAULT_ENVIRONMENT_ALLOW_LIST}. */
  environmentAllowList?: string[];
}

/**
 * Runs a repository's configured check command with `sh -c` (the owner's own
 * configuration, never ticket text) in a worktree, in a process group of its own,
 * so that a timeout ends the command and everything it started.
 */
export class ShellCommandRunner implements CommandRunner {
  private readonly killGraceMilliseconds: number;
  private readonly tailLines: number;
  private readonly allowList: string[];

  constructor(options: ShellCommandRunnerOptions = {}) {
    this.killGraceMilliseconds = options.killGraceMilliseconds ?? 5_000;
    this.tailLines = options.tailLines ?? 80;
    this.allowList = [...DEFAULT_ENVIRONMENT_ALLOW_LIST, ...(options.environmentAllowList ?? [])];
  }

  run(request: { command: string; cwd: string; timeoutMilliseconds: number; environment?: Record<string, string> }): Promise<CommandOutcome> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    if (!existsSync(request.cwd) || !statSync(request.cwd).isDirectory()) {
      return Promise.resolve({ exitCode: null, timedOut: false, durationMilliseconds: elapsed(), outputTail: `cannot run the check: directory ${request.cwd} does not exist` });
    }
    const tail = new OutputTail(this.tailLines);
    const child = spawn('sh', ['-c', request.command], {
      cwd: request.cwd,
      env: { ...this.allowedEnvironment(), ...request.environment },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
    child.stdout.on('data', (chunk: Buffer) => tail.push(decoders.stdout.write(chunk)));
    child.stderr.on('data', (chunk: Buffer) => tail.push(decoders.stderr.write(chunk)));

    return new Promise((resolve) => {
      const group = new ProcessGroup(child.pid, this.killGraceMilliseconds);
      let timedOut = false;
      const timeoutTimer = setTimeout(() => {
        timedOut = true;
        group.terminate();
      }, request.timeoutMilliseconds);

      let finished = false;
      const finish = (exitCode: number | null, problem?: string) => {
        if (finished) return;
        finished = true;
        clearTimeout(timeoutTimer);
        group.forget();
        tail.push(decoders.stdout.end() + decoders.stderr.end());
        if (problem !== undefined) tail.push(`\n${problem}`);
        resolve({ exitCode, timedOut, durationMilliseconds: elapsed(), outputTail: tail.text() });
      };

      child.once('error', (error) => finish(null, `cannot run the check: ${error.message}`));
      child.once('exit', (code) => {
        clearTimeout(timeoutTimer);
        // Whatever the shell left running in its group (servers, watchers, sleepers) ends with it.
        group.terminate();
        const closed = new Promise<void>((done) => child.once('close', () => done()));
        void Promise.race([closed, delay(this.killGraceMilliseconds)])
          .then(() => group.waitUntilGone())
          .then(() => {
            child.stdout.destroy();
            child.stderr.destroy();
            finish(timedOut ? null : code);
          });
      });
    });
  }

  private allowedEnvironment(): Record<string, string> {
    const environment: Record<string, string> = {};
    for (const name of this.allowList) {
      const value = process.env[name];
      if (value !== undefined) environment[name] = value;
    }
    return environment;
  }
}
