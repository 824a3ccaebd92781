import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseNightChildLine, type NightChildLine } from './night-child-lines.js';

const HERE = dirname(fileURLToPath(import.meta.url));
/** The package root, where `tsx` resolves from. */
const PACKAGE_ROOT = join(HERE, '..', '..', '..');
const CHILD_SCRIPT = join(HERE, 'run-night-child.ts');
const STDERR_TAIL_CHARACTERS = 4_000;
/** How long after the child's exit its pipes may still deliver output. */
const PIPE_DRAIN_MILLISECONDS = 1_000;

/** How one run of the night child ended. */
export interface NightChildExit {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** True when the parent killed it (a planned crash, or the safety timeout). */
  killed: boolean;
  /** True when it ran past the safety timeout and was killed for it. */
  timedOut: boolean;
  durationMilliseconds: number;
  lines: NightChildLine[];
  stderrTail: string;
}

/** A running orchestrator child: its pid, the lines it printed so far, and the means to kill it. */
export interface NightChild {
  pid: number;
  lines: NightChildLine[];
  /** Called for each line as it arrives (after it was added to `lines`). */
  onLine(listener: (line: NightChildLine) => void): void;
  /** SIGKILL to the orchestrator alone: its agents run in their own process groups and are left behind, like after a real crash. */
  kill(): void;
  exited: Promise<NightChildExit>;
}

/**
 * Starts `run-night-child.ts` on the repository in a fresh Node process. Its stdout is
 * read line by line; stdin is closed. The exit is reported on the process's `exit`, not
 * on the pipes' close, since an orphan may hold an inherited pipe open.
 */
export function startNightChild(request: { repositoryRoot: string; environment: Record<string, string>; timeoutMilliseconds: number }): NightChild {
  const assignments = Object.entries(request.environment).map(([name, value]) => `${name}=${value}`);
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD_SCRIPT, request.repositoryRoot, ...assignments], {
    cwd: PACKAGE_ROOT,
    env: process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`crash harness: could not start ${CHILD_SCRIPT} with ${process.execPath}`);
  const started = performance.now();
  const lines: NightChildLine[] = [];
  const listeners: ((line: NightChildLine) => void)[] = [];
  let pending = '';
  let stderrTail = '';
  let killed = false;
  let timedOut = false;
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    pending += chunk;
    const complete = pending.split('\n');
    pending = complete.pop() ?? '';
    for (const text of complete) {
      const line = parseNightChildLine(text.trim());
      if (line === undefined) continue;
      lines.push(line);
      for (const listener of listeners) listener(line);
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL_CHARACTERS);
  });
  const kill = (): void => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    killed = true;
    child.kill('SIGKILL');
  };
  const safetyTimer = setTimeout(() => {
    timedOut = true;
    kill();
  }, request.timeoutMilliseconds);
  const exited = new Promise<NightChildExit>((resolve) => {
    let settled = false;
    const settle = (exitCode: number | null, signal: NodeJS.Signals | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(safetyTimer);
      child.stdout.destroy();
      child.stderr.destroy();
      resolve({ exitCode, signal, killed, timedOut, durationMilliseconds: performance.now() - started, lines, stderrTail });
    };
    child.once('close', settle);
    // An orphan holding an inherited pipe open would delay `close` forever: the exit is enough, once the output has drained.
    child.once('exit', (exitCode, signal) => setTimeout(() => settle(exitCode, signal), PIPE_DRAIN_MILLISECONDS));
  });
  return { pid: child.pid, lines, onLine: (listener) => listeners.push(listener), kill, exited };
}
