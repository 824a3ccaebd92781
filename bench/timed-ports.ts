import type { PipelineDependencies } from '../src/pipeline/pipeline-dependencies.js';

/** Calls and total milliseconds of one port method, e.g. `workspace.changedFiles`. */
export interface MethodTiming {
  calls: number;
  milliseconds: number;
}

const TIMED_PORTS = ['store', 'ticketSource', 'workspace', 'codeHost', 'agent', 'artifacts'] as const;

/**
 * The same dependencies with every port method timed (wall time from call to
 * settlement), so the overhead benchmark can say where Nightshift's time goes without
 * touching the pipeline. With one agent at a time the sums are close to exclusive;
 * log appends overlap the rest and are counted from queueing to done.
 */
export function withTimedPorts(dependencies: PipelineDependencies): { dependencies: PipelineDependencies; timings: Map<string, MethodTiming> } {
  const timings = new Map<string, MethodTiming>();
  const timed: PipelineDependencies = { ...dependencies };
  for (const portName of TIMED_PORTS) {
    (timed as unknown as Record<string, object>)[portName] = timePort(portName, dependencies[portName] as object, timings);
  }
  return { dependencies: timed, timings };
}

function timePort<T extends object>(portName: string, port: T, timings: Map<string, MethodTiming>): T {
  const add = (method: string, milliseconds: number): void => {
    const key = `${portName}.${method}`;
    const timing = timings.get(key) ?? { calls: 0, milliseconds: 0 };
    timing.calls += 1;
    timing.milliseconds += milliseconds;
    timings.set(key, timing);
  };
  return new Proxy(port, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return (...parameters: unknown[]) => {
        const started = performance.now();
        const result: unknown = value.apply(target, parameters);
        if (result instanceof Promise) return result.finally(() => add(property, performance.now() - started));
        add(property, performance.now() - started);
        return result;
      };
    },
  });
}
