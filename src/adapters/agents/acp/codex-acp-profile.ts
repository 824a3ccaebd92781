import { existsSync, realpathSync } from 'node:fs';
import { mkdir, rm, symlink } from 'node:fs/promises';
import { delimiter, join, sep } from 'node:path';
import { findExecutable } from '../../shared/find-executable.js';
import type { AcpAgentProfile, AcpProfileInput } from './acp-agent-profile.js';

/** The variable that carries the model API key to codex-acp (named by `env_key`); Codex keeps it from the commands it runs. */
export const CODEX_ACP_API_KEY_VARIABLE = 'NIGHTSHIFT_MODEL_API_KEY';

const PROVIDER = 'nightshift';

/**
 * `@zed-industries/codex-acp` (pinned 0.16.0), Codex behind the ACP:
 * - the native binary of the platform package is started, not the JS wrapper `bin/codex-acp.js`,
 *   which does not pass signals on and leaves the native process running;
 * - a private `CODEX_HOME/config.toml` as for the `codex` adapter: a Responses-API provider
 *   pointing at the model relay, retries, and the sandbox per stage — `read-only` at C0/C1,
 *   `workspace-write` at C2 with `/tmp` and `$TMPDIR` excluded and no network — with approvals
 *   `never`: a write the sandbox refuses fails back to the model. No mode is set over ACP: its
 *   presets replace this sandbox with one that may write to `/tmp`;
 * - Codex's sandbox needs bubblewrap; codex-acp ships none, so the one `@openai/codex` ships is
 *   put on PATH when the system has no `bwrap`;
 * - inside Nightshift's own bubblewrap sandbox (`agent.sandbox`), Codex's sandbox cannot start (a
 *   second bubblewrap may not mount a fresh `/proc`), so it is off (`danger-full-access`) and the
 *   outer sandbox confines the commands (worktree read-only at C0/C1, real HOME and `/tmp` hidden),
 *   as for the `codex` adapter.
 */
export const CODEX_ACP_PROFILE: AcpAgentProfile = {
  commandName: 'codex-acp',
  capabilities: { resumeSession: true, readOnlyMode: true, structuredOutput: false, reportsCost: false },
  apiKeyVariable: 'OPENAI_API_KEY',
  defaultBaseUrl: 'https://api.openai.com/v1',
  toUpstreamBaseUrl: (baseUrl) => {
    const trimmed = baseUrl.replace(/\/+$/, '');
    return /\/v\d+$/.test(trimmed) ? trimmed : `${trimmed}/v1`;
  },
  resolveExecutable: resolveCodexAcpBinary,
  plan: async (input) => {
    const codexHome = join(input.directories.root, 'codex-home');
    const helperDirectory = join(input.directories.root, 'bin');
    const bubblewrap = input.confinedByNightshift === true ? { ok: true as const, path: undefined } : await provideBubblewrap(input, helperDirectory);
    if (!bubblewrap.ok) return { environment: {}, files: [], problem: bubblewrap.problem };
    return {
      environment: {
        CODEX_HOME: codexHome,
        RUST_LOG: 'error',
        ...(bubblewrap.path === undefined ? {} : { PATH: [helperDirectory, input.pathVariable].filter(Boolean).join(delimiter) }),
        ...(input.apiKey === undefined ? {} : { [CODEX_ACP_API_KEY_VARIABLE]: input.apiKey }),
      },
      files: [{ path: join(codexHome, 'config.toml'), content: buildCodexAcpConfig(input) }],
    };
  },
};

