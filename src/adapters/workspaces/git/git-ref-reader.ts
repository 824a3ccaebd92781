import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readdirEntriesOrUndefined, readTextOrUndefined } from '../../shared/quiet-file-reads.js';

const OBJECT_ID = /^[0-9a-f]{40}$/;

/**
 * Reads every ref of a repository in-process — `packed-refs`, then the loose files under
 * `refs/`, which win — as name → object id (a symbolic ref as `ref: <target>`), so the
 * confinement check needs no git process per stage. `skipDirectory` leaves out whole
 * subtrees (the other tickets' branches). Returns undefined for what it does not read
 * exactly (the reftable format, a line it does not understand): the caller asks git.
 */
export function readGitRefs(commonDirectory: string, skipDirectory: (refDirectory: string) => boolean = () => false): Map<string, string> | undefined {
  if (existsSync(join(commonDirectory, 'reftable'))) return undefined;
  const refs = new Map<string, string>();
  const packed = (readTextOrUndefined(join(commonDirectory, 'packed-refs')) ?? '');
  for (const line of packed.split('\n')) {
    if (line === '' || line.startsWith('#') || line.startsWith('^')) continue;
    const [objectId, name] = [line.slice(0, 40), line.slice(41)];
    if (!OBJECT_ID.test(objectId) || line[40] !== ' ' || !name.startsWith('refs/')) return undefined;
    refs.set(name, objectId);
  }
  const pending = ['refs'];
  while (pending.length > 0) {
    const directory = pending.pop() as string;
    if (directory !== 'refs' && skipDirectory(directory)) continue;
    const entries = (readdirEntriesOrUndefined(join(commonDirectory, directory)) ?? []);
    for (const entry of entries) {
      const name = `${directory}/${entry.name}`;
      if (entry.isDirectory()) pending.push(name);
      else if (entry.isFile() && !entry.name.endsWith('.lock')) {
        const content = ((readTextOrUndefined(join(commonDirectory, name)) ?? '')).trim();
        if (OBJECT_ID.test(content) || content.startsWith('ref: ')) refs.set(name, content);
      }
    }
  }
  return refs;
}
