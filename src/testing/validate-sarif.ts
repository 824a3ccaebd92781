import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';

/**
 * Validates SARIF logs in tests against the official SARIF 2.1.0 JSON schema (draft
 * 2020-12), as Microsoft's SARIF SDK ships it in `@microsoft/sarif-multitool-linux`
 * (`sarif-2.1.0.json`): the file code-scanning services check uploads against.
 */

const URI_CHARACTERS = String.raw`(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*`;
/** RFC 3986: a scheme, then only characters a URI may hold (anything else percent-encoded). */
const ABSOLUTE_URI = new RegExp(`^[A-Za-z][A-Za-z0-9+.-]*:${URI_CHARACTERS}$`);
/** RFC 3986 URI-reference: a URI, or a relative reference whose first segment holds no colon. */
const URI_REFERENCE = new RegExp(`^(?:[A-Za-z][A-Za-z0-9+.-]*:|(?![^/?#]*:))${URI_CHARACTERS}$`);

const schemaPath = createRequire(import.meta.url).resolve('@microsoft/sarif-multitool-linux/sarif-2.1.0.json');
const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as Record<string, unknown>;
// strictRequired and strictTypes are off: the official schema's anyOf branches name properties defined beside them.
const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, strictTypes: false });
ajv.addFormat('uri', ABSOLUTE_URI);
ajv.addFormat('uri-reference', URI_REFERENCE);
ajv.addFormat('uuid', /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/);
// RFC 3339 date-time, as SARIF's timestamps are written (`2026-11-26T03:00:00.000Z`).
ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/);
const validate = ajv.compile(schema);

/** The schema errors of a SARIF log, as `path: message` lines; empty when it is valid. */
export function sarifSchemaErrors(log: unknown): string[] {
  if (validate(log)) return [];
  return (validate.errors ?? []).map((error: ErrorObject) => `${error.instancePath || '/'}: ${error.message ?? 'invalid'}${error.params === undefined ? '' : ` ${JSON.stringify(error.params)}`}`);
}
