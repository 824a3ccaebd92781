import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

/** What one command run through the shell returned. */
export interface ShellGitResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

const BASH = '/bin/bash';

/** The shell's file descriptors that carry git's own output (beside the shell's stdin, stdout and stderr). */
const GIT_STDOUT_DESCRIPTOR = 3;
const GIT_STDERR_DESCRIPTOR = 4;

/** One command in flight: what has arrived on each channel so far, and how to finish it. */
interface PendingCommand {
  endMarker: Buffer;
  /** How git's output ends once it exits: the marker, then git's exit status and a newline. */
  statusEnding: RegExp;
  output: ChannelBuffer;
  errors: ChannelBuffer;
  exitCode: number | undefined;
  settle(exitCode: number): void;
}

/**
 * One long-lived `bash` that runs git commands for this process. Spawning a process
 * from Node costs several times what it costs from a shell (Node must fork its whole
 * address space), and a night runs git a few times per ticket: a resident shell makes
 * each git call cost what it costs in a plain script. Arguments and variables are
 * single-quoted; git's output comes back over two extra pipes, each closed off by a
 * random marker written after git exits (on standard output followed by git's exit
 * status, so one wake-up per pipe ends a call), and small input (a commit message) goes in as a
 * quoted here-document, so no file is created per call (only large or odd input is
 * written to a private file). Commands run one at a time. When
 * bash is missing or dies, callers fall back to spawning git.
 */
export class GitShell {
  private child: ChildProcess | undefined;
  private inputDirectory: string | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private pending: PendingCommand | undefined;

  constructor(private readonly baseEnvironment: () => Record<string, string>) {}

  /** The resident bash's process id once started: benchmarks read its CPU time (and its git children's) from /proc. */
  get processId(): number | undefined {
    return this.child?.pid;
  }

  static available(): boolean {
    return existsSync(BASH);
  }

