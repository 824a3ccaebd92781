/**
 * Patches in the format of Codex's freeform `apply_patch` tool (`*** Begin Patch` …
 * `*** End Patch`), built so the scripted model can write and edit files through it.
 * Codex writes every patched line followed by a newline, so a file always ends with one.
 */

/** A patch writing `content` to `path`, whether the file exists or not (`Add File` overwrites). */
export function buildWritePatch(path: string, content: string): string {
  return wrap([`*** Add File: ${path}`, ...splitLines(content).map((line) => `+${line}`)]);
}

/**
 * A patch replacing the first occurrence of `oldText` in `current` by `newText`: the whole
 * lines around it are removed and added again, which `apply_patch` finds unambiguously
 * because it looks for the first exact match of those lines. Undefined when `oldText` is absent.
 */
export function buildReplacePatch(path: string, current: string, oldText: string, newText: string): string | undefined {
  const index = current.indexOf(oldText);
  if (index < 0 || oldText === '') return undefined;
  const start = index === 0 ? 0 : current.lastIndexOf('\n', index - 1) + 1;
  let end = endOfLine(current, index + oldText.length - 1);
  let replaced = current.slice(start, index) + newText + current.slice(index + oldText.length, end);
  while (!replaced.endsWith('\n') && end < current.length) {
    const next = endOfLine(current, end);
    replaced += current.slice(end, next);
    end = next;
  }
  const oldLines = splitLines(current.slice(start, end));
  return wrap([`*** Update File: ${path}`, ...oldLines.map((line) => `-${line}`), ...splitLines(replaced).map((line) => `+${line}`)]);
}

/** The index just after the newline ending the line that holds `position` (or the text's length). */
function endOfLine(text: string, position: number): number {
  const newline = text.indexOf('\n', Math.max(0, position));
  return newline < 0 ? text.length : newline + 1;
}

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (text.endsWith('\n')) lines.pop();
  return lines;
}

function wrap(lines: string[]): string {
  return ['*** Begin Patch', ...lines, '*** End Patch', ''].join('\n');
}
