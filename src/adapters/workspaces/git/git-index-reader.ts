import { readBytesOrUndefined } from '../../shared/quiet-file-reads.js';

/** One entry of a git index: a tracked path, its mode and the id of its staged content. */
export interface GitIndexEntry {
  path: string;
  mode: number;
  objectId: string;
}

const SIGNATURE = 'DIRC';
const HEADER_BYTES = 12;
/** ctime, mtime (8 bytes each), dev, ino, mode, uid, gid, size (4 each): where the object id starts. */
const FIXED_FIELDS_BYTES = 40;
const SHA1_BYTES = 20;
const EXTENDED_FLAG = 0x4000;
const NAME_LENGTH_MASK = 0x0fff;
const SPARSE_DIRECTORY_MODE = 0o040000;

/**
 * Reads the entries of a git index file (versions 2 and 3, SHA-1) in-process, so the
 * confinement check can fingerprint a checkout's tracked files without starting git for
 * every stage. Anything this reader does not handle exactly — index version 4's compressed
 * paths, SHA-256 repositories, a split or sparse index, a truncated file — returns
 * undefined, and the caller asks git instead.
 */
export function readGitIndex(indexPath: string): GitIndexEntry[] | undefined {
  const buffer = readBytesOrUndefined(indexPath);
  if (buffer === undefined || buffer.length < HEADER_BYTES + SHA1_BYTES) return undefined;
  if (buffer.toString('latin1', 0, 4) !== SIGNATURE) return undefined;
  const version = buffer.readUInt32BE(4);
  if (version !== 2 && version !== 3) return undefined;
  const count = buffer.readUInt32BE(8);
  const end = buffer.length - SHA1_BYTES;
  const entries: GitIndexEntry[] = [];
  let offset = HEADER_BYTES;
  for (let index = 0; index < count; index += 1) {
    const start = offset;
    if (start + FIXED_FIELDS_BYTES + SHA1_BYTES + 2 > end) return undefined;
    const mode = buffer.readUInt32BE(start + 24);
    const objectId = buffer.toString('hex', start + FIXED_FIELDS_BYTES, start + FIXED_FIELDS_BYTES + SHA1_BYTES);
    const flags = buffer.readUInt16BE(start + FIXED_FIELDS_BYTES + SHA1_BYTES);
    let nameStart = start + FIXED_FIELDS_BYTES + SHA1_BYTES + 2;
    if ((flags & EXTENDED_FLAG) !== 0) {
      if (version < 3) return undefined;
      nameStart += 2;
    }
    const nameEnd = buffer.indexOf(0, nameStart);
    if (nameEnd === -1 || nameEnd > end) return undefined;
    const nameLength = flags & NAME_LENGTH_MASK;
    if (nameLength !== NAME_LENGTH_MASK && nameLength !== nameEnd - nameStart) return undefined;
    if ((mode & 0o170000) === SPARSE_DIRECTORY_MODE) return undefined;
    entries.push({ path: buffer.toString('utf8', nameStart, nameEnd), mode, objectId });
    // The entry is padded with 1–8 NULs to a multiple of eight bytes from its start.
    offset = start + Math.floor((nameEnd - start + 8) / 8) * 8;
  }
  // Extensions: a split index ("link") keeps entries elsewhere; then this list is not the whole truth.
  while (offset + 8 <= end) {
    const signature = buffer.toString('latin1', offset, offset + 4);
    if (signature === 'link' || signature === 'sdir') return undefined;
    offset += 8 + buffer.readUInt32BE(offset + 4);
  }
  return entries;
}
