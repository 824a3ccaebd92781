import { isMap, isScalar, isSeq } from 'yaml';
import { LineCounter, type Document } from 'yaml';

/**
 * A key path into a YAML document as zod reports it (`['tickets', 0, 'id']`): mapping
 * keys are strings, list positions are numbers.
 */
export type YamlKeyPath = readonly (string | number)[];

/** A 1-based place in YAML text, as editors show it. */
export interface YamlPosition {
  line: number;
  column: number;
}

/**
 * The value at `path` in the plain data a YAML document became (`document.toJS()`), or
 * undefined when the path leads nowhere: what a problem message says was found there.
 */
export function valueAtKeyPath(data: unknown, path: YamlKeyPath): unknown {
  let current = data;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

/**
 * Where the deepest existing key (or list item) on `path` starts, as an offset into the
 * text: problems point at keys, as editors expect, and at the nearest parent key when
 * the key itself is missing. Undefined when not even the first key exists.
 */
export function yamlKeyOffset(document: Document, path: YamlKeyPath): number | undefined {
  let node: unknown = document.contents;
  let offset = path.length === 0 ? rangeStart(node) : undefined;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((candidate) => isScalar(candidate.key) && String(candidate.key.value) === String(segment));
      if (pair === undefined) break;
      offset = rangeStart(pair.key) ?? offset;
      node = pair.value;
    } else if (isSeq(node)) {
      const item = node.items[Number(segment)];
      if (item === undefined) break;
      offset = rangeStart(item) ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset;
}

/**
 * The line and column of the key at `path` (see {@link yamlKeyOffset}), counted by the
 * `lineCounter` the document was parsed with; empty when there is no such place, so
 * the result can be spread into a problem either way.
 */
export function locateYamlKey(document: Document, lineCounter: LineCounter, path: YamlKeyPath): Partial<YamlPosition> {
  return yamlPositionAt(lineCounter, yamlKeyOffset(document, path));
}

/** The line and column of an offset (e.g. of a YAML error), or empty when there is none. */
/**
 * A line counter that knows every line of the text. The parser's own counter only learns
 * the lines its lexer reached, so an error near a broken end of file could be placed on
 * an earlier line; counting the text itself cannot be wrong.
 */
export function lineCounterFor(text: string): LineCounter {
  const lineCounter = new LineCounter();
  lineCounter.addNewLine(0);
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) lineCounter.addNewLine(index + 1);
  return lineCounter;
}

export function yamlPositionAt(lineCounter: LineCounter, offset: number | undefined): Partial<YamlPosition> {
  if (offset === undefined) return {};
  const position = lineCounter.linePos(offset);
  return { line: position.line, column: position.col };
}

function rangeStart(node: unknown): number | undefined {
  return (node as { range?: readonly number[] } | null | undefined)?.range?.[0];
}
