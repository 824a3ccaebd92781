import { lstatSync, readdirSync, readFileSync, readlinkSync, type Dirent, type Stats } from 'node:fs';

/**
 * Synchronous file reads that answer "not there" instead of throwing, for the many small
 * reads adapters make in a row (the confinement snapshots make a few hundred per stage,
 * the files tracker one or two per ticket): awaiting each one on the thread pool cost tens
 * of milliseconds on a busy machine, while reading them at once costs about one.
 */
export function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

/** The names in a directory; none when it cannot be read. */
export function readdirOrEmpty(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

/** The entries of a directory with their types, or undefined when it cannot be read. */
export function readdirEntriesOrUndefined(path: string): Dirent[] | undefined {
  try {
    return readdirSync(path, { withFileTypes: true });
  } catch {
    return undefined;
  }
}

export function readTextOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

export function readBytesOrUndefined(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

export function readlinkOrUndefined(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}
