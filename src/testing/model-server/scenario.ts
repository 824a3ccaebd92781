import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { TICKET_ID_PATTERN } from '../../domain/ticket-id.js';

/**
 * One abstract step of a scripted model: what the model "decides" to do, independent of
 * any agent's tool names. The server maps each onto the requesting agent's own tools.
 */
export type ScenarioAction =
  | { kind: 'read'; path: string }
  | { kind: 'write'; path: string; content: string }
  | { kind: 'edit'; path: string; oldText: string; newText: string }
  | { kind: 'run'; command: string }
  | { kind: 'fail'; status: number; retryAfterSeconds?: number; message: string }
  | { kind: 'say'; text: string }
  | { kind: 'report'; text: string };

/**
 * A validated scenario: for each ticket, a script per stage key (`C0`, `C1`, `C2`, or
 * `C0#2` for a given attempt).
 */
export interface Scenario {
  /** The file (or a label) the scenario came from, named in every error about it. */
  sourceName: string;
  model: string;
  tickets: Record<string, Record<string, ScenarioAction[]>>;
}

/**
 * A scenario as written in YAML/JSON or in code (the demo's), before validation:
 * `{ model?, tickets: { <id>: { <stage key>: [ { write: {...} }, { report: {...} }, … ] } } }`.
 */
export interface ScenarioDocument {
  model?: string;
  tickets: Record<string, Record<string, unknown[]>>;
}

/** Thrown for an invalid scenario: the file is the user's, so every problem is listed. */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
  constructor(
    readonly sourceName: string,
    readonly problems: string[],
  ) {
    super(`invalid scenario ${sourceName}:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

export const DEFAULT_SCENARIO_MODEL = 'scripted-model';

const STAGE_KEY_PATTERN = /^C[0-2](#[1-9][0-9]*)?$/;

const documentSchema = z.strictObject({
  model: z.string().min(1).optional(),
  tickets: z.record(z.string(), z.record(z.string(), z.array(z.unknown()))),
});

const pathSchema = z.string().min(1);
const actionPayloadSchemas = {
  read: z.strictObject({ path: pathSchema }),
  write: z.strictObject({ path: pathSchema, content: z.string() }),
  edit: z.strictObject({ path: pathSchema, old: z.string().min(1), new: z.string() }),
  run: z.strictObject({ command: z.string().min(1) }),
  fail: z.strictObject({
    status: z.number().int().min(400).max(599),
    retry_after_seconds: z.number().int().nonnegative().optional(),
    message: z.string().min(1).optional(),
  }),
  say: z.string(),
  report: z.union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())]),
} as const;
type ActionName = keyof typeof actionPayloadSchemas;
const ACTION_NAMES = Object.keys(actionPayloadSchemas) as ActionName[];

/** Reads and validates a scenario file (`.yaml`, `.yml` or `.json`). */
export async function loadScenario(path: string): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ScenarioError(path, [`cannot read the file: ${(error as Error).message}`]);
  }
  let value: unknown;
  try {
    value = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ScenarioError(path, [`the file does not parse as ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message}`]);
  }
  return parseScenario(value, path);
}

/** Validates a scenario given as a value (parsed YAML/JSON or an object written in a test). */
export function parseScenario(value: unknown, sourceName: string): Scenario {
  const document = documentSchema.safeParse(value);
  if (!document.success) {
    throw new ScenarioError(sourceName, document.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`));
  }
  const problems: string[] = [];
  const tickets: Scenario['tickets'] = {};
  for (const [ticketId, stages] of Object.entries(document.data.tickets)) {
    if (!TICKET_ID_PATTERN.test(ticketId)) {
      problems.push(`tickets.${ticketId}: expected a ticket id like "DEMO-1"`);
    }
    const scripts: Record<string, ScenarioAction[]> = {};
    for (const [stageKey, actions] of Object.entries(stages)) {
      const field = `tickets.${ticketId}.${stageKey}`;
      if (!STAGE_KEY_PATTERN.test(stageKey)) {
        problems.push(`${field}: expected a stage key C0, C1 or C2, optionally with an attempt like "C0#2"`);
        continue;
      }
      scripts[stageKey] = actions.flatMap((action, index) => {
        const parsed = parseAction(action, `${field}[${index}]`);
        if (typeof parsed === 'string') {
          problems.push(parsed);
          return [];
        }
        return [parsed];
      });
    }
    tickets[ticketId] = scripts;
  }
  if (problems.length > 0) throw new ScenarioError(sourceName, problems);
  return { sourceName, model: document.data.model ?? DEFAULT_SCENARIO_MODEL, tickets };
}

function parseAction(value: unknown, field: string): ScenarioAction | string {
  const keys = value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value) : [];
  const name = keys[0] as ActionName | undefined;
  if (keys.length !== 1 || name === undefined || !ACTION_NAMES.includes(name)) {
    return `${field}: expected an object with exactly one of ${ACTION_NAMES.join(', ')}, got ${JSON.stringify(value)}`;
  }
  const payload = (value as Record<string, unknown>)[name];
  const result = actionPayloadSchemas[name].safeParse(payload);
  if (!result.success) {
    return result.error.issues.map((issue) => `${field}.${name}${issue.path.length > 0 ? `.${formatPath(issue.path)}` : ''}: ${issue.message}`).join('; ');
  }
  return toAction(name, result.data);
}

function toAction(name: ActionName, payload: unknown): ScenarioAction {
  switch (name) {
    case 'read':
      return { kind: 'read', ...(payload as z.infer<typeof actionPayloadSchemas.read>) };
    case 'write':
      return { kind: 'write', ...(payload as z.infer<typeof actionPayloadSchemas.write>) };
    case 'edit': {
      const edit = payload as z.infer<typeof actionPayloadSchemas.edit>;
      return { kind: 'edit', path: edit.path, oldText: edit.old, newText: edit.new };
    }
    case 'run':
      return { kind: 'run', ...(payload as z.infer<typeof actionPayloadSchemas.run>) };
    case 'fail': {
      const fail = payload as z.infer<typeof actionPayloadSchemas.fail>;
      return {
        kind: 'fail',
        status: fail.status,
        message: fail.message ?? `scripted HTTP ${fail.status}`,
        ...(fail.retry_after_seconds === undefined ? {} : { retryAfterSeconds: fail.retry_after_seconds }),
      };
    }
    case 'say':
      return { kind: 'say', text: payload as string };
    case 'report':
      return { kind: 'report', text: typeof payload === 'string' ? payload : JSON.stringify(payload, null, 2) };
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(root)' : path.map((part) => (typeof part === 'number' ? `[${part}]` : String(part))).join('.').replaceAll('.[', '[');
}

/** Accepts a validated scenario as is, and validates a document (labelled `sourceName` in errors). */
export function toScenario(value: Scenario | ScenarioDocument, sourceName: string): Scenario {
  return 'sourceName' in value && typeof value.sourceName === 'string' ? (value as Scenario) : parseScenario(value, sourceName);
}

/**
 * Picks the script for a stage: `C0#2` when the attempt is 2 and the scenario has it,
 * else `C0`. Returns undefined when the scenario has neither.
 */
export function findStageScript(scenario: Scenario, ticketId: string, stage: string, attempt: number): ScenarioAction[] | undefined {
  const scripts = scenario.tickets[ticketId];
  return scripts?.[`${stage}#${attempt}`] ?? scripts?.[stage];
}
