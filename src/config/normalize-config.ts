import { parseDuration } from '../domain/duration.js';
import type { ConfigFile } from './config-schema.js';
import { DEFAULT_CONFIG } from './nightshift-config.js';
import type { AgentConfig, NightshiftConfig } from './nightshift-config.js';

/**
 * Second step of schema → normalize → rules: fills the seed's defaults (max_tickets 20,
 * timeout_per_ticket 30m, parallel_agents 3 …), turns durations into minutes and
 * snake_case into the camelCase {@link NightshiftConfig} the rest of Nightshift reads.
 * Input has passed the schema, so every present value is well-formed; empty values
 * (`model:` with nothing after it) count as absent.
 */
export function normalizeConfig(file: ConfigFile): NightshiftConfig {
  const defaults = DEFAULT_CONFIG;
  const tracker = file?.tracker ?? {};
  const agentSection = file?.agent ?? {};
  const batch = file?.batch ?? {};
  const repository = file?.repository ?? {};
  const author = repository.author ?? {};
  const gates = file?.gates ?? {};
  const generation = file?.generation ?? {};
  const budget = file?.budget ?? {};
  const escalation = file?.escalation ?? {};

  const agent: AgentConfig = {
    kind: agentSection.kind ?? defaults.agent.kind,
    extraArguments: agentSection.extra_args ?? [...defaults.agent.extraArguments],
    environmentAllowList: agentSection.environment_allow ?? [...defaults.agent.environmentAllowList],
  };
  if (agentSection.binary != null) agent.binary = agentSection.binary;
  if (agentSection.model != null) agent.model = agentSection.model;
  if (agentSection.base_url != null) agent.baseUrl = agentSection.base_url;
  if (agentSection.api_key_env != null) agent.apiKeyEnvironmentVariable = agentSection.api_key_env;
  if (agentSection.command != null) agent.commandTemplate = agentSection.command;

  return {
    tracker: {
      kind: tracker.kind ?? defaults.tracker.kind,
      directory: (tracker.directory ?? defaults.tracker.directory).replace(/\/+$/, ''),
      readyLabel: tracker.ready_label ?? defaults.tracker.readyLabel,
    },
    agent,
    batch: {
      maxTickets: batch.max_tickets ?? defaults.batch.maxTickets,
      timeoutPerTicketMinutes: minutesOf(batch.timeout_per_ticket, defaults.batch.timeoutPerTicketMinutes),
      parallelAgents: batch.parallel_agents ?? defaults.batch.parallelAgents,
      nameSuffix: batch.name_suffix ?? defaults.batch.nameSuffix,
    },
    repository: {
      baseBranch: repository.base_branch ?? defaults.repository.baseBranch,
      branchPrefix: repository.branch_prefix ?? defaults.repository.branchPrefix,
      author: {
        name: author.name ?? defaults.repository.author.name,
        email: author.email ?? defaults.repository.author.email,
      },
    },
    gates: {
      timeoutMinutes: minutesOf(gates.timeout, defaults.gates.timeoutMinutes),
      commands: Object.entries(gates.commands ?? {}).map(([name, command]) => ({ name, command })),
    },
    codeHost: { kind: file?.code_host?.kind ?? defaults.codeHost.kind },
    generation: {
      stallTimeoutMinutes: minutesOf(generation.stall_timeout, defaults.generation.stallTimeoutMinutes),
      maxAttemptsPerStage: generation.max_attempts ?? defaults.generation.maxAttemptsPerStage,
      maxRateLimits: generation.max_rate_limits ?? defaults.generation.maxRateLimits,
      defaultRateLimitWaitMinutes: minutesOf(generation.rate_limit_wait, defaults.generation.defaultRateLimitWaitMinutes),
      removeWorktrees: generation.remove_worktrees ?? defaults.generation.removeWorktrees,
    },
    budget: {
      ...(budget.tokens_per_ticket == null ? {} : { tokensPerTicket: budget.tokens_per_ticket }),
      ...(budget.cost_per_ticket == null ? {} : { costPerTicketUsd: budget.cost_per_ticket }),
      ...(budget.tokens_per_batch == null ? {} : { tokensPerBatch: budget.tokens_per_batch }),
      ...(budget.cost_per_batch == null ? {} : { costPerBatchUsd: budget.cost_per_batch }),
    },
    escalation: {
      onAgentDecision: escalation.on_agent_decision ?? defaults.escalation.onAgentDecision,
      onComplexityAboveEstimate: escalation.on_complexity_above_estimate ?? defaults.escalation.onComplexityAboveEstimate,
      ...(escalation.max_files_outside_estimate == null
        ? defaults.escalation.maxFilesOutsideEstimate === undefined
          ? {}
          : { maxFilesOutsideEstimate: defaults.escalation.maxFilesOutsideEstimate }
        : { maxFilesOutsideEstimate: escalation.max_files_outside_estimate }),
      protectedPaths: escalation.protected_paths ?? [...defaults.escalation.protectedPaths],
    },
  };
}

function minutesOf(value: string | number | null | undefined, fallback: number): number {
  if (value == null) return fallback;
  const parsed = parseDuration(value);
  return parsed.ok ? parsed.minutes : fallback;
}
