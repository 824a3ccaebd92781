/**
 * "Did you mean" for mistyped keys: a misspelt setting silently falls back to its
 * default, so the warning should name the key the author most likely meant.
 */

/** The known name closest to `name` by edit distance, when it is close enough to be a typo. */
export function closestName(name: string, knownNames: readonly string[]): string | undefined {
  const lowered = name.toLowerCase().replace(/-/g, '_');
  let best: { name: string; distance: number } | undefined;
  for (const known of knownNames) {
    const distance = editDistance(lowered, known.toLowerCase());
    if (best === undefined || distance < best.distance) best = { name: known, distance };
  }
  if (best === undefined) return undefined;
  const allowed = Math.max(1, Math.floor(Math.max(name.length, best.name.length) / 3));
  return best.distance <= allowed ? best.name : undefined;
}

/** Levenshtein distance with adjacent transpositions counted as one edit. */
export function editDistance(left: string, right: string): number {
  const rows = left.length + 1;
  const columns = right.length + 1;
  const table: number[][] = Array.from({ length: rows }, (_, row) => Array.from({ length: columns }, (_, column) => (row === 0 ? column : column === 0 ? row : 0)));
  const at = (row: number, column: number): number => table[row]?.[column] ?? Number.POSITIVE_INFINITY;
  for (let row = 1; row < rows; row += 1) {
    for (let column = 1; column < columns; column += 1) {
      const substitution = left[row - 1] === right[column - 1] ? 0 : 1;
      let distance = Math.min(at(row - 1, column) + 1, at(row, column - 1) + 1, at(row - 1, column - 1) + substitution);
      if (row > 1 && column > 1 && left[row - 1] === right[column - 2] && left[row - 2] === right[column - 1]) {
        distance = Math.min(distance, at(row - 2, column - 2) + 1);
      }
      (table[row] as number[])[column] = distance;
    }
  }
  return at(rows - 1, columns - 1);
}
