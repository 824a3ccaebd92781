import { isDeepStrictEqual } from 'node:util';
import { isMap, isScalar, parseDocument, stringify } from 'yaml';
import { splitFrontMatter } from './split-front-matter.js';

/**
 * Changes one top-level field of a ticket's front matter and keeps every other byte
 * of the file: comments, quoting, key order, the Markdown body. The field is located
 * with yaml's Document API and its lines replaced in place (or appended at the end of
 * the front matter); when the layout is unusual (a flow mapping, indented keys) and a
 * splice would change other fields, the whole front matter is re-emitted through the
 * Document API instead, which still keeps comments.
 */

/** Sets `key` to `value` (replacing an existing value), or removes it when `value` is undefined. */
export function editFrontMatterField(fileText: string, key: string, value: unknown): string {
  const split = splitFrontMatter(fileText);
  if (!split.ok) throw new Error(`cannot edit the front matter: ${split.reason}`);
  const document = parseDocument(split.frontMatter, { prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new Error(`cannot edit the front matter: it is not valid YAML (${document.errors[0]?.message ?? 'unknown error'})`);
  }
  const before = (document.toJS() ?? {}) as Record<string, unknown>;
  const expected = { ...before };
  delete expected[key];
  if (value !== undefined) expected[key] = value;

  const spliced = spliceField(split.frontMatter, document, key, value, split.lineBreak);
  const check = spliced === undefined ? undefined : parseDocument(spliced, { uniqueKeys: true });
  const frontMatter =
    spliced !== undefined && check !== undefined && check.errors.length === 0 && isDeepStrictEqual(check.toJS() ?? {}, expected)
      ? spliced
      : reemit(document, key, value, split.lineBreak);
  if (frontMatter === split.frontMatter) return fileText;
  return fileText.slice(0, split.start) + frontMatter + fileText.slice(split.end);
}

/** The value of a top-level front-matter field, or undefined when absent or unreadable. */
export function readFrontMatterField(fileText: string, key: string): unknown {
  const split = splitFrontMatter(fileText);
  if (!split.ok) return undefined;
  const document = parseDocument(split.frontMatter, { prettyErrors: false });
  if (document.errors.length > 0) return undefined;
  const contents = document.toJS() as unknown;
  return contents !== null && typeof contents === 'object' ? (contents as Record<string, unknown>)[key] : undefined;
}

function spliceField(
  frontMatter: string,
  document: ReturnType<typeof parseDocument>,
  key: string,
  value: unknown,
  lineBreak: string,
): string | undefined {
  const contents = document.contents;
  const replacement = value === undefined ? '' : renderField(key, value, lineBreak);
  if (contents === null) return value === undefined ? frontMatter : frontMatter + replacement;
  if (!isMap(contents) || contents.flow === true) return undefined;
  const pair = contents.items.find((candidate) => isScalar(candidate.key) && candidate.key.value === key);
  if (pair === undefined) {
    if (value === undefined) return frontMatter;
    const separator = frontMatter === '' || frontMatter.endsWith('\n') ? '' : lineBreak;
    return frontMatter + separator + replacement;
  }
  const keyRange = (pair.key as { range?: [number, number, number] }).range;
  const valueRange = (pair.value as { range?: [number, number, number] } | null)?.range;
  if (keyRange === undefined) return undefined;
  const lineStart = frontMatter.lastIndexOf('\n', keyRange[0] - 1) + 1;
  let end = Math.max(keyRange[2], valueRange?.[2] ?? 0);
  if (end > 0 && frontMatter[end - 1] !== '\n') {
    const nextBreak = frontMatter.indexOf('\n', end);
    end = nextBreak === -1 ? frontMatter.length : nextBreak + 1;
  }
  return frontMatter.slice(0, lineStart) + replacement + frontMatter.slice(end);
}

function renderField(key: string, value: unknown, lineBreak: string): string {
  return stringify({ [key]: value }, { lineWidth: 0 }).replace(/\n/g, lineBreak);
}

function reemit(document: ReturnType<typeof parseDocument>, key: string, value: unknown, lineBreak: string): string {
  if (document.contents === null) return value === undefined ? '' : renderField(key, value, lineBreak);
  if (value === undefined) document.delete(key);
  else document.set(key, document.createNode(value));
  return document.toString({ lineWidth: 0 }).replace(/\r?\n/g, lineBreak);
}
