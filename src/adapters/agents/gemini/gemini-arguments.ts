import type { AgentStageRequest } from '../../../ports/agent.js';

/** The model passed with `-m` when none is configured: the CLI's own default, without its "auto" routing. */
export const DEFAULT_GEMINI_MODEL = 'gemini-2.5-pro';

/** The Gemini CLI's read-only tools: all the model gets at C0/C1. */
export const READ_ONLY_TOOLS: readonly string[] = ['read_file', 'list_directory', 'glob', 'grep_search'];

/** The file tools the model gets at C2, beside the read-only ones and the shell. */
export const EDIT_TOOLS: readonly string[] = ['write_file', 'replace'];

export const SHELL_TOOL = 'run_shell_command';

/**
 * The command line for one headless stage (checked against `gemini --help` of the pinned
 * 0.61.0):
 * - `-m` always: without it the CLI routes through "auto", which adds a classifier request
 *   and falls back between models with long retries;
 * - `--approval-mode default` at every stage, and the tools decided by the `--policy` file
 *   ({@link buildGeminiPolicy}) rather than by `--yolo`: the policy is loaded at the user tier,
 *   above anything a repository's own `.gemini/` could add, and the workspace is not trusted
 *   (see the agent's environment), in which case the CLI refuses `yolo` and `auto_edit` anyway;
 * - the prompt comes last, joined to its option (`--prompt=<text>`): given as a separate
 *   argument, a prompt starting with a dash is read as options (seen with 0.61.0).
 */
export function buildGeminiArguments(input: { prompt: string; model: string; policyPath: string; resumeSessionId?: string; extraArguments: readonly string[] }): string[] {
  return [
    '--output-format',
    'stream-json',
    '--model',
    input.model,
    '--approval-mode',
    'default',
    '--policy',
    input.policyPath,
    ...(input.resumeSessionId === undefined ? [] : ['--resume', input.resumeSessionId]),
    ...input.extraArguments,
    `--prompt=${input.prompt}`,
  ];
}

/**
 * The policy (Gemini CLI policy-engine TOML) for one stage: every tool denied, then the
 * stage's tools allowed at a higher priority. The CLI leaves denied tools out of the request,
 * so at C0/C1 the model is offered reading tools only — no shell, no web, no sub-agents, no
 * plan mode (whose plan files are writes). At C2 it adds the file tools, which refuse paths
 * outside the workspace, and the shell, whose redirections (`> file`) are allowed because
 * running the tests needs them.
 */
export function buildGeminiPolicy(access: AgentStageRequest['access']): string {
  const quoted = (names: readonly string[]): string => `[${names.map((name) => JSON.stringify(name)).join(', ')}]`;
  const denyEverything = [
    '[[rule]]',
    'toolName = "*"',
    'decision = "deny"',
    'priority = 900',
    `denyMessage = ${JSON.stringify(access === 'read-only' ? 'Nightshift: this stage is read-only; only reading tools are available.' : 'Nightshift: this tool is not available at this stage.')}`,
  ];
  const allowTools = (names: readonly string[], extra: string[] = []): string[] => ['[[rule]]', `toolName = ${quoted(names)}`, 'decision = "allow"', 'priority = 950', ...extra];
  const rules =
    access === 'read-only'
      ? [denyEverything, allowTools(READ_ONLY_TOOLS)]
      : [denyEverything, allowTools([...READ_ONLY_TOOLS, ...EDIT_TOOLS]), allowTools([SHELL_TOOL], ['allowRedirection = true'])];
  return `# Written by Nightshift for one ${access} stage; rewritten before every run.\n\n${rules.map((rule) => rule.join('\n')).join('\n\n')}\n`;
}

/**
 * `~/.gemini/settings.json` of the agent's private home: API-key authentication, telemetry,
 * usage statistics, auto-update, checkpoints and hooks off, folder trust off (the workspace is
 * marked untrusted through the environment instead, which makes the CLI ignore a repository's
 * `.gemini/settings.json`, its hooks and MCP servers without stopping a headless run), and the
 * model request attempts (`general.maxAttempts`, at most 10 in the CLI).
 */
export function buildGeminiSettings(input: { maxAttempts: number }): Record<string, unknown> {
  return {
    security: { auth: { selectedType: 'gemini-api-key' }, folderTrust: { enabled: false } },
    general: {
      maxAttempts: Math.min(10, Math.max(1, Math.floor(input.maxAttempts))),
      enableAutoUpdate: false,
      enableAutoUpdateNotification: false,
      checkpointing: { enabled: false },
    },
    telemetry: { enabled: false },
    privacy: { usageStatisticsEnabled: false },
    hooksConfig: { enabled: false },
  };
}
