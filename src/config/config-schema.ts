import { z } from 'zod';
import { BATCH_NAME_SUFFIX_PATTERN } from '../domain/batch-id.js';
import { parseDuration } from '../domain/duration.js';
import { AGENT_KINDS, AGENT_SANDBOX_CHOICES } from './nightshift-config.js';

/**
 * The shape of `nightshift.yaml` as written (snake_case keys, durations as text), the
 * first step of schema → normalize → rules. Every error message here is the
 * expectation only ("a whole number from 1 to 32"); the parser adds what was found.
 * Every key is optional: a missing key takes the seed's default in normalization.
 */

const ENVIRONMENT_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const BRANCH_NAME = /^(?![-.])(?!.*\.\.)(?!.*@\{)(?!.*\/\/)(?!.*\/\.)(?!.*\.lock(?:\/|$))[A-Za-z0-9._/-]+(?<![./])$/;
const EMAIL = /^[^\s<>@]+@[^\s<>@]+$/;

const text = (expected: string) => z.string({ error: expected }).trim().min(1, { error: expected });

const wholeNumber = (minimum: number, maximum: number) => {
  const expected = `a whole number from ${minimum} to ${maximum}`;
  return z.number({ error: expected }).int({ error: expected }).min(minimum, { error: expected }).max(maximum, { error: expected });
};

const duration = (maximumMinutes: number) => {
  const expected = `a duration like 30m, 1h, 90s or a number of minutes, at most ${maximumMinutes / 60}h`;
  return z.custom<string | number>(
    (value) => {
      const parsed = parseDuration(value);
      return parsed.ok && parsed.minutes <= maximumMinutes;
    },
    { error: expected },
  );
};

const section = <Shape extends z.ZodRawShape>(shape: Shape, what: string) =>
  z.object(shape, { error: `a mapping of ${what} settings` }).nullish();

const relativeDirectory = text('a directory inside the repository, like tickets').refine(
  (value) => !value.startsWith('/') && !/^[A-Za-z]:/.test(value) && !value.split(/[\\/]/).includes('..') && !value.includes('\0'),
  { error: 'a directory inside the repository (relative, without ".."), like tickets' },
);

const agentShape = {
  kind: z.enum(AGENT_KINDS, { error: `one of: ${AGENT_KINDS.join(', ')}` }).nullish(),
  binary: text('the agent executable: a name on PATH or a path').nullish(),
  model: text('a model name, like claude-sonnet-4-5').nullish(),
  base_url: text('an http(s) URL, like http://127.0.0.1:8787')
    .refine((value) => /^https?:\/\/[^\s/]+/.test(value) && URL.canParse(value), { error: 'an http(s) URL, like http://127.0.0.1:8787' })
    .nullish(),
  api_key_env: z
    .string({ error: 'an environment variable name, like ANTHROPIC_API_KEY' })
    .regex(ENVIRONMENT_NAME, { error: 'an environment variable name, like ANTHROPIC_API_KEY' })
    .nullish(),
  extra_args: z.array(z.string({ error: 'a command-line argument (text)' }), { error: 'a list of command-line arguments' }).nullish(),
  environment_allow: z
    .array(z.string({ error: 'an environment variable name' }).regex(ENVIRONMENT_NAME, { error: 'an environment variable name, like HTTPS_PROXY' }), {
      error: 'a list of environment variable names',
    })
    .nullish(),
  command: text('a shell command template, like "aider --message-file {prompt_file}"').nullish(),
  acp_command: z.array(text('a command-line word'), { error: 'the agent command as a list, like ["claude-agent-acp"]' }).min(1, { error: 'the agent command as a list, like ["claude-agent-acp"]' }).nullish(),
  max_retries: wholeNumber(0, 10).nullish(),
};

const stageOverride = z.object(
  {
    model: text('a model name').nullish(),
    extra_args: z.array(z.string({ error: 'a command-line argument (text)' }), { error: 'a list of command-line arguments' }).nullish(),
  },
  { error: 'a mapping like { model: cheaper-model }' },
);
const stagesSection = z.object({ C0: stageOverride.nullish(), C1: stageOverride.nullish(), C2: stageOverride.nullish() }, { error: 'a mapping of stage (C0, C1, C2) to overrides' }).nullish();

const gateCommand = z.union(
  [
    text('a shell command, like npm test'),
    z.object(
      {
        command: text('a shell command, like npm test'),
        report: relativeDirectory.nullish(),
        format: z.enum(['junit', 'tap', 'coverage-json', 'auto'], { error: 'one of: junit, tap, coverage-json, auto' }).nullish(),
      },
      { error: 'a command, or { command, report, format }' },
    ),
  ],
  { error: 'a shell command like npm test, or { command: npm test, report: reports/junit.xml, format: junit }' },
);

/** The schema of the configuration file; exported for key discovery and the starter-file test. */
export const configFileSchema = z.object(
  {
    tracker: section(
      {
        kind: z.enum(['files'], { error: 'one of: files (the only tracker supported so far)' }).nullish(),
        directory: relativeDirectory.nullish(),
        ready_label: text('a label name, like ready-for-agent').nullish(),
      },
      'tracker',
    ),
    agent: section({ ...agentShape, sandbox: z.enum(AGENT_SANDBOX_CHOICES, { error: `one of: ${AGENT_SANDBOX_CHOICES.join(', ')} (auto: bubblewrap when bwrap works here)` }).nullish(), stages: stagesSection, failover: z.array(z.object(agentShape, { error: 'an agent mapping, like { kind: codex, model: gpt-5 }' }), { error: 'a list of agents, like [{ kind: codex }]' }).nullish() }, 'agent'),
    batch: section(
      {
        max_tickets: wholeNumber(1, 500).nullish(),
        timeout_per_ticket: duration(24 * 60).nullish(),
        parallel_agents: wholeNumber(1, 32).nullish(),
        name_suffix: z
          .string({ error: 'lowercase letters, digits and dashes, like overnight' })
          .regex(BATCH_NAME_SUFFIX_PATTERN, { error: 'lowercase letters, digits and dashes (at most 40), like overnight' })
          .nullish(),
      },
      'batch',
    ),
    repository: section(
      {
        base_branch: z.string({ error: 'a branch name, like main' }).regex(BRANCH_NAME, { error: 'a valid git branch name, like main' }).nullish(),
        branch_prefix: z.string({ error: 'a branch prefix ending in "/", like agent/' }).nullish(),
        author: section(
          {
            name: text('a commit author name, like Nightshift')
              .refine((value) => !/[<>\n\r]/.test(value), { error: 'a commit author name without "<", ">" or line breaks' })
              .nullish(),
            email: z.string({ error: 'an email address, like nightshift@localhost' }).regex(EMAIL, { error: 'an email address, like nightshift@localhost' }).nullish(),
          },
          'commit author',
        ),
      },
      'repository',
    ),
    gates: section(
      {
        timeout: duration(24 * 60).nullish(),
        commands: z.record(z.string(), gateCommand, { error: 'a mapping of gate name to command, like { test: npm test }' }).nullish(),
        concurrency: wholeNumber(1, 16).nullish(),
        rerun_failed: z.boolean({ error: 'true or false' }).nullish(),
      },
      'gates',
    ),
    generation: section(
      {
        stall_timeout: duration(24 * 60).nullish(),
        max_attempts: wholeNumber(1, 10).nullish(),
        max_rate_limits: wholeNumber(0, 100).nullish(),
        rate_limit_wait: duration(24 * 60).nullish(),
        remove_worktrees: z.boolean({ error: 'true or false' }).nullish(),
        keep_agent_homes: z.boolean({ error: 'true or false' }).nullish(),
      },
      'generation',
    ),
    budget: section(
      {
        tokens_per_ticket: wholeNumber(1, 1_000_000_000).nullish(),
        cost_per_ticket: z.number({ error: 'an amount in US dollars, like 2.50' }).positive({ error: 'an amount in US dollars above 0, like 2.50' }).nullish(),
        tokens_per_batch: wholeNumber(1, 100_000_000_000).nullish(),
        cost_per_batch: z.number({ error: 'an amount in US dollars, like 40' }).positive({ error: 'an amount in US dollars above 0, like 40' }).nullish(),
      },
      'budget',
    ),
    escalation: section(
      {
        on_agent_decision: z.boolean({ error: 'true or false' }).nullish(),
        on_complexity_above_estimate: z.boolean({ error: 'true or false' }).nullish(),
        max_files_outside_estimate: wholeNumber(0, 10_000).nullish(),
        protected_paths: z.array(text('a glob, like .github/workflows/**'), { error: 'a list of globs, like [".github/workflows/**"]' }).nullish(),
      },
      'escalation',
    ),
    security: section(
      {
        risky_paths: z.array(text('a glob, like .github/workflows/**'), { error: 'a list of globs' }).nullish(),
        audit_command: z.string({ error: 'a shell command, like npm audit --json (empty to turn the audit off)' }).nullish(),
        dangerous_patterns: z.boolean({ error: 'true or false' }).nullish(),
      },
      'security',
    ),
    code_host: section({ kind: z.enum(['local'], { error: 'one of: local (the only code host supported so far)' }).nullish() }, 'code host'),
  },
  { error: 'a mapping of settings (key: value lines)' },
);

/** The configuration as written, after the schema and before normalization. */
export type ConfigFile = z.infer<typeof configFileSchema>;

/**
 * The keys the schema knows at a path of mappings (e.g. `[]`, `['repository', 'author']`),
 * or undefined when the path holds free-form keys (gate names) or no mapping at all.
 */
export function knownConfigKeys(path: readonly string[]): string[] | undefined {
  let schema: z.ZodType = configFileSchema;
  for (const segment of path) {
    const shape = objectShape(schema);
    const next = shape?.[segment];
    if (next === undefined) return undefined;
    schema = next;
  }
  const shape = objectShape(schema);
  return shape === undefined ? undefined : Object.keys(shape);
}

function objectShape(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  let current: z.ZodType = schema;
  while (current instanceof z.ZodOptional || current instanceof z.ZodNullable) current = current.unwrap() as z.ZodType;
  return current instanceof z.ZodObject ? (current.shape as Record<string, z.ZodType>) : undefined;
}
