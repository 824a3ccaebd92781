import { STAGES, type Stage } from '../domain/stage.js';
import type { AgentSettings, AgentConfig, AgentStageOverride } from '../config/nightshift-config.js';
import type { Agent, AgentAvailability, AgentCapabilities, AgentEvent, AgentStageRequest, AgentStageResult } from '../ports/agent.js';

/** One agent of a {@link StagedAgent}, with the label that names it in messages (`claude-code (C0: model haiku)`). */
export interface StagedAgentMember {
  label: string;
  agent: Agent;
}

export interface StagedAgentOptions {
  /** The agent for each stage; stages with the same settings share one member. */
  stages: Record<Stage, StagedAgentMember>;
  /** Agents that take a stage, in order, while the ones before them are rate-limited. */
  failover: StagedAgentMember[];
  /** How long an agent counts as rate-limited when its provider did not say (`generation.rate_limit_wait`). */
  defaultRateLimitMilliseconds: number;
  now?: () => Date;
}

/**
 * The agent the pipeline sees when `agent.stages` or `agent.failover` is configured: it
 * runs each stage with that stage's own adapter (its model, its extra arguments), and when
 * that agent answers with a rate limit, runs the same stage with the next failover agent,
 * which also takes the following stages until the limit resets. Only when every agent is
 * limited does the rate limit reach the pipeline, which then pauses the batch as usual.
 */
export class StagedAgent implements Agent {
  readonly name: string;
  readonly capabilities: AgentCapabilities;
  private readonly members: StagedAgentMember[];
  private readonly limitedUntil = new Map<Agent, number>();
  private readonly sessionOwners = new Map<string, Agent>();
  private readonly now: () => Date;

  constructor(private readonly options: StagedAgentOptions) {
    this.members = [...new Set([...STAGES.map((stage) => options.stages[stage]), ...options.failover])];
    this.name = options.stages.C2.agent.name;
    this.now = options.now ?? (() => new Date());
    const every = (capability: keyof AgentCapabilities): boolean => this.members.every((member) => member.agent.capabilities[capability]);
    this.capabilities = {
      // A session another agent started cannot be resumed after a crash: with failover, start over.
      resumeSession: every('resumeSession') && options.failover.length === 0,
      readOnlyMode: every('readOnlyMode'),
      structuredOutput: every('structuredOutput'),
      reportsCost: every('reportsCost'),
    };
  }

  /** Every member must be usable: a failover agent that cannot start is found in the evening, not at the first rate limit. */
  async checkAvailable(): Promise<AgentAvailability> {
    const versions: string[] = [];
    const problems: string[] = [];
    for (const member of this.members) {
      const availability = await member.agent.checkAvailable();
      if (availability.ok) versions.push(`${member.label}: ${availability.version}`);
      else problems.push(`${member.label}: ${availability.problem}`);
    }
    return problems.length === 0 ? { ok: true, version: versions.join('; ') } : { ok: false, problem: problems.join('; ') };
  }

  async runStage(request: AgentStageRequest, onEvent: (event: AgentEvent) => void): Promise<AgentStageResult> {
    const primary = this.options.stages[request.stage];
    const owner = request.resumeSessionId === undefined ? undefined : this.sessionOwners.get(request.resumeSessionId);
    const chain = [...new Set([primary, ...this.options.failover])];
    const ordered = owner === undefined ? chain : [...chain.filter((member) => member.agent === owner), ...chain.filter((member) => member.agent !== owner)];
    const free = ordered.filter((member) => !this.isLimited(member.agent));
    const candidates = free.length > 0 ? free : [this.soonestFree(ordered)];
    const skipped = ordered[0];
    const first = candidates[0] as StagedAgentMember;
    if (skipped !== undefined && skipped !== first) {
      this.announce(onEvent, skipped, first, `${skipped.label} is rate-limited until ${new Date(this.limitedUntil.get(skipped.agent) ?? 0).toISOString()}`);
    }
    let result: AgentStageResult | undefined;
    for (const [index, member] of candidates.entries()) {
      const resumes = request.resumeSessionId !== undefined && (owner === undefined ? member === primary : member.agent === owner);
      result = await member.agent.runStage(resumes ? request : withoutResume(request), onEvent);
      if (result.sessionId !== undefined) this.sessionOwners.set(result.sessionId, member.agent);
      const next = candidates[index + 1];
      if (result.outcome !== 'rate-limited' || next === undefined) return result;
      this.limitedUntil.set(member.agent, this.resetTime(result));
      this.announce(onEvent, member, next, `${member.label} is rate-limited: ${result.errorMessage ?? 'the provider said so'}`);
    }
    return result as AgentStageResult;
  }

  private announce(onEvent: (event: AgentEvent) => void, from: StagedAgentMember, to: StagedAgentMember, reason: string): void {
    onEvent({ type: 'agent-failover', at: this.now().toISOString(), from: from.label, to: to.label, reason });
  }

