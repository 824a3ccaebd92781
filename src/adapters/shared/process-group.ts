import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/** Resolves after the given time, without keeping the process alive for it. */
export function delay(milliseconds: number): Promise<void> {
  return new Promise((done) => setTimeout(done, milliseconds).unref());
}

/**
 * A child's process group (the child spawned with `detached: true` leads it): SIGTERM
 * first, SIGKILL once the grace period is over, and a way to wait until no member is
 * left. Signalling the group rather than the child reaches everything the child started,
 * which is how the shell command runner and the agent runners end a command for good.
 */
export class ProcessGroup {
  private killDeadline: number | undefined;
  private killTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly leaderPid: number | undefined,
    private readonly graceMilliseconds: number,
  ) {}

  /** Asks the group to stop (SIGTERM), and kills it (SIGKILL) once the grace period is over. */
  terminate(): void {
    if (this.killDeadline !== undefined) return;
    this.signal('SIGTERM');
    this.killDeadline = performance.now() + this.graceMilliseconds;
    this.killTimer = setTimeout(() => this.signal('SIGKILL'), this.graceMilliseconds);
  }

  /** Resolves once the group is empty, killing it when the grace period ends first. */
  async waitUntilGone(): Promise<void> {
    while (this.isAlive()) {
      const remaining = (this.killDeadline ?? performance.now()) - performance.now();
      if (remaining <= 0) {
        this.signal('SIGKILL');
        await delay(50);
        if (this.isAlive()) await delay(200);
        return;
      }
      await delay(Math.min(50, remaining));
    }
  }

  /** Kills the whole group at once (SIGKILL), e.g. the leftovers of a child that has exited. */
  kill(): void {
    this.signal('SIGKILL');
  }

  /** Cancels the pending SIGKILL of {@link terminate}, once the group's outcome is settled. */
  forget(): void {
    clearTimeout(this.killTimer);
  }

  /**
   * Whether any member still runs. Where `/proc` exists, zombies do not count: a
   * killed orphan stays a zombie until the system's init gets round to reaping it.
   */
  private isAlive(): boolean {
    if (this.leaderPid === undefined) return false;
    try {
      process.kill(-this.leaderPid, 0);
    } catch {
      return false;
    }
    return hasLiveMemberInProc(this.leaderPid) ?? true;
  }

  private signal(signal: NodeJS.Signals): void {
    if (this.leaderPid === undefined) return;
    try {
      process.kill(-this.leaderPid, signal);
    } catch {
      // The group is already gone.
    }
  }
}

/** Reads `/proc` for a non-zombie process of the group; undefined where there is no `/proc`. */
function hasLiveMemberInProc(groupId: number): boolean | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    if (!/^[0-9]+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === groupId && fields[0] !== 'Z' && fields[0] !== 'X') return true;
  }
  return false;
}
