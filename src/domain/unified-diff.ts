/**
 * A small parser for `git diff` output (and plain `diff -u` output), so the gates can
 * look at what an agent actually changed: which files, which lines were added (for
 * the secret scan, with their line numbers in the new file), and how big the change
 * is (for the quality score). It is driven by hunk line counts, so a deleted line
 * that happens to start with `--` is never mistaken for a file header.
 */

export type DiffFileStatus = 'added' | 'modified' | 'deleted' | 'renamed' | 'copied';

export interface DiffAddedLine {
  /** 1-based line number in the new version of the file. */
  lineNumber: number;
  /** The line without its leading `+`. */
  text: string;
}

export interface DiffFile {
  /** The path after the change (for a deleted file, the path it had). */
  path: string;
  /** The path before the change, for renamed and copied files. */
  oldPath?: string;
  status: DiffFileStatus;
  /** Binary files have no line information. */
  binary: boolean;
  addedLines: DiffAddedLine[];
  deletedCount: number;
}

export interface ParsedDiff {
  files: DiffFile[];
}

/** Per-file line counts, the shape the quality score and the review summary need. */
export interface ChangedFileSummary {
  path: string;
  oldPath?: string;
  status: DiffFileStatus;
  binary: boolean;
  addedCount: number;
  deletedCount: number;
}

interface Hunk {
  oldRemaining: number;
  newRemaining: number;
  nextNewLine: number;
}

const HUNK_HEADER = /^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

/**
 * Parses unified diff text into files with their added lines and deleted-line counts.
 * Handles new, deleted, renamed, copied and binary files, mode-only changes, quoted
 * paths (`"a/caf\303\251.txt"`), CRLF line ends and `\ No newline at end of file`.
 * Text that is not a diff yields no files.
 */
export function parseUnifiedDiff(text: string): ParsedDiff {
  const files: DiffFile[] = [];
  const lines = text.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  let current: DiffFile | undefined;
  let currentHasHunks = false;
  let currentFromGitHeader = false;
  let skippingBinaryPatch = false;
  let hunk: Hunk | undefined;

  const startFile = (fromGitHeader: boolean): DiffFile => {
    const file: DiffFile = { path: '', status: 'modified', binary: false, addedLines: [], deletedCount: 0 };
    files.push(file);
    current = file;
    currentHasHunks = false;
    currentFromGitHeader = fromGitHeader;
    skippingBinaryPatch = false;
    hunk = undefined;
    return file;
  };

  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] as string;
    if (hunk !== undefined && current !== undefined && (hunk.oldRemaining > 0 || hunk.newRemaining > 0)) {
      const marker = line.charAt(0);
      if (marker === '+') {
        current.addedLines.push({ lineNumber: hunk.nextNewLine, text: line.slice(1) });
        hunk.newRemaining -= 1;
        hunk.nextNewLine += 1;
        continue;
      }
      if (marker === '-') {
        current.deletedCount += 1;
        hunk.oldRemaining -= 1;
        continue;
      }
      if (marker === ' ' || line === '') {
        hunk.oldRemaining -= 1;
        hunk.newRemaining -= 1;
        hunk.nextNewLine += 1;
        continue;
      }
      if (marker === '\\') continue;
      hunk = undefined;
    }

    if (line.startsWith('diff --git ')) {
      const file = startFile(true);
      const paths = parseGitHeaderPaths(line.slice('diff --git '.length));
      if (paths !== undefined) {
        file.path = paths.newPath;
        if (paths.oldPath !== paths.newPath) file.oldPath = paths.oldPath;
      }
      continue;
    }
    if (skippingBinaryPatch) continue;

    const hunkMatch = HUNK_HEADER.exec(line);
    if (hunkMatch !== null && current !== undefined) {
      currentHasHunks = true;
      const newStart = Number(hunkMatch[2]);
      hunk = {
        oldRemaining: hunkMatch[1] === undefined ? 1 : Number(hunkMatch[1]),
        newRemaining: hunkMatch[3] === undefined ? 1 : Number(hunkMatch[3]),
        nextNewLine: newStart === 0 ? 1 : newStart,
      };
      continue;
    }

    const nextLine = lines[index + 1];
    if (line.startsWith('--- ') && nextLine?.startsWith('+++ ')) {
      const file = current !== undefined && currentFromGitHeader && !currentHasHunks ? current : startFile(false);
      applyFileHeader(file, parseHeaderPath(line.slice(4)), parseHeaderPath(nextLine.slice(4)));
      index += 1;
      continue;
    }
    if (current === undefined) continue;
    applyExtendedHeader(current, line, () => {
      skippingBinaryPatch = true;
    });
  }
  return { files: files.filter((file) => file.path !== '') };
}

