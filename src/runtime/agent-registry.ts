import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AcpAgent, defaultAcpApiKeyVariable } from '../adapters/agents/acp/acp-agent.js';
import { ClaudeCodeAgent } from '../adapters/agents/claude-code/claude-code-agent.js';
import { CodexAgent } from '../adapters/agents/codex/codex-agent.js';
import { CommandAgent } from '../adapters/agents/command/command-agent.js';
import { GeminiAgent } from '../adapters/agents/gemini/gemini-agent.js';
import { OpenCodeAgent } from '../adapters/agents/opencode/opencode-agent.js';
import { PiAgent } from '../adapters/agents/pi/pi-agent.js';
import { QwenAgent } from '../adapters/agents/qwen/qwen-agent.js';
import { resolveAgentSandbox, type AgentSandbox } from '../adapters/shared/agent-sandbox.js';
import type { OpenAiCompatibleAgentSettings } from '../adapters/shared/openai-compatible-agent-settings.js';
import type { AgentConfig, AgentSandboxChoice } from '../config/nightshift-config.js';
import type { Agent } from '../ports/agent.js';
import { createStagedAgent } from './staged-agent.js';
import { UserFacingError } from './user-facing-error.js';

type AgentFactory = (config: AgentConfig, environment: Record<string, string | undefined>, repositoryRoot: string, sandbox: AgentSandbox) => Agent;

/**
 * What every model-calling CLI adapter takes from the `agent:` section, in one place so a key
 * (`max_retries`, `extra_args` …) reaches every kind alike. The API key comes from
 * `api_key_env`, else from the vendor's usual variable.
 */
function modelAgentSettings(config: AgentConfig, environment: Record<string, string | undefined>, repositoryRoot: string, sandbox: AgentSandbox, defaultKeyVariable: string | undefined) {
  const keyVariable = config.apiKeyEnvironmentVariable ?? defaultKeyVariable;
  const apiKey = keyVariable === undefined ? undefined : environment[keyVariable];
  return {
    ...(config.model === undefined ? {} : { model: config.model }),
    ...(config.baseUrl === undefined ? {} : { baseUrl: config.baseUrl }),
    ...(apiKey === undefined ? {} : { apiKey }),
    ...(config.maxRetries === undefined ? {} : { maxRetries: config.maxRetries }),
    extraArguments: config.extraArguments,
    environmentAllowList: config.environmentAllowList,
    parentEnvironment: environment,
    sandbox,
    workingDirectory: repositoryRoot,
  };
}

/** One entry per `agent.kind` of nightshift.yaml; adding an agent means adding a line here. */
export const AGENT_REGISTRY: Partial<Record<AgentConfig['kind'], AgentFactory>> = {
  'claude-code': (config, environment, repositoryRoot, sandbox) =>
    new ClaudeCodeAgent({ binary: config.binary ?? findBundledBinary('claude', repositoryRoot), ...modelAgentSettings(config, environment, repositoryRoot, sandbox, 'ANTHROPIC_API_KEY') }),
  codex: (config, environment, repositoryRoot, sandbox) =>
    new CodexAgent({ binary: config.binary ?? findBundledBinary('codex', repositoryRoot), ...modelAgentSettings(config, environment, repositoryRoot, sandbox, 'OPENAI_API_KEY') }),
  gemini: (config, environment, repositoryRoot, sandbox) =>
    new GeminiAgent({ binary: config.binary ?? findBundledBinary('gemini', repositoryRoot), ...modelAgentSettings(config, environment, repositoryRoot, sandbox, 'GEMINI_API_KEY') }),
  opencode: (config, environment, repositoryRoot, sandbox) => new OpenCodeAgent(openAiCompatibleSettings(config, environment, repositoryRoot, 'opencode', sandbox)),
  qwen: (config, environment, repositoryRoot, sandbox) => new QwenAgent(openAiCompatibleSettings(config, environment, repositoryRoot, 'qwen', sandbox)),
  pi: (config, environment, repositoryRoot, sandbox) => new PiAgent(openAiCompatibleSettings(config, environment, repositoryRoot, 'pi', sandbox)),
  acp: (config, environment, repositoryRoot, sandbox) => {
    const [program, ...programArguments] = config.acpCommand ?? [];
    if (program === undefined) throw new UserFacingError('agent.kind is "acp" but agent.acp_command is not set in nightshift.yaml', 'invalid-input');
    return new AcpAgent({
      command: [config.binary ?? (program.includes('/') ? program : findBundledBinary(program, repositoryRoot)), ...programArguments],
      ...modelAgentSettings(config, environment, repositoryRoot, sandbox, defaultAcpApiKeyVariable(program)),
    });
  },
  command: (config, environment, _repositoryRoot, sandbox) => {
    if (config.commandTemplate === undefined) throw new UserFacingError('agent.kind is "command" but agent.command is not set in nightshift.yaml', 'invalid-input');
    return new CommandAgent({
      name: 'command',
      commandTemplate: config.commandTemplate,
      environmentAllowList: config.environmentAllowList,
      parentEnvironment: environment,
      sandbox,
    });
  },
};

