import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface CliOutcome {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real `nightshift` command line from source in a child process, the way a
 * user runs it, so tests see its exit code, stdout and stderr exactly.
 */
export function runCli(args: string[], request: { cwd?: string; environment?: Record<string, string | undefined> } = {}): Promise<CliOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(projectRoot, 'src', 'cli', 'bin.ts'), ...args], {
      cwd: request.cwd ?? projectRoot,
      env: { ...process.env, NO_COLOR: '1', ...request.environment },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (exitCode) => resolve({ exitCode, stdout, stderr }));
  });
}
