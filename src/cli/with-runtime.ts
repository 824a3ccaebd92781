import { openRuntime, type Runtime, type RuntimeRequest } from '../runtime/open-runtime.js';

/** Options every command that works on a repository accepts. */
export interface RepositoryOptions {
  /** Undefined means the current directory. */
  repo?: string;
}

/**
 * Opens the runtime for a command, prints config warnings to stderr, and always
 * closes the store, whatever the command does.
 */
export async function withRuntime<T>(
  options: RepositoryOptions,
  work: (runtime: Runtime) => Promise<T>,
  adjust: Omit<RuntimeRequest, 'repositoryRoot' | 'environment'> = {},
): Promise<T> {
  const runtime = await openRuntime({ repositoryRoot: options.repo ?? process.cwd(), environment: process.env, ...adjust });
  for (const warning of runtime.warnings) process.stderr.write(`warning: ${warning}\n`);
  try {
    return await work(runtime);
  } finally {
    await runtime.close();
  }
}

/** Prints a value as the stable JSON of a `--json` read command. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
