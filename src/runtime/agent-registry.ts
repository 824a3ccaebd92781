import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ClaudeCodeAgent } from '../adapters/agents/claude-code/claude-code-agent.js';
import { CommandAgent } from '../adapters/agents/command/command-agent.js';
import type { AgentConfig } from '../config/nightshift-config.js';
import type { Agent } from '../ports/agent.js';
import { UserFacingError } from './user-facing-error.js';

type AgentFactory = (config: AgentConfig, environment: Record<string, string | undefined>, repositoryRoot: string) => Agent;

/** One entry per `agent.kind` of nightshift.yaml; adding an agent means adding a line here. */
export const AGENT_REGISTRY: Partial<Record<AgentConfig['kind'], AgentFactory>> = {
  'claude-code': (config, environment, repositoryRoot) => {
    const apiKey = config.apiKeyEnvironmentVariable === undefined ? environment.ANTHROPIC_API_KEY : environment[config.apiKeyEnvironmentVariable];
    return new ClaudeCodeAgent({
      binary: config.binary ?? findBundledBinary('claude', repositoryRoot),
      ...(config.model === undefined ? {} : { model: config.model }),
      ...(config.baseUrl === undefined ? {} : { baseUrl: config.baseUrl }),
      ...(apiKey === undefined ? {} : { apiKey }),
      extraArguments: config.extraArguments,
      environmentAllowList: config.environmentAllowList,
      parentEnvironment: environment,
    });
  },
  command: (config, environment) => {
    if (config.commandTemplate === undefined) throw new UserFacingError('agent.kind is "command" but agent.command is not set in nightshift.yaml', 'invalid-input');
    return new CommandAgent({
      name: 'command',
      commandTemplate: config.commandTemplate,
      environmentAllowList: config.environmentAllowList,
      parentEnvironment: environment,
    });
  },
};

export function createAgent(config: AgentConfig, environment: Record<string, string | undefined>, repositoryRoot: string): Agent {
  const factory = AGENT_REGISTRY[config.kind];
  if (factory === undefined) {
    throw new UserFacingError(`agent.kind "${config.kind}" is not supported yet; use one of: ${Object.keys(AGENT_REGISTRY).join(', ')}`, 'invalid-input');
  }
  return factory(config, environment, repositoryRoot);
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