/** The `config.toml` of one stage (see {@link CODEX_ACP_PROFILE}). */
export function buildCodexAcpConfig(input: Pick<AcpProfileInput, 'access' | 'model' | 'modelBaseUrl' | 'maxRetries' | 'directories' | 'confinedByNightshift'>): string {
  const retries = Math.max(0, Math.floor(input.maxRetries));
  return [
    ...(input.model === undefined ? [] : [`model = ${tomlString(input.model)}`]),
    `model_provider = ${tomlString(PROVIDER)}`,
    'approval_policy = "never"',
    `sandbox_mode = ${tomlString(input.confinedByNightshift === true ? 'danger-full-access' : input.access === 'read-only' ? 'read-only' : 'workspace-write')}`,
    'web_search = "disabled"',
    '',
    '[sandbox_workspace_write]',
    `writable_roots = [${tomlString(input.directories.temporary)}]`,
    'network_access = false',
    'exclude_slash_tmp = true',
    'exclude_tmpdir_env_var = true',
    '',
    '[shell_environment_policy]',
    'inherit = "all"',
    `exclude = [${tomlString(CODEX_ACP_API_KEY_VARIABLE)}]`,
    '',
    `[model_providers.${PROVIDER}]`,
    'name = "Nightshift"',
    `base_url = ${tomlString(input.modelBaseUrl ?? 'https://api.openai.com/v1')}`,
    'wire_api = "responses"',
    `env_key = ${tomlString(CODEX_ACP_API_KEY_VARIABLE)}`,
    `request_max_retries = ${retries}`,
    `stream_max_retries = ${retries}`,
    '',
  ].join('\n');
}

/** `node_modules/.bin/codex-acp` → the JS wrapper → the native binary of `@zed-industries/codex-acp-<platform>-<arch>`. */
export function resolveCodexAcpBinary(path: string): { ok: true; path: string } | { ok: false; problem: string } {
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    return { ok: true, path };
  }
  const wrapperSuffix = join('@zed-industries', 'codex-acp', 'bin', 'codex-acp.js');
  if (!real.endsWith(`${sep}${wrapperSuffix}`)) return { ok: true, path };
  const scope = real.slice(0, -wrapperSuffix.length);
  const native = join(scope, '@zed-industries', `codex-acp-${process.platform}-${process.arch}`, 'bin', 'codex-acp');
  if (existsSync(native)) return { ok: true, path: native };
  return { ok: false, problem: `codex-acp: the native binary ${native} is missing — install @zed-industries/codex-acp with its optional platform package` };
}

/**
 * Codex's Linux sandbox runs `bwrap`. The system's is used when PATH has one; otherwise the one
 * `@openai/codex`'s platform package ships beside codex-acp's, linked alone into a private
 * directory put first on PATH.
 */
async function provideBubblewrap(input: AcpProfileInput, helperDirectory: string): Promise<{ ok: true; path?: string } | { ok: false; problem: string }> {
  if (process.platform !== 'linux' || findExecutable('bwrap', input.pathVariable, '/').found) return { ok: true };
  const nodeModules = nodeModulesOf(input.executablePath);
  const triple = process.arch === 'arm64' ? 'aarch64-unknown-linux-musl' : 'x86_64-unknown-linux-musl';
  const shipped = nodeModules === undefined ? undefined : join(nodeModules, '@openai', `codex-linux-${process.arch}`, 'vendor', triple, 'codex-resources', 'bwrap');
  if (shipped === undefined || !existsSync(shipped)) {
    return { ok: false, problem: 'codex-acp needs bubblewrap for its sandbox: install bubblewrap (bwrap) or @openai/codex, which ships it' };
  }
  await mkdir(helperDirectory, { recursive: true });
  await rm(join(helperDirectory, 'bwrap'), { force: true });
  await symlink(shipped, join(helperDirectory, 'bwrap'));
  return { ok: true, path: shipped };
}

function nodeModulesOf(path: string): string | undefined {
  const marker = `${sep}node_modules${sep}`;
  const index = path.lastIndexOf(marker);
  return index === -1 ? undefined : path.slice(0, index + marker.length - 1);
}

function tomlString(value: string): string {
  return JSON.stringify(value).replaceAll('\u007f', '\\u007F');
}
