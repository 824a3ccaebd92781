import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

export type ExecutableSearch = { found: true; path: string } | { found: false; searched: string[] };

/**
 * Finds an executable the way a shell would, without starting it: a name with a slash is
 * a path (relative to `workingDirectory`), a bare name is looked up on PATH and then in
 * `<workingDirectory>/node_modules/.bin`, where npm installs the pinned agent CLIs.
 */
export function findExecutable(binary: string, pathVariable: string | undefined, workingDirectory: string): ExecutableSearch {
  const candidates =
    binary.includes('/') || isAbsolute(binary)
      ? [resolve(workingDirectory, binary)]
      : [
          ...(pathVariable ?? '')
            .split(delimiter)
            .filter((directory) => directory.length > 0)
            .map((directory) => join(directory, binary)),
          join(workingDirectory, 'node_modules', '.bin', binary),
        ];
  const found = candidates.find(isExecutableFile);
  return found === undefined ? { found: false, searched: candidates } : { found: true, path: found };
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Finds an agent's CLI for an adapter: the configured binary, or the command's usual name on
 * PATH and then in `node_modules/.bin`. The problem names where it looked and what to install.
 */
export function findAgentBinary(input: {
  binary: string | undefined;
  commandName: string;
  packageName: string;
  pathVariable: string | undefined;
  workingDirectory: string;
}): { ok: true; path: string } | { ok: false; problem: string } {
  const binary = input.binary ?? input.commandName;
  const search = findExecutable(binary, input.pathVariable, input.workingDirectory);
  if (search.found) return { ok: true, path: search.path };
  const where = binary.includes('/') ? (search.searched[0] ?? binary) : `PATH or ${join(input.workingDirectory, 'node_modules', '.bin', binary)}`;
  return { ok: false, problem: `${input.commandName} not found at ${where} — install ${input.packageName} or set agent.binary` };
}
