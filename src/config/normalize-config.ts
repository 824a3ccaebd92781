import { parseDuration } from '../domain/duration.js';
import type { ConfigFile } from './config-schema.js';
import { DEFAULT_CONFIG } from './nightshift-config.js';
import type { AgentConfig, AgentSettings, GateCommand, NightshiftConfig } from './nightshift-config.js';

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
    ...normalizeAgentSettings(agentSection, defaults.agent.kind),
    sandbox: agentSection.sandbox ?? defaults.agent.sandbox,
    stages: normalizeStages(agentSection.stages),
    failover: (agentSection.failover ?? []).map((entry) => normalizeAgentSettings(entry, defaults.agent.kind)),
  };
  const security = file?.security ?? {};

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
      commands: Object.entries(gates.commands ?? {}).map(([name, command]) => normalizeGateCommand(name, command)),
      concurrency: gates.concurrency ?? defaults.gates.concurrency,
      rerunFailed: gates.rerun_failed ?? defaults.gates.rerunFailed,
    },
    security: {
      riskyPaths: security.risky_paths ?? [...defaults.security.riskyPaths],
      auditCommand: security.audit_command ?? defaults.security.auditCommand,
      dangerousPatterns: security.dangerous_patterns ?? defaults.security.dangerousPatterns,
    },
    codeHost: { kind: file?.code_host?.kind ?? defaults.codeHost.kind },
    generation: {
      stallTimeoutMinutes: minutesOf(generation.stall_timeout, defaults.generation.stallTimeoutMinutes),
      maxAttemptsPerStage: generation.max_attempts ?? defaults.generation.maxAttemptsPerStage,
      maxRateLimits: generation.max_rate_limits ?? defaults.generation.maxRateLimits,
      defaultRateLimitWaitMinutes: minutesOf(generation.rate_limit_wait, defaults.generation.defaultRateLimitWaitMinutes),
      removeWorktrees: generation.remove_worktrees ?? defaults.generation.removeWorktrees,
      keepAgentHomes: generation.keep_agent_homes ?? defaults.generation.keepAgentHomes,
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

type AgentSection = NonNullable<NonNullable<ConfigFile>['agent']>;
type AgentEntry = Omit<AgentSection, 'stages' | 'failover'>;

function normalizeAgentSettings(section: AgentEntry, defaultKind: AgentSettings['kind']): AgentSettings {
  const settings: AgentSettings = {
    kind: section.kind ?? defaultKind,
    extraArguments: section.extra_args ?? [],
    environmentAllowList: section.environment_allow ?? [],
  };
  if (section.binary != null) settings.binary = section.binary;
  if (section.model != null) settings.model = section.model;
  if (section.base_url != null) settings.baseUrl = section.base_url;
  if (section.api_key_env != null) settings.apiKeyEnvironmentVariable = section.api_key_env;
  if (section.command != null) settings.commandTemplate = section.command;
  if (section.acp_command != null) settings.acpCommand = section.acp_command;
  if (section.max_retries != null) settings.maxRetries = section.max_retries;
  return settings;
}

function normalizeStages(stages: AgentSection['stages']): AgentConfig['stages'] {
  const result: AgentConfig['stages'] = {};
  for (const stage of ['C0', 'C1', 'C2'] as const) {
    const override = stages?.[stage];
    if (override == null) continue;
    result[stage] = {
      ...(override.model == null ? {} : { model: override.model }),
      ...(override.extra_args == null ? {} : { extraArguments: override.extra_args }),
    };
  }
  return result;
}

function normalizeGateCommand(name: string, command: string | { command: string; report?: string | null; format?: GateCommand['reportFormat'] | null }): GateCommand {
  if (typeof command === 'string') return { name, command };
  return {
    name,
    command: command.command,
    ...(command.report == null ? {} : { reportPath: command.report }),
    ...(command.format == null ? (command.report == null ? {} : { reportFormat: 'auto' as const }) : { reportFormat: command.format }),
  };
}

function minutesOf(value: string | number | null | undefined, fallback: number): number {
  if (value == null) return fallback;
  const parsed = parseDuration(value);
  return parsed.ok ? parsed.minutes : fallback;
}
