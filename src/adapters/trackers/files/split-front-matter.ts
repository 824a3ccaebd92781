/**
 * A ticket file is YAML front matter between `---` lines, then Markdown. This finds
 * the two parts by offset so edits can rewrite the front matter and keep every other
 * byte of the file.
 */
export type FrontMatterSplit =
  | {
      ok: true;
      /** The YAML text between the fences (ends with a line break unless empty). */
      frontMatter: string;
      /** Offset of the YAML text in the file. */
      start: number;
      /** Offset just after the YAML text: where the closing fence line begins. */
      end: number;
      /** 1-based line number of the YAML text's first line in the file. */
      firstLine: number;
      /** The Markdown after the closing fence. */
      body: string;
      /** The file's line break, kept when the front matter is rewritten. */
      lineBreak: '\n' | '\r\n';
    }
  | { ok: false; reason: string };

const OPENING_FENCE = /^\uFEFF?---[ \t]*\r?\n/;
const CLOSING_FENCE_SOURCE = '^(?:---|\\.\\.\\.)[ \\t]*(?:\\r?\\n|$)';

/** Splits a ticket file into front matter and body; says what is missing when it cannot. */
export function splitFrontMatter(text: string): FrontMatterSplit {
  const opening = OPENING_FENCE.exec(text);
  if (opening === null) {
    return { ok: false, reason: 'expected YAML front matter at the top of the file, between two "---" lines (id, title, labels …)' };
  }
  const start = opening[0].length;
  const closingFence = new RegExp(CLOSING_FENCE_SOURCE, 'gm');
  closingFence.lastIndex = start;
  const closing = closingFence.exec(text);
  if (closing === null) {
    return { ok: false, reason: 'the front matter is not closed: expected a "---" line after the YAML fields' };
  }
  return {
    ok: true,
    frontMatter: text.slice(start, closing.index),
    start,
    end: closing.index,
    firstLine: 2,
    body: text.slice(closing.index + closing[0].length),
    lineBreak: opening[0].endsWith('\r\n') ? '\r\n' : '\n',
  };
}
