/**
 * How a value found in a YAML file is shown in a problem message ("expected a whole
 * number, got \"three\""): strings quoted, lists and mappings named and shortened,
 * nothing as "nothing", so the configuration, ticket files and batch manifests all
 * report what they found the same way.
 */
export function describeFoundValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return `a list (${shorten(safeJson(value))})`;
  if (typeof value === 'object') return `a mapping (${shorten(safeJson(value))})`;
  return shorten(safeJson(value));
}

/** A YAML anchor can make a value refer to itself, which JSON cannot show. */
function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return '…';
  }
}

function shorten(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
