import type { AgentStageRequest } from '../../../ports/agent.js';

/** The model provider Nightshift declares in Codex's config, so Codex talks to `baseUrl` over plain HTTP SSE. */
export const CODEX_PROVIDER_NAME = 'nightshift';

/** The variable that carries the model API key to Codex (named by `env_key`); Codex hides it from the commands it runs. */
export const CODEX_API_KEY_VARIABLE = 'NIGHTSHIFT_CODEX_API_KEY';

/** Where Codex sends its requests when no base URL is configured: OpenAI's own API. */
export const OPENAI_API_BASE_URL = 'https://api.openai.com/v1';

export interface CodexConfigInput {
  access: AgentStageRequest['access'];
  model?: string;
  /** The provider's base URL; `/v1` is appended unless it already ends with a version. */
  baseUrl?: string;
  /** Codex's own retries of a failed request and of a dropped stream (Nightshift retries stages itself). */
  maxRetries: number;
  /** The agent's private temporary directory: the only place besides the worktree it may write at C2. */
  temporaryDirectory: string;
  /**
   * True when Nightshift runs Codex inside its own bubblewrap sandbox: Codex's sandbox is then
   * turned off (`danger-full-access`), since its bubblewrap cannot start inside another one (it
   * mounts a fresh `/proc` in a PID namespace, which the outer sandbox's `/proc` does not allow).
   */
  confinedByNightshift?: boolean;
}

/**
 * The `config.toml` of one stage, written into the run's private `CODEX_HOME` (checked with
 * `--strict-config` against the pinned 0.169.0):
 * - a custom provider speaking the Responses API over SSE (the built-in OpenAI provider
 *   would try a WebSocket first and retry before falling back);
 * - `approval_policy = "never"`: a headless run never waits for a person, and a command the
 *   sandbox refuses fails instead of being escalated;
 * - `sandbox_mode = "read-only"` at C0/C1 (Codex's bubblewrap sandbox; it works as root here),
 *   `workspace-write` at C2 with `/tmp` and `$TMPDIR` excluded, the private temporary
 *   directory added, and no network: writes land in the worktree (whose `.git` Codex keeps
 *   read-only) or that directory, nowhere else;
 * - inside Nightshift's sandbox (`confinedByNightshift`), `danger-full-access` instead: the outer
 *   sandbox keeps the worktree read-only at C0/C1, `.git` read-only, the real HOME and `/tmp`
 *   hidden, and lets writes land only in the worktree at C2 and the private directory; commands
 *   keep the network (the agent's own model calls need it);
 * - the API key variable is withheld from the commands the agent runs;
 * - no web search.
 */
export function buildCodexConfig(input: CodexConfigInput): string {
  const lines = [
    ...(input.model === undefined ? [] : [`model = ${tomlString(input.model)}`]),
    `model_provider = ${tomlString(CODEX_PROVIDER_NAME)}`,
    'approval_policy = "never"',
    `sandbox_mode = ${tomlString(input.confinedByNightshift === true ? 'danger-full-access' : input.access === 'read-only' ? 'read-only' : 'workspace-write')}`,
    'web_search = "disabled"',
    '',
    '[sandbox_workspace_write]',
    `writable_roots = [${tomlString(input.temporaryDirectory)}]`,
    'network_access = false',
    'exclude_slash_tmp = true',
    'exclude_tmpdir_env_var = true',
    '',
    '[shell_environment_policy]',
    'inherit = "all"',
    `exclude = [${tomlString(CODEX_API_KEY_VARIABLE)}]`,
    '',
    `[model_providers.${CODEX_PROVIDER_NAME}]`,
    'name = "Nightshift"',
    `base_url = ${tomlString(toResponsesBaseUrl(input.baseUrl))}`,
    'wire_api = "responses"',
    `env_key = ${tomlString(CODEX_API_KEY_VARIABLE)}`,
    `request_max_retries = ${Math.max(0, Math.floor(input.maxRetries))}`,
    `stream_max_retries = ${Math.max(0, Math.floor(input.maxRetries))}`,
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * Codex appends `/responses` to the provider's base URL, which for OpenAI-compatible servers
 * includes the API version; Nightshift's `baseUrl` names the server (like `ANTHROPIC_BASE_URL`).
 */
export function toResponsesBaseUrl(baseUrl: string | undefined): string {
  if (baseUrl === undefined) return OPENAI_API_BASE_URL;
  const trimmed = baseUrl.replace(/\/+$/, '');
  return /\/v\d+$/.test(trimmed) ? trimmed : `${trimmed}/v1`;
}

/** A TOML basic string: JSON's escapes are valid TOML escapes; TOML also wants DEL escaped. */
export function tomlString(value: string): string {
  return JSON.stringify(value).replaceAll('\u007f', '\\u007F');
}