  private isLimited(agent: Agent): boolean {
    return (this.limitedUntil.get(agent) ?? 0) > this.now().getTime();
  }

  private soonestFree(members: StagedAgentMember[]): StagedAgentMember {
    return members.reduce((soonest, member) => ((this.limitedUntil.get(member.agent) ?? 0) < (this.limitedUntil.get(soonest.agent) ?? 0) ? member : soonest));
  }

  private resetTime(result: AgentStageResult): number {
    const resetAt = result.rateLimit?.resetAt === undefined ? Number.NaN : Date.parse(result.rateLimit.resetAt);
    if (Number.isFinite(resetAt)) return resetAt;
    const seconds = result.rateLimit?.retryAfterSeconds;
    return this.now().getTime() + (seconds === undefined ? this.options.defaultRateLimitMilliseconds : seconds * 1000);
  }
}

function withoutResume(request: AgentStageRequest): AgentStageRequest {
  const fresh = { ...request };
  delete fresh.resumeSessionId;
  return fresh;
}

/** Builds one adapter from one agent's settings (the registry's factory). */
export type BuildAgent = (settings: AgentConfig) => Agent;

/**
 * The agent for `agent:` of nightshift.yaml: the plain adapter when there are neither
 * stage overrides nor failover agents (nothing changes then), otherwise a
 * {@link StagedAgent} with one adapter per distinct stage setting and one per failover entry.
 */
export function createStagedAgent(config: AgentConfig, build: BuildAgent, options: { defaultRateLimitMilliseconds: number; now?: () => Date }): Agent {
  if (!STAGES.some((stage) => hasOverride(config.stages[stage])) && config.failover.length === 0) return build(config);
  const variants = agentVariants(config);
  const members = variants.map((variant) => ({ label: variant.label, agent: build(variant.settings) }));
  const memberFor = (stage: Stage): StagedAgentMember => members[variants.findIndex((variant) => variant.stages.includes(stage))] as StagedAgentMember;
  const stages = { C0: memberFor('C0'), C1: memberFor('C1'), C2: memberFor('C2') };
  const failover = members.filter((_, index) => variants[index]?.stages.length === 0);
  return new StagedAgent({ stages, failover, defaultRateLimitMilliseconds: options.defaultRateLimitMilliseconds, ...(options.now === undefined ? {} : { now: options.now }) });
}

/** One distinct agent an `agent:` section asks for: a stage variant (its stages listed) or a failover entry (no stages). */
export interface AgentVariant {
  label: string;
  settings: AgentConfig;
  stages: Stage[];
}

/**
 * Every distinct agent the configuration runs: one per distinct stage setting (stages
 * sharing a model and arguments share one), then each failover agent in order. The
 * runtime builds one adapter per variant, and `nightshift agents doctor` checks each.
 */
export function agentVariants(config: AgentConfig): AgentVariant[] {
  const keyOf = (stage: Stage): string => JSON.stringify([settingsForStage(config, stage).model ?? null, settingsForStage(config, stage).extraArguments]);
  const variants: AgentVariant[] = [];
  for (const key of new Set(STAGES.map(keyOf))) {
    const stages = STAGES.filter((stage) => keyOf(stage) === key);
    const settings = settingsForStage(config, stages[0] as Stage);
    variants.push({ label: stageLabel(config, settings, stages), settings, stages });
  }
  config.failover.forEach((settings, index) => {
    variants.push({ label: `failover ${index + 1}: ${settings.kind}${settings.model === undefined ? '' : ` (model ${settings.model})`}`, settings: { ...settings, sandbox: config.sandbox, stages: {}, failover: [] }, stages: [] });
  });
  return variants;
}

/** A stage's settings: the agent's, with the stage's model and extra arguments in place of the agent's when given. */
export function settingsForStage(config: AgentConfig, stage: Stage): AgentConfig {
  const override = config.stages[stage];
  return {
    ...config,
    stages: {},
    failover: [],
    ...(override?.model === undefined ? {} : { model: override.model }),
    ...(override?.extraArguments === undefined ? {} : { extraArguments: override.extraArguments }),
  };
}

function hasOverride(override: AgentStageOverride | undefined): boolean {
  return override !== undefined && (override.model !== undefined || override.extraArguments !== undefined);
}

/** `claude-code` for the agent's own settings, `claude-code (C0, C1: model haiku)` for a stage variant. */
function stageLabel(config: AgentConfig, settings: AgentSettings, stages: Stage[]): string {
  const details = [
    settings.model === config.model || settings.model === undefined ? '' : `model ${settings.model}`,
    JSON.stringify(settings.extraArguments) === JSON.stringify(config.extraArguments) ? '' : `args ${settings.extraArguments.join(' ') || '(none)'}`,
  ].filter((detail) => detail !== '');
  return details.length === 0 ? config.kind : `${config.kind} (${stages.join(', ')}: ${details.join(', ')})`;
}
