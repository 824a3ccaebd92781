import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * Whether a process still runs, for tests that prove a process group was ended: alive
 * means signalable and not a zombie waiting for a parent that does not reap it (a
 * killed orphan stays a zombie until init gets round to it).
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return true;
  const state = readFileSync(stat, 'utf8').split(') ')[1]?.charAt(0);
  return state !== 'Z' && state !== 'X';
}

/**
 * Waits, for at most about two seconds, until the process is gone: a SIGKILL is
 * delivered, not instantaneous. Returns whether it is gone, so a test can fail on it.
 */
export async function isProcessGoneSoon(pid: number): Promise<boolean> {
  for (let attempt = 0; attempt < 100 && isProcessAlive(pid); attempt += 1) await new Promise((done) => setTimeout(done, 20));
  return !isProcessAlive(pid);
}

/**
 * Reads the pid a test's shell script wrote (`echo $! > child.pid`), waiting for the
 * file for at most about two seconds since the script writes it while running.
 */
export async function readPidFile(path: string): Promise<number> {
  for (let attempt = 0; attempt < 100 && !existsSync(path); attempt += 1) await new Promise((done) => setTimeout(done, 20));
  return Number.parseInt(readFileSync(path, 'utf8'), 10);
}

/**
 * Live processes whose working directory is inside `directory` (read from /proc):
 * what an agent or a command it started would leave running in a worktree.
 */
export function processesWorkingUnder(directory: string): number[] {
  const found: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return found;
  }
  for (const entry of entries) {
    if (!/^[0-9]+$/.test(entry)) continue;
    try {
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      const state = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const status = state.slice(state.lastIndexOf(')') + 2).split(' ')[0];
      if ((cwd === directory || cwd.startsWith(`${directory}/`)) && status !== 'Z') found.push(Number(entry));
    } catch {
      // Gone, or not ours to read.
    }
  }
  return found;
}
