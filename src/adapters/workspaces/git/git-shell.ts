import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What one command run through the shell returned. */
export interface ShellGitResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

const DONE_MARKER = '__NIGHTSHIFT_GIT_DONE__';
const BASH = '/bin/bash';

/**
 * One long-lived `bash` that runs git commands for this process. Spawning a process
 * from Node costs several times what it costs from a shell (Node must fork its whole
 * address space), and a night runs git a few times per ticket: a resident shell makes
 * each git call cost what it costs in a plain script. Arguments and variables are
 * single-quoted, input and output go through private temporary files, and commands
 * run one at a time. When bash is missing or dies, callers fall back to spawning git.
 */
export class GitShell {
  private child: ChildProcessWithoutNullStreams | undefined;
  private directory: string | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private counter = 0;
  private buffer = '';
  private pending: ((exitCode: number) => void) | undefined;

  constructor(private readonly baseEnvironment: () => Record<string, string>) {}

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
    const directory = this.directory;
    if (child === undefined || directory === undefined) return undefined;
    const id = (this.counter += 1);
    const inputPath = join(directory, `in-${id}`);
    const outputPath = join(directory, `out-${id}`);
    const errorPath = join(directory, `err-${id}`);
    writeFileSync(inputPath, options.input ?? '');
    const assignments = Object.entries(options.environment ?? {})
      .filter(([name]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      .map(([name, value]) => `${name}=${quote(value)}`);
    const line = [...assignments, 'git', '-C', quote(options.cwd), ...gitArguments.map(quote)].join(' ');
    const exitCode = await new Promise<number>((resolve) => {
      this.pending = resolve;
      handle(child.stdout).ref?.();
      child.stdin.write(`${line} <${quote(inputPath)} >${quote(outputPath)} 2>${quote(errorPath)}; printf '\\n${DONE_MARKER} %d\\n' $?\n`);
    });
    handle(child.stdout).unref?.();
    if (exitCode < 0) return undefined;
    try {
      return { exitCode, stdout: readFileSync(outputPath, 'utf8'), stderr: readFileSync(errorPath, 'utf8') };
    } finally {
      for (const path of [inputPath, outputPath, errorPath]) rmSync(path, { force: true });
    }
  }

  private ensureShell(): ChildProcessWithoutNullStreams | undefined {
    if (this.child !== undefined) return this.child;
    if (!GitShell.available()) return undefined;
    this.directory = mkdtempSync(join(tmpdir(), 'nightshift-git-shell-'));
    const child = spawn(BASH, ['--noprofile', '--norc'], { env: this.baseEnvironment(), stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => this.receive(chunk));
    child.stderr.resume();
    const forget = (): void => {
      if (this.child === child) this.child = undefined;
      this.pending?.(-1);
      this.pending = undefined;
    };
    child.on('exit', forget);
    child.on('error', forget);
    child.unref();
    for (const stream of [child.stdout, child.stderr, child.stdin]) handle(stream).unref?.();
    const directory = this.directory;
    process.once('exit', () => {
      child.kill('SIGKILL');
      rmSync(directory, { recursive: true, force: true });
    });
    this.child = child;
    return child;
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    const match = new RegExp(`\\n${DONE_MARKER} (\\d+)\\n`).exec(this.buffer);
    if (match === null) return;
    this.buffer = this.buffer.slice(match.index + match[0].length);
    const resolve = this.pending;
    this.pending = undefined;
    resolve?.(Number(match[1]));
  }
}

/** The pipes are sockets: unreferenced while idle, so a resident shell never keeps Node alive. */
function handle(stream: object): { ref?: () => void; unref?: () => void } {
  return stream as { ref?: () => void; unref?: () => void };
}

/** Single-quotes a word for bash: nothing inside is interpreted. */
function quote(word: string): string {
  if (word.includes('\0')) throw new Error('git argument contains a NUL character');
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
