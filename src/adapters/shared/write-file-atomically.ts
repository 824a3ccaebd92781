import { randomBytes } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** How {@link writeFileAtomically} creates the new file. */
export interface WriteFileAtomicallyOptions {
  /** Permission bits of the new file (before the umask), e.g. the mode of the file it replaces. */
  mode?: number;
}

/**
 * Writes `content` to a hidden temporary file beside `filePath` and renames it over the
 * target, so that a reader or a crash never sees half a file: tickets, artifacts and
 * merge-request records are either the old text or the new one. The temporary file is
 * created exclusively (never through a file or link already there) and removed when
 * writing or renaming fails. The directory must exist.
 *
 * The files are small (a ticket, a record, a summary), so the work is done synchronously:
 * three trips through libuv's thread pool cost more than the write, and a night writes a
 * few of these per ticket. A failure still arrives as a rejected promise.
 */
export async function writeFileAtomically(filePath: string, content: string, options: WriteFileAtomicallyOptions = {}): Promise<void> {
  const temporary = join(dirname(filePath), `.${basename(filePath)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(temporary, content, { flag: 'wx', ...(options.mode === undefined ? {} : { mode: options.mode }) });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') rmSync(temporary, { force: true });
    throw error;
  }
  try {
    renameSync(temporary, filePath);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
