import type { AgentStageRequest } from '../../../ports/agent.js';

/** The provider name Nightshift declares in pi's `models.json`. */
export const PI_PROVIDER_NAME = 'nightshift';

/** pi's built-in tools per access level: looking and searching at C0/C1, plus editing and a shell at C2. */
export const PI_TOOLS: Record<AgentStageRequest['access'], readonly string[]> = {
  'read-only': ['read', 'grep', 'find', 'ls'],
  'edit-worktree': ['read', 'grep', 'find', 'ls', 'edit', 'write', 'bash'],
};

/**
 * `models.json` of the private agent directory: one OpenAI-compatible provider pointing at the
 * model relay. The `developer` role and `reasoning_effort` are off, which every
 * OpenAI-compatible server accepts (Ollama and vLLM reject them).
 */
export function buildPiModels(input: { baseUrl: string; apiKey: string; model: string }): Record<string, unknown> {
  return {
    providers: {
      [PI_PROVIDER_NAME]: {
        baseUrl: input.baseUrl,
        api: 'openai-completions',
        apiKey: input.apiKey,
        compat: { supportsDeveloperRole: false, supportsReasoningEffort: false },
        models: [{ id: input.model }],
      },
    },
  };
}

/**
 * `settings.json` of the private agent directory: pi's own retries follow ours (its SDK
 * retries off; a provider asking for a longer wait than a minute fails at once, per
 * `retry.provider.maxRetryDelayMs`), no install telemetry, no startup chatter.
 */
export function buildPiSettings(input: { maxRetries: number }): Record<string, unknown> {
  return {
    retry: { enabled: input.maxRetries > 0, maxRetries: input.maxRetries, provider: { maxRetries: 0, maxRetryDelayMs: 60_000 } },
    enableInstallTelemetry: false,
    quietStartup: true,
  };
}

/**
 * The command line (checked against `pi --help` of the pinned 0.73.1): JSON events, sessions
 * kept in the ticket's private directory (so a later stage can resume one), only the stage's
 * tools, the guard extension loaded explicitly while the repository's own extensions, skills,
 * prompt templates and themes are not discovered (a `.pi/extensions/*.ts` would otherwise run
 * code at C0). pi has no `--`: a prompt starting with `-` (an option) or `@` (a file to
 * attach) is guarded by a space; it comes before the extra arguments so an unknown option
 * there cannot take it as its value.
 */
export function buildPiArguments(input: {
  prompt: string;
  access: AgentStageRequest['access'];
  model: string;
  sessionDirectory: string;
  guardExtensionPath: string;
  resumeSessionId?: string;
  extraArguments: readonly string[];
}): string[] {
  return [
    '--print',
    '--mode',
    'json',
    '--provider',
    PI_PROVIDER_NAME,
    '--model',
    input.model,
    '--session-dir',
    input.sessionDirectory,
    ...(input.resumeSessionId === undefined ? [] : ['--session', input.resumeSessionId]),
    '--tools',
    PI_TOOLS[input.access].join(','),
    '--no-extensions',
    '--extension',
    input.guardExtensionPath,
    '--no-skills',
    '--no-prompt-templates',
    '--no-themes',
    '--offline',
    /^[-@]/.test(input.prompt) ? ` ${input.prompt}` : input.prompt,
    ...input.extraArguments,
  ];
}