  /** Runs `git <arguments>` in `cwd`; resolves undefined when the shell could not be used. */
  run(gitArguments: readonly string[], options: { cwd: string; input?: string; environment?: Record<string, string> }): Promise<ShellGitResult | undefined> {
    const next = this.queue.then(() => this.runNow(gitArguments, options));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async runNow(
    gitArguments: readonly string[],
    options: { cwd: string; input?: string; environment?: Record<string, string> },
  ): Promise<ShellGitResult | undefined> {
    const child = this.ensureShell();
    if (child === undefined) return undefined;
    const commandInput = child.stdin as Writable;
    const marker = `__NIGHTSHIFT_GIT_${randomBytes(16).toString('hex')}__`;
    const input = options.input ?? '';
    const hereDocument = input !== '' && fitsHereDocument(input, marker);
    const inputPath = input === '' || hereDocument ? undefined : this.writeInput(input);
    const assignments = Object.entries(options.environment ?? {})
      .filter(([name]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      .map(([name, value]) => `${name}=${quote(value)}`);
    const standardInput = hereDocument ? `<<'${marker}'` : `<${inputPath === undefined ? '/dev/null' : quote(inputPath)}`;
    const redirections = `${standardInput} >&${GIT_STDOUT_DESCRIPTOR} 2>&${GIT_STDERR_DESCRIPTOR} ${GIT_STDOUT_DESCRIPTOR}>&- ${GIT_STDERR_DESCRIPTOR}>&-`;
    const line = [...assignments, 'git', '-C', quote(options.cwd), ...gitArguments.map(quote), redirections].join(' ');
    const command = pending(marker);
    try {
      const exitCode = await new Promise<number>((resolve) => {
        command.settle = resolve;
        this.pending = command;
        setReferenced(child, true);
        commandInput.write(
          `${line}; status=$?; printf '%s' '${marker}' >&${GIT_STDERR_DESCRIPTOR}; printf '%s%d\\n' '${marker}' "$status" >&${GIT_STDOUT_DESCRIPTOR}\n` +
            (hereDocument ? `${input}${marker}\n` : ''),
        );
      });
      if (exitCode < 0) return undefined;
      return { exitCode, stdout: command.output.text(), stderr: command.errors.text() };
    } finally {
      this.pending = undefined;
      setReferenced(child, false);
      if (inputPath !== undefined) rmSync(inputPath, { force: true });
    }
  }

  private writeInput(input: string): string {
    this.inputDirectory ??= mkdtempSync(join(tmpdir(), 'nightshift-git-shell-'));
    const path = join(this.inputDirectory, `input-${randomBytes(6).toString('hex')}`);
    writeFileSync(path, input, { mode: 0o600 });
    return path;
  }

  private ensureShell(): ChildProcess | undefined {
    if (this.child !== undefined) return this.child;
    if (!GitShell.available()) return undefined;
    const child = spawn(BASH, ['--noprofile', '--norc'], { env: this.baseEnvironment(), stdio: ['pipe', 'pipe', 'pipe', 'pipe', 'pipe'] });
    const channels: [Readable, (command: PendingCommand) => ChannelBuffer][] = [
      [child.stdio[GIT_STDOUT_DESCRIPTOR] as Readable, (command) => command.output],
      [child.stdio[GIT_STDERR_DESCRIPTOR] as Readable, (command) => command.errors],
    ];
    for (const [stream, channelOf] of channels) {
      stream.on('data', (chunk: Buffer) => {
        const command = this.pending;
        if (command === undefined) return;
        channelOf(command).append(chunk);
        this.settleIfComplete(command);
      });
    }
    (child.stdout as Readable).resume();
    (child.stderr as Readable).resume();
    const forget = (): void => {
      if (this.child === child) this.child = undefined;
      this.pending?.settle(-1);
      this.pending = undefined;
    };
    child.on('exit', forget);
    child.on('error', forget);
    (child.stdin as Writable).on('error', forget);
    child.unref();
    setReferenced(child, false);
    process.once('exit', () => {
      child.kill('SIGKILL');
      if (this.inputDirectory !== undefined) rmSync(this.inputDirectory, { recursive: true, force: true });
    });
    this.child = child;
    return child;
  }

  private settleIfComplete(command: PendingCommand): void {
    if (command.exitCode === undefined) {
      const ending = command.statusEnding.exec(command.output.tailText());
      if (ending === null) return;
      command.exitCode = Number(ending[1]);
      command.output.dropEnd(ending[0].length);
    }
    if (command.errors.endsWith(command.endMarker)) {
      command.errors.dropEnd(command.endMarker.length);
      command.settle(command.exitCode);
    }
  }
}

function pending(marker: string): PendingCommand {
  return {
    endMarker: Buffer.from(marker, 'latin1'),
    statusEnding: new RegExp(`${marker}(\\d+)\\n$`),
    output: new ChannelBuffer(),
    errors: new ChannelBuffer(),
    exitCode: undefined,
    settle: () => undefined,
  };
}

/**
 * The bytes one pipe delivered for the current command, kept as chunks (a large diff is
 * never copied chunk by chunk) with a short tail for finding the end marker.
 */
class ChannelBuffer {
  private chunks: Buffer[] = [];
  private tail = Buffer.alloc(0);
  private static readonly TAIL_BYTES = 128;

  append(chunk: Buffer): void {
    this.chunks.push(chunk);
    const joined = Buffer.concat([this.tail, chunk]);
    this.tail = joined.subarray(Math.max(0, joined.length - ChannelBuffer.TAIL_BYTES));
  }

  endsWith(marker: Buffer): boolean {
    return this.tail.length >= marker.length && this.tail.subarray(this.tail.length - marker.length).equals(marker);
  }

  tailText(): string {
    return this.tail.toString('latin1');
  }

  dropEnd(byteCount: number): void {
    let remaining = byteCount;
    while (remaining > 0 && this.chunks.length > 0) {
      const last = this.chunks[this.chunks.length - 1] as Buffer;
      if (last.length <= remaining) {
        this.chunks.pop();
        remaining -= last.length;
      } else {
        this.chunks[this.chunks.length - 1] = last.subarray(0, last.length - remaining);
        remaining = 0;
      }
    }
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/**
 * The pipes are sockets: referenced only while a command is in flight, so a resident
 * shell never keeps Node alive.
 */
function setReferenced(child: ChildProcess, referenced: boolean): void {
  for (const stream of child.stdio) {
    const handle = stream as unknown as { ref?: () => void; unref?: () => void } | null;
    if (referenced) handle?.ref?.();
    else handle?.unref?.();
  }
}

/** Input up to this size goes to git through a here-document (a pipe in bash 5.1+), not a file. */
const HERE_DOCUMENT_BYTES = 16_384;

/**
 * Whether `input` can reach git byte for byte as a quoted here-document closed by `marker`:
 * its body is taken literally and always ends with a newline, so the input must end with
 * one, hold no NUL, and never contain the (random) marker.
 */
function fitsHereDocument(input: string, marker: string): boolean {
  return input.endsWith('\n') && !input.includes('\0') && !input.includes(marker) && Buffer.byteLength(input) <= HERE_DOCUMENT_BYTES;
}

/** Single-quotes a word for bash: nothing inside is interpreted. */
function quote(word: string): string {
  if (word.includes('\0')) throw new Error('git argument contains a NUL character');
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
