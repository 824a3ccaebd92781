import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

/** CPU milliseconds (user + system) of this process itself and of its finished children. */
export interface ProcessCpuTime {
  self: number;
  children: number;
}

/**
 * CPU time (user + system) of this process and of its finished children, in milliseconds,
 * from `/proc/self/stat`; undefined where there is no /proc (macOS, Windows). Unlike
 * wall time it barely moves when other work shares the machine, so the overhead
 * benchmark prints a CPU ratio beside the wall-time one. Children count once waited for,
 * which Node and bash do for every git they spawn.
 */
export function readProcessCpuTime(): ProcessCpuTime | undefined {
  if (!existsSync('/proc/self/stat')) return undefined;
  const text = readFileSync('/proc/self/stat', 'utf8');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const milliseconds = (indexes: number[]): number =>
    (indexes.reduce((sum, index) => sum + Number(fields[index] ?? Number.NaN), 0) * 1000) / clockTicksPerSecond();
  const time = { self: milliseconds([11, 12]), children: milliseconds([13, 14]) };
  return Number.isFinite(time.self) && Number.isFinite(time.children) ? time : undefined;
}

/**
 * CPU milliseconds (user + system) of another process of ours plus its children it has
 * waited for — the resident git shell and every git it ran — or undefined without /proc
 * or once the process is gone.
 */
export function readOtherProcessCpuTime(processId: number): number | undefined {
  const path = `/proc/${processId}/stat`;
  if (!existsSync(path)) return undefined;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const ticks = [11, 12, 13, 14].reduce((sum, index) => sum + Number(fields[index] ?? Number.NaN), 0);
  return Number.isFinite(ticks) ? (ticks * 1000) / clockTicksPerSecond() : undefined;
}

/** The CPU time spent between two readings, or undefined when either is missing. */
export function cpuTimeBetween(start: ProcessCpuTime | undefined, end: ProcessCpuTime | undefined): ProcessCpuTime | undefined {
  return start === undefined || end === undefined ? undefined : { self: end.self - start.self, children: end.children - start.children };
}

let cachedTicksPerSecond: number | undefined;

function clockTicksPerSecond(): number {
  if (cachedTicksPerSecond === undefined) {
    const answer = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    cachedTicksPerSecond = Number.isFinite(answer) && answer > 0 ? answer : 100;
  }
  return cachedTicksPerSecond;
}