/** Line counts per file, e.g. for "src/auth.ts (+120 −3)". */
export function summarizeDiff(diff: ParsedDiff): ChangedFileSummary[] {
  return diff.files.map((file) => {
    const summary: ChangedFileSummary = {
      path: file.path,
      status: file.status,
      binary: file.binary,
      addedCount: file.addedLines.length,
      deletedCount: file.deletedCount,
    };
    if (file.oldPath !== undefined) summary.oldPath = file.oldPath;
    return summary;
  });
}

function applyExtendedHeader(file: DiffFile, line: string, startSkippingBinaryPatch: () => void): void {
  if (line.startsWith('new file mode')) file.status = 'added';
  else if (line.startsWith('deleted file mode')) file.status = 'deleted';
  else if (line.startsWith('rename from ')) {
    file.status = 'renamed';
    file.oldPath = unquotePath(line.slice('rename from '.length));
  } else if (line.startsWith('rename to ')) {
    file.status = 'renamed';
    file.path = unquotePath(line.slice('rename to '.length));
  } else if (line.startsWith('copy from ')) {
    file.status = 'copied';
    file.oldPath = unquotePath(line.slice('copy from '.length));
  } else if (line.startsWith('copy to ')) {
    file.status = 'copied';
    file.path = unquotePath(line.slice('copy to '.length));
  } else if (line.startsWith('Binary files ') && line.endsWith(' differ')) {
    file.binary = true;
    if (line.startsWith('Binary files /dev/null and ')) file.status = 'added';
    else if (line.endsWith(' and /dev/null differ')) file.status = 'deleted';
  } else if (line === 'GIT binary patch') {
    file.binary = true;
    startSkippingBinaryPatch();
  }
}

function applyFileHeader(file: DiffFile, oldPath: string | undefined, newPath: string | undefined): void {
  if (oldPath === undefined && newPath !== undefined) {
    file.status = 'added';
    file.path = newPath;
  } else if (newPath === undefined && oldPath !== undefined) {
    file.status = 'deleted';
    file.path = oldPath;
  } else if (newPath !== undefined) {
    file.path = newPath;
    if (oldPath !== undefined && oldPath !== newPath && file.status === 'modified') {
      file.status = 'renamed';
      file.oldPath = oldPath;
    }
  }
}

/** A `---`/`+++` path: `/dev/null` is no file; git's `a/`/`b/` prefixes and a `\t<timestamp>` are dropped. */
function parseHeaderPath(raw: string): string | undefined {
  const quoted = raw.startsWith('"');
  const path = quoted ? unquotePath(raw) : raw.replace(/\t.*$/, '').trimEnd();
  if (path === '/dev/null') return undefined;
  return stripPrefix(path);
}

function parseGitHeaderPaths(rest: string): { oldPath: string; newPath: string } | undefined {
  if (rest.startsWith('"')) {
    const first = readQuoted(rest, 0);
    if (first === undefined) return undefined;
    const second = rest.slice(first.end + 1);
    return { oldPath: stripPrefix(first.value), newPath: stripPrefix(second.startsWith('"') ? unquotePath(second) : second) };
  }
  const quotedSecond = rest.indexOf(' "');
  if (quotedSecond > 0) return { oldPath: stripPrefix(rest.slice(0, quotedSecond)), newPath: stripPrefix(unquotePath(rest.slice(quotedSecond + 1))) };
  const half = (rest.length - 1) / 2;
  if (Number.isInteger(half) && rest.charAt(half) === ' ' && rest.slice(2, half) === rest.slice(half + 3)) {
    const path = stripPrefix(rest.slice(0, half));
    return { oldPath: path, newPath: path };
  }
  const separator = rest.indexOf(' b/');
  if (separator < 0) return undefined;
  return { oldPath: stripPrefix(rest.slice(0, separator)), newPath: stripPrefix(rest.slice(separator + 1)) };
}

function stripPrefix(path: string): string {
  return /^[ab]\//.test(path) ? path.slice(2) : path;
}

/** Undoes git's C-style quoting: `"a/caf\303\251 \"x\".txt"` → `a/café "x".txt`. */
function unquotePath(raw: string): string {
  if (!raw.startsWith('"')) return raw;
  return readQuoted(raw, 0)?.value ?? raw;
}

const SIMPLE_ESCAPES: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92 };

function readQuoted(text: string, start: number): { value: string; end: number } | undefined {
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  for (let index = start + 1; index < text.length; index += 1) {
    const character = String.fromCodePoint(text.codePointAt(index) as number);
    if (character === '"') return { value: new TextDecoder().decode(new Uint8Array(bytes)), end: index };
    if (character !== '\\') {
      bytes.push(...encoder.encode(character));
      index += character.length - 1;
      continue;
    }
    const escaped = text.charAt(index + 1);
    const octal = /^[0-7]{3}/.exec(text.slice(index + 1, index + 4));
    if (octal !== null) {
      bytes.push(parseInt(octal[0], 8));
      index += 3;
    } else {
      bytes.push(SIMPLE_ESCAPES[escaped] ?? escaped.charCodeAt(0));
      index += 1;
    }
  }
  return undefined;
}
