import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';

/**
 * Validates SARIF logs in tests against `sarif-2.1.0-subset-schema.json` beside this
 * file, a hand-written faithful subset of the official SARIF 2.1.0 schema (no installed
 * package ships the official file; the subset's description says what it covers).
 */

const URI_CHARACTERS = String.raw`(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*`;
/** RFC 3986: a scheme, then only characters a URI may hold (anything else percent-encoded). */
const ABSOLUTE_URI = new RegExp(`^[A-Za-z][A-Za-z0-9+.-]*:${URI_CHARACTERS}$`);
/** RFC 3986 URI-reference: a URI, or a relative reference whose first segment holds no colon. */
const URI_REFERENCE = new RegExp(`^(?:[A-Za-z][A-Za-z0-9+.-]*:|(?![^/?#]*:))${URI_CHARACTERS}$`);

const schema = JSON.parse(readFileSync(new URL('./sarif-2.1.0-subset-schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;
// strictRequired is off because SARIF's own anyOf branches name properties defined beside them (as in the official schema).
const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
ajv.addFormat('uri', ABSOLUTE_URI);
ajv.addFormat('uri-reference', URI_REFERENCE);
const validate = ajv.compile(schema);

/** The schema errors of a SARIF log, as `path: message` lines; empty when it is valid. */
export function sarifSchemaErrors(log: unknown): string[] {
  if (validate(log)) return [];
  return (validate.errors ?? []).map((error: ErrorObject) => `${error.instancePath || '/'}: ${error.message ?? 'invalid'}${error.params === undefined ? '' : ` ${JSON.stringify(error.params)}`}`);
}
