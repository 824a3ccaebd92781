import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { processAncestry } from './find-processes-inside.js';

describe.runIf(existsSync('/proc/self/stat'))('processAncestry', () => {
  it('walks from a grandchild up through its parent to this process', async () => {
    const shell = spawn('bash', ['-c', 'sleep 30 & echo $!; wait'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let sleeper: number | undefined;
    try {
      sleeper = await new Promise<number>((resolve) => shell.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))));
      expect(processAncestry(sleeper).slice(0, 3)).toEqual([sleeper, shell.pid, process.pid]);
    } finally {
      if (sleeper !== undefined) process.kill(sleeper, 'SIGKILL');
      shell.kill('SIGKILL');
    }
  });

  it('stops at a process that is gone', () => {
    expect(processAncestry(2 ** 22 + 12345)).toEqual([2 ** 22 + 12345]);
  });
});
