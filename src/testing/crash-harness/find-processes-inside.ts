import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { sep } from 'node:path';

/** A live process found working inside a directory. */
export interface ProcessInside {
  pid: number;
  /** The command line, arguments joined by spaces, cut to 200 characters. */
  command: string;
  cwd: string;
}

/**
 * The process ids from `pid` up through its parents (at most `maximumDepth` steps), read
 * from `/proc`: an agent started inside the bubblewrap sandbox is a child of the `bwrap`
 * process Nightshift started and recorded, not that process itself.
 */
export function processAncestry(pid: number, maximumDepth = 16): number[] {
  const chain: number[] = [];
  let current = pid;
  while (current > 1 && chain.length < maximumDepth) {
    chain.push(current);
    try {
      const stat = readFileSync(`/proc/${current}/stat`, 'utf8');
      current = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    } catch {
      break;
    }
  }
  return chain;
}

/**
 * Live processes (zombies excluded) whose working directory is `root` or inside it, or
 * whose command line names it, read from `/proc`. After a crash trial the agents ran in
 * worktrees under the repository, so anything found here was left running. Where there
 * is no `/proc`, the answer is empty: callers must not read it as proof.
 */
export function findProcessesInside(root: string): ProcessInside[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const found: ProcessInside[] = [];
  for (const entry of entries) {
    if (!/^[0-9]+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2).charAt(0);
      if (state === 'Z' || state === 'X') continue;
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
      const cwd = readlinkSync(`/proc/${entry}/cwd`).replace(/ \(deleted\)$/, '');
      if (cwd === root || cwd.startsWith(`${root}${sep}`) || command.includes(root)) found.push({ pid, command: command.slice(0, 200), cwd });
    } catch {
      // The process ended while being read, or belongs to someone else.
    }
  }
  return found;
}
