import { spawn } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import { sandboxAgentCommand, type AgentProcessSandbox } from './agent-sandbox.js';
import { ProcessGroup } from './process-group.js';

/** What to run, where, and how long to let it run; stdout is streamed to `onStdout`. */
export interface AgentProcessRequest {
  executable: string;
  arguments: string[];
  workingDirectory: string;
  environment: Record<string, string>;
  timeoutMilliseconds: number;
  /** Between SIGTERM and SIGKILL when the timeout strikes; 3 s unless told. */
  killGraceMilliseconds?: number;
  /** Decoded stdout text as it arrives (chunks, not lines). */
  onStdout(text: string): void;
  /** Ends the whole process group when it aborts (the orchestrator stops, or the agent stalled). */
  signal?: AbortSignal;
  /** Told the process id (the group's leader) as soon as it started, so orphans can be found after a crash. */
  onStart?(processId: number): void;
  /** Runs the command inside bubblewrap, confined to its worktree and private directory; unconfined when absent. */
  sandbox?: AgentProcessSandbox;
}

/**
 * The program and arguments actually spawned for a request: the agent's own command line, or
 * bubblewrap's around it. The one place where a sandbox is put around an agent process.
 */
export function commandLineFor(request: Pick<AgentProcessRequest, 'executable' | 'arguments' | 'workingDirectory' | 'environment' | 'sandbox'>): { executable: string; arguments: string[] } {
  if (request.sandbox === undefined) return { executable: request.executable, arguments: request.arguments };
  return sandboxAgentCommand(request.sandbox, { executable: request.executable, arguments: request.arguments, workingDirectory: request.workingDirectory, pathVariable: request.environment.PATH });
}

/** How the agent process ended; a timeout or a failed start is a value, never an exception. */
export interface AgentProcessOutcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** True when the request's signal aborted the process. */
  cancelled?: boolean;
  /** The last few thousand characters of stderr. */
  stderrTail: string;
  /** Set when the process could not be started at all (missing binary, bad directory). */
  startError?: string;
}

const STDERR_TAIL_CHARACTERS = 4_000;

/**
 * Runs an agent CLI in a process group of its own with stdin closed, so that a timeout
 * ends the agent and every command it started, and leftovers are ended when it exits.
 * Shared by the Claude Code and command agent adapters.
 */
export function runAgentProcess(request: AgentProcessRequest): Promise<AgentProcessOutcome> {
  const grace = request.killGraceMilliseconds ?? 3_000;
  return new Promise((resolve) => {
    let child: ReturnType<typeof spawn>;
    try {
      const command = commandLineFor(request);
      child = spawn(command.executable, command.arguments, {
        cwd: request.workingDirectory,
        env: request.environment,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (error) {
      resolve({ exitCode: null, signal: null, timedOut: false, stderrTail: '', startError: (error as Error).message });
      return;
    }
    const stdoutDecoder = new StringDecoder('utf8');
    const stderrDecoder = new StringDecoder('utf8');
    let stderrTail = '';
    child.stdout?.on('data', (chunk: Buffer) => request.onStdout(stdoutDecoder.write(chunk)));
    child.stderr?.on('data', (chunk: Buffer) => {
      stderrTail = (stderrTail + stderrDecoder.write(chunk)).slice(-STDERR_TAIL_CHARACTERS);
    });

    const group = new ProcessGroup(child.pid, grace);
    if (child.pid !== undefined) request.onStart?.(child.pid);
    let timedOut = false;
    let cancelled = false;
    let terminating = false;
    const cancel = (): void => {
      cancelled = true;
      terminating = true;
      group.terminate();
    };
    if (request.signal?.aborted === true) cancel();
    else request.signal?.addEventListener('abort', cancel, { once: true });
    let closeTimer: NodeJS.Timeout | undefined;
    const timeoutTimer = setTimeout(() => {
      timedOut = true;
      terminating = true;
      group.terminate();
    }, request.timeoutMilliseconds);

    let finished = false;
    const finish = (exitCode: number | null, signal: NodeJS.Signals | null, startError?: string): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timeoutTimer);
      request.signal?.removeEventListener('abort', cancel);
      group.forget();
      clearTimeout(closeTimer);
      const rest = stdoutDecoder.end();
      if (rest) request.onStdout(rest);
      stderrTail = (stderrTail + stderrDecoder.end()).slice(-STDERR_TAIL_CHARACTERS);
      resolve({ exitCode, signal, timedOut, stderrTail, ...(cancelled ? { cancelled } : {}), ...(startError === undefined ? {} : { startError }) });
    };

    child.on('error', (error) => {
      if (child.pid === undefined) finish(null, null, error.message);
    });
    let afterExit: Promise<void> = Promise.resolve();
    child.on('exit', (exitCode, signal) => {
      // Asked to stop, the rest of the group keeps the grace period: a sandboxed agent's leader is
      // bubblewrap, which ends at SIGTERM at once, while the agent is still ending its commands.
      afterExit = (terminating ? group.waitUntilGone() : Promise.resolve()).then(() => {
        group.kill();
        // A grandchild outside the group may hold the pipes open: do not wait for it forever.
        closeTimer = setTimeout(() => {
          child.stdout?.destroy();
          child.stderr?.destroy();
          finish(exitCode, signal);
        }, grace);
      });
    });
    child.on('close', (exitCode, signal) => {
      void afterExit.then(() => finish(exitCode, signal));
    });
  });
}
