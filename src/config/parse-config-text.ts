import { parseDocument } from 'yaml';
import { describeFoundValue } from '../domain/describe-found-value.js';
import { lineCounterFor, locateYamlKey, valueAtKeyPath, yamlPositionAt } from '../domain/yaml-location.js';
import type { YamlKeyPath } from '../domain/yaml-location.js';
import { closestName } from './closest-name.js';
import type { ConfigProblem, ConfigResult } from './config-problem.js';
import { checkConfigRules } from './config-rules.js';
import { configFileSchema, knownConfigKeys } from './config-schema.js';
import { normalizeConfig } from './normalize-config.js';

/**
 * Reads the text of `nightshift.yaml` through schema → normalize → cross-field rules.
 * Pure (no file system, no environment), so tests and property tests can feed it
 * anything: it never throws, it returns problems located at their line and column.
 */
export function parseConfigText(text: string, fileName: string): ConfigResult {
  const document = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  const lineCounter = lineCounterFor(text);
  const at = (offset: number | undefined) => yamlPositionAt(lineCounter, offset);
  const locate = (path: YamlKeyPath) => locateYamlKey(document, lineCounter, path);

  const warnings: ConfigProblem[] = document.warnings.map((warning) => ({
    file: fileName,
    ...at(warning.pos[0]),
    message: `YAML: ${warning.message}`,
  }));
  if (document.errors.length > 0) {
    const errors = document.errors.map((error) => ({ file: fileName, ...at(error.pos[0]), message: `malformed YAML: ${error.message}` }));
    return { config: undefined, errors, warnings };
  }

  let raw: unknown;
  try {
    raw = document.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (error) {
    return { config: undefined, errors: [{ file: fileName, message: `unreadable YAML: ${(error as Error).message}` }], warnings };
  }

  for (const unknown of findUnknownKeys(raw, [])) {
    warnings.push({ file: fileName, ...locate(unknown.path), key: unknown.path.join('.'), message: unknown.message });
  }

  const parsed = configFileSchema.safeParse(raw);
  if (!parsed.success) {
    const errors = parsed.error.issues.map((issue) => {
      const path = issue.path.filter((segment): segment is string | number => typeof segment !== 'symbol');
      return {
        file: fileName,
        ...locate(path),
        key: path.join('.'),
        message: `expected ${issue.message}, got ${describeFoundValue(valueAtKeyPath(raw, path))}`,
      };
    });
    return { config: undefined, errors, warnings };
  }

  const config = normalizeConfig(parsed.data);
  const findings = checkConfigRules(config);
  const toProblem = (finding: { path: string[]; message: string }): ConfigProblem => ({
    file: fileName,
    ...locate(finding.path),
    key: finding.path.join('.'),
    message: finding.message,
  });
  warnings.push(...findings.warnings.map(toProblem));
  const errors = findings.errors.map(toProblem);
  return { config: errors.length === 0 ? config : undefined, errors, warnings };
}

interface UnknownKey {
  path: string[];
  message: string;
}

function findUnknownKeys(raw: unknown, path: string[]): UnknownKey[] {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return [];
  const known = knownConfigKeys(path);
  if (known === undefined) return [];
  const found: UnknownKey[] = [];
  for (const [key, value] of Object.entries(raw)) {
    if (known.includes(key)) {
      found.push(...findUnknownKeys(value, [...path, key]));
      continue;
    }
    const elsewhere = allKeyPaths([]).find((candidate) => candidate[candidate.length - 1] === key);
    const suggestion = elsewhere !== undefined ? elsewhere.join('.') : closestName(key, known);
    const message =
      suggestion !== undefined
        ? `unknown key ${JSON.stringify(key)} (ignored); did you mean ${JSON.stringify(suggestion)}?`
        : `unknown key ${JSON.stringify(key)} (ignored); known keys here: ${known.join(', ')}`;
    found.push({ path: [...path, key], message });
  }
  return found;
}

function allKeyPaths(path: string[]): string[][] {
  const known = knownConfigKeys(path) ?? [];
  return known.flatMap((key) => [[...path, key], ...allKeyPaths([...path, key])]);
}
