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
