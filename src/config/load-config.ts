import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ConfigResult } from './config-problem.js';
import { DEFAULT_CONFIG } from './nightshift-config.js';
import { parseConfigText } from './parse-config-text.js';

/** The configuration's entry points in one import, for the runtime and the CLI. */
export { formatConfigProblem } from './config-problem.js';
export type { ConfigProblem, ConfigResult } from './config-problem.js';
export { parseConfigText } from './parse-config-text.js';

/** The configuration file's name, at the root of the target repository. */
export const CONFIG_FILE_NAME = 'nightshift.yaml';

/**
 * Reads `nightshift.yaml` from the repository root. A missing file is not an error:
 * Nightshift runs with the seed's defaults and says so in a warning. Problems name
 * the file relative to the repository (`nightshift.yaml:7:3 …`), as editors expect.
 */
export async function loadConfig(repositoryRoot: string): Promise<ConfigResult> {
  const filePath = path.join(repositoryRoot, CONFIG_FILE_NAME);
  let text: string;
  try {
    text = await readFile(filePath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      return {
        config: structuredClone(DEFAULT_CONFIG),
        errors: [],
        warnings: [
          {
            file: CONFIG_FILE_NAME,
            message: `no ${CONFIG_FILE_NAME} in ${repositoryRoot}: using the defaults (run "nightshift init" to write a commented one)`,
          },
        ],
      };
    }
    return {
      config: undefined,
      errors: [{ file: CONFIG_FILE_NAME, message: `cannot read ${filePath}: ${(error as Error).message}` }],
      warnings: [],
    };
  }
  return parseConfigText(text, CONFIG_FILE_NAME);
}