/**
 * The agent of nightshift.yaml's `agent:` section: the kind's adapter, or — when `stages`
 * or `failover` are configured — a {@link StagedAgent} that gives each stage its own model
 * and arguments and hands a rate-limited stage to the next failover agent.
 */
export function createAgent(
  config: AgentConfig,
  environment: Record<string, string | undefined>,
  repositoryRoot: string,
  options: { defaultRateLimitWaitMinutes?: number; now?: () => Date; onWarning?: (message: string) => void } = {},
): Agent {
  const resolution = resolveSandbox(config.sandbox, environment);
  if (resolution.warning !== undefined) options.onWarning?.(resolution.warning);
  return createStagedAgent(config, (settings) => createSingleAgent(settings, environment, repositoryRoot, resolution.sandbox), {
    defaultRateLimitMilliseconds: (options.defaultRateLimitWaitMinutes ?? 60) * 60_000,
    ...(options.now === undefined ? {} : { now: options.now }),
  });
}

/**
 * One adapter for one set of settings (its `stages` and `failover` are not looked at), in the
 * given sandbox, or the one its `sandbox` setting resolves to.
 */
export function createSingleAgent(
  config: AgentConfig,
  environment: Record<string, string | undefined>,
  repositoryRoot: string,
  sandbox: AgentSandbox = resolveSandbox(config.sandbox, environment).sandbox,
): Agent {
  const factory = AGENT_REGISTRY[config.kind];
  if (factory === undefined) {
    throw new UserFacingError(`agent.kind "${config.kind}" is not supported yet; use one of: ${Object.keys(AGENT_REGISTRY).join(', ')}`, 'invalid-input');
  }
  return factory(config, environment, repositoryRoot, sandbox);
}

/**
 * `agent.sandbox` decided for this machine: bubblewrap when asked for (a {@link UserFacingError}
 * naming nightshift.yaml when `bwrap` is missing or cannot start) or when `auto` finds it
 * working; otherwise off, with a warning for `auto` that the caller shows once.
 */
export function resolveSandbox(choice: AgentSandboxChoice, environment: Record<string, string | undefined>): { sandbox: AgentSandbox; warning?: string } {
  const resolution = resolveAgentSandbox(choice, environment);
  if (!resolution.ok) throw new UserFacingError(resolution.problem, 'environment');
  return { sandbox: resolution.sandbox, ...(resolution.warning === undefined ? {} : { warning: resolution.warning }) };
}

/**
 * The agent CLIs Nightshift pins are installed beside it; prefer that copy, then the
 * target repository's, then whatever PATH finds.
 */
export function findBundledBinary(name: string, repositoryRoot: string): string {
  const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  for (const candidate of [join(packageRoot, 'node_modules', '.bin', name), join(repositoryRoot, 'node_modules', '.bin', name)]) {
    if (existsSync(candidate)) return candidate;
  }
  return name;
}

/** OpenCode, Qwen Code and pi take the same settings: any OpenAI-compatible endpoint, its key from `OPENAI_API_KEY` unless told. */
function openAiCompatibleSettings(config: AgentConfig, environment: Record<string, string | undefined>, repositoryRoot: string, command: string, sandbox: AgentSandbox): OpenAiCompatibleAgentSettings {
  return { binary: config.binary ?? findBundledBinary(command, repositoryRoot), ...modelAgentSettings(config, environment, repositoryRoot, sandbox, 'OPENAI_API_KEY') };
}
