import { spawn } from 'node:child_process';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { DescendantProcessGroups } from './descendant-process-groups.js';
import { ProcessGroup } from './process-group.js';
import { commandLineFor, type AgentProcessOutcome, type AgentProcessRequest } from './run-agent-process.js';

/** What to run, where and for how long: {@link AgentProcessRequest} without `onStdout`, since the caller reads stdout itself. */
export type AgentProcessWithStdioRequest = Omit<AgentProcessRequest, 'onStdout'>;

/** An agent process the caller talks to over stdin and stdout (a JSON-RPC peer), in a process group of its own. */
export interface AgentProcessWithStdio {
  /** The group leader's process id; undefined when the process could not be started. */
  processId: number | undefined;
  /** The agent's stdin; write errors after the agent died are swallowed (the outcome says what happened). */
  stdin: Writable;
  stdout: Readable;
  /**
   * Ends the whole group (SIGTERM, SIGKILL after the grace period) once the caller is done with
   * the agent; unlike a timeout or an abort, the outcome is marked neither timed out nor cancelled.
   * Members outliving the leader get the rest of the grace period to end the commands they started.
   */
  stop(): void;
  /** Settles once the process has exited and its pipes are closed (or the grace period after its exit is over). */
  outcome: Promise<AgentProcessOutcome>;
}

const STDERR_TAIL_CHARACTERS = 4_000;

/**
 * {@link runAgentProcess}'s sibling for agents that speak a protocol over stdio (the Agent
 * Client Protocol): the same process group, timeout, abort (outcome `cancelled`), `onStart`
 * and stderr tail, but stdin stays open and stdout is handed to the caller as a stream. The
 * process groups its descendants start of their own (the Gemini CLI and OpenCode run every shell
 * command in one) are watched and ended too, as `runAgentProcessWithDescendants` does. A
 * failed start is a value (`startError` in the outcome), never an exception.
 */
export function startAgentProcessWithStdio(request: AgentProcessWithStdioRequest): AgentProcessWithStdio {
  const grace = request.killGraceMilliseconds ?? 3_000;
  let child: ReturnType<typeof spawn>;
  try {
    const command = commandLineFor(request);
    child = spawn(command.executable, command.arguments, {
      cwd: request.workingDirectory,
      env: request.environment,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  } catch (error) {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    stdout.end();
    return {
      processId: undefined,
      stdin,
      stdout,
      stop: () => {},
      outcome: Promise.resolve({ exitCode: null, signal: null, timedOut: false, stderrTail: '', startError: (error as Error).message }),
    };
  }
  const stdin = child.stdin as Writable;
  const stdout = child.stdout as Readable;
  stdin.on('error', () => {});
  const group = new ProcessGroup(child.pid, grace);
  const descendants = new DescendantProcessGroups();
  let terminating = false;
  const terminate = (): void => {
    if (!terminating) descendants.scan();
    terminating = true;
    group.terminate();
  };
  if (child.pid !== undefined) {
    descendants.watch(child.pid);
    request.onStart?.(child.pid);
  }

  const outcome = new Promise<AgentProcessOutcome>((resolve) => {
    const stderrDecoder = new StringDecoder('utf8');
    let stderrTail = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderrTail = (stderrTail + stderrDecoder.write(chunk)).slice(-STDERR_TAIL_CHARACTERS);
    });
    let timedOut = false;
    let cancelled = false;
    const cancel = (): void => {
      cancelled = true;
      terminate();
    };
    if (request.signal?.aborted === true) cancel();
    else request.signal?.addEventListener('abort', cancel, { once: true });
    const timeoutTimer = setTimeout(() => {
      timedOut = true;
      terminate();
    }, request.timeoutMilliseconds);
    let closeTimer: NodeJS.Timeout | undefined;

    let finished = false;
    const finish = (exitCode: number | null, signal: NodeJS.Signals | null, startError?: string): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timeoutTimer);
      clearTimeout(closeTimer);
      request.signal?.removeEventListener('abort', cancel);
      group.forget();
      stderrTail = (stderrTail + stderrDecoder.end()).slice(-STDERR_TAIL_CHARACTERS);
      const outcome = { exitCode, signal, timedOut, stderrTail, ...(cancelled ? { cancelled } : {}), ...(startError === undefined ? {} : { startError }) };
      void descendants.endLeftovers(grace).then(() => resolve(outcome));
    };
    child.on('error', (error) => {
      if (child.pid === undefined) finish(null, null, error.message);
    });
    let afterExit: Promise<void> = Promise.resolve();
    child.on('exit', (exitCode, signal) => {
      // Asked to stop, the rest of the group gets the grace period to end on its own (and the
      // outcome waits for it): an agent that runs its commands in process groups of their own
      // (Claude Code under claude-agent-acp) ends them only if it is not killed first.
      afterExit = (terminating ? group.waitUntilGone() : Promise.resolve()).then(() => {
        group.kill();
        // A grandchild outside the group may hold the pipes open: do not wait for it forever.
        closeTimer = setTimeout(() => {
          stdout.destroy();
          child.stderr?.destroy();
          finish(exitCode, signal);
        }, grace);
      });
    });
    child.on('close', (exitCode, signal) => {
      void afterExit.then(() => finish(exitCode, signal));
    });
  });

  return { processId: child.pid, stdin, stdout, stop: terminate, outcome };
}
