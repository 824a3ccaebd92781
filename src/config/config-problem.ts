import type { NightshiftConfig } from './nightshift-config.js';

/**
 * One thing wrong (error) or doubtful (warning) in `nightshift.yaml`, located so an
 * editor can jump to it: the file, the line and column (1-based, of the key when the
 * problem is about a key's value), the dotted key path, and what was expected and found.
 */
export interface ConfigProblem {
  file: string;
  /** Absent only when the problem has no place in the file (e.g. the file is missing). */
  line?: number;
  column?: number;
  /** Dotted path of the key, e.g. `batch.parallel_agents` or `agent.extra_args.1`. */
  key?: string;
  message: string;
}

/**
 * The outcome of loading the configuration: `config` is present exactly when there are
 * no errors; warnings never stop a run but are always shown.
 */
export interface ConfigResult {
  config: NightshiftConfig | undefined;
  errors: ConfigProblem[];
  warnings: ConfigProblem[];
}

/** `nightshift.yaml:7:3 batch.parallel_agents: expected a whole number from 1 to 32, got "three"` */
export function formatConfigProblem(problem: ConfigProblem): string {
  const place = problem.line === undefined ? problem.file : `${problem.file}:${problem.line}:${problem.column ?? 1}`;
  return problem.key === undefined || problem.key === '' ? `${place}: ${problem.message}` : `${place} ${problem.key}: ${problem.message}`;
}
