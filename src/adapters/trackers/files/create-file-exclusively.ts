import { randomBytes } from 'node:crypto';
import { link, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Creates `filePath` with `content` only if nothing is there yet, and atomically: the
 * text goes to a hidden temporary file first, which is then hard-linked to the target
 * name. `link` fails with `EEXIST` when the name is taken, so two writers allocating the
 * same new ticket id never overwrite each other, and a reader never sees half a file.
 * (`writeFileAtomically` renames, which replaces: right for edits, wrong for a new id.)
 *
 * @returns false when the name was taken (nothing written), true when the file was created.
 */
export async function createFileExclusively(filePath: string, content: string): Promise<boolean> {
  const temporary = join(dirname(filePath), `.${basename(filePath)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  await writeFile(temporary, content, { flag: 'wx' });
  try {
    await link(temporary, filePath);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await rm(temporary, { force: true });
  }
}
