import { readdirSync, readFileSync } from 'node:fs';

interface ProcessStat {
  pid: number;
  parentPid: number;
  groupId: number;
  /** Clock ticks since boot when the process started: with the pid, it names one process for good. */
  startTime: string;
  zombie: boolean;
}

/**
 * Remembers the process groups an agent's descendants run in, so they can be ended once the
 * agent is gone. The Gemini CLI starts every shell command in a process group of its own
 * (`detached`), so ending the agent's group leaves a running command behind, reparented to
 * init where it can no longer be traced to the agent: it has to be seen while the agent runs.
 * Reads `/proc` every few hundred milliseconds; a no-op where there is no `/proc`.
 */
export class DescendantProcessGroups {
  private readonly seen = new Map<string, ProcessStat>();
  private timer: NodeJS.Timeout | undefined;
  private rootPid: number | undefined;
  private readonly ownGroupId = readStat('self')?.groupId;

  constructor(private readonly intervalMilliseconds = 250) {}

  /** Starts watching the descendants of `rootPid` (the agent, leader of its own group). */
  watch(rootPid: number): void {
    this.rootPid = rootPid;
    this.scan();
    this.timer = setInterval(() => this.scan(), this.intervalMilliseconds);
    this.timer.unref();
  }

  /**
   * Stops watching, and ends every remembered group that still has its process: SIGTERM,
   * then SIGKILL for what is left after `graceMilliseconds`. Returns the groups it signalled.
   */
  async endLeftovers(graceMilliseconds: number): Promise<number[]> {
    clearInterval(this.timer);
    const groups = this.liveGroups();
    if (groups.length === 0) return [];
    for (const group of groups) signalGroup(group, 'SIGTERM');
    const deadline = Date.now() + graceMilliseconds;
    while (Date.now() < deadline && this.liveGroups().length > 0) await new Promise((resolve) => setTimeout(resolve, 50));
    for (const group of this.liveGroups()) signalGroup(group, 'SIGKILL');
    return groups;
  }

  /**
   * Looks for new descendants now: call it right before ending the agent, so that a command
   * started since the last periodic look is not missed.
   */
  scan(): void {
    if (this.rootPid === undefined) return;
    const stats = readAllStats();
    const children = new Map<number, ProcessStat[]>();
    for (const stat of stats) children.set(stat.parentPid, [...(children.get(stat.parentPid) ?? []), stat]);
    const queue = [...(children.get(this.rootPid) ?? [])];
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      if (next.groupId !== this.rootPid && next.groupId !== this.ownGroupId) this.seen.set(`${next.pid}:${next.startTime}`, next);
      queue.push(...(children.get(next.pid) ?? []));
    }
  }

  /** The remembered groups that a remembered process (same pid, same start) still lives in. */
  private liveGroups(): number[] {
    const groups = new Set<number>();
    for (const remembered of this.seen.values()) {
      const current = readStat(String(remembered.pid));
      if (current !== undefined && !current.zombie && current.startTime === remembered.startTime && current.groupId === remembered.groupId) groups.add(current.groupId);
    }
    return [...groups];
  }
}

function readAllStats(): ProcessStat[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    if (!/^[0-9]+$/.test(entry)) return [];
    const stat = readStat(entry);
    return stat === undefined ? [] : [stat];
  });
}

function readStat(entry: string): ProcessStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${entry}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const pid = Number(text.slice(0, text.indexOf(' ')));
  const [state, parentPid, groupId, startTime] = [fields[0], Number(fields[1]), Number(fields[2]), fields[19]];
  if (!Number.isInteger(pid) || !Number.isInteger(parentPid) || !Number.isInteger(groupId) || startTime === undefined) return undefined;
  return { pid, parentPid, groupId, startTime, zombie: state === 'Z' || state === 'X' };
}

function signalGroup(groupId: number, signal: NodeJS.Signals): void {
  if (groupId <= 1) return;
  try {
    process.kill(-groupId, signal);
  } catch {
    // The group is gone already.
  }
}
