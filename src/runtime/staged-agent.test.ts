import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type AgentConfig } from '../config/nightshift-config.js';
import type { Stage } from '../domain/stage.js';
import type { Agent, AgentAvailability, AgentCapabilities, AgentEvent, AgentStageRequest, AgentStageResult } from '../ports/agent.js';
import { createStagedAgent, settingsForStage, StagedAgent, type StagedAgentMember } from './staged-agent.js';

/** A stand-in agent that answers from a list and remembers what it was asked (no model, no process). */
class ScriptedAgent implements Agent {
  readonly requests: AgentStageRequest[] = [];
  capabilities: AgentCapabilities = { resumeSession: true, readOnlyMode: true, structuredOutput: false, reportsCost: true };

  constructor(
    readonly name: string,
    private readonly answers: Partial<AgentStageResult>[] = [],
    private readonly availability: AgentAvailability = { ok: true, version: '1.0.0' },
  ) {}

  async checkAvailable(): Promise<AgentAvailability> {
    return this.availability;
  }

  async runStage(request: AgentStageRequest, onEvent: (event: AgentEvent) => void): Promise<AgentStageResult> {
    this.requests.push(request);
    const answer = this.answers.shift() ?? {};
    const result: AgentStageResult = { outcome: 'completed', finalText: `${this.name} answered`, usage: { inputTokens: 1, outputTokens: 1 }, ...answer };
    onEvent({ type: 'agent-start', at: 'now', agent: this.name });
    onEvent({ type: 'agent-end', at: 'now', outcome: result.outcome });
    return result;
  }
}

const RATE_LIMITED: Partial<AgentStageResult> = { outcome: 'rate-limited', errorMessage: 'HTTP 429', rateLimit: { retryAfterSeconds: 600 } };

const request = (stage: Stage, extra: Partial<AgentStageRequest> = {}): AgentStageRequest => ({
  batchId: 'b',
  ticketId: 'T-1',
  stage,
  attempt: 1,
  prompt: 'p',
  worktreePath: '/w',
  privateDirectory: '/p',
  access: stage === 'C2' ? 'edit-worktree' : 'read-only',
  timeoutMilliseconds: 1000,
  ...extra,
});

function staged(primary: ScriptedAgent, failover: ScriptedAgent[], clock = { time: Date.parse('2024-01-15T18:00:00Z') }, c0 = primary): StagedAgent {
  const member = (agent: ScriptedAgent, label = agent.name): StagedAgentMember => ({ label, agent });
  const main = member(primary);
  return new StagedAgent({
    stages: { C0: c0 === primary ? main : member(c0), C1: main, C2: main },
    failover: failover.map((agent) => member(agent)),
    defaultRateLimitMilliseconds: 3_600_000,
    now: () => new Date(clock.time),
  });
}

async function run(agent: Agent, stageRequest: AgentStageRequest): Promise<{ result: AgentStageResult; events: AgentEvent[] }> {
  const events: AgentEvent[] = [];
  const result = await agent.runStage(stageRequest, (event) => events.push(event));
  return { result, events };
}

describe('StagedAgent', () => {
  it('runs each stage with its own agent', async () => {
    const main = new ScriptedAgent('main');
    const cheap = new ScriptedAgent('cheap');
    const agent = staged(main, [], undefined, cheap);
    expect((await run(agent, request('C0'))).result.finalText).toBe('cheap answered');
    expect((await run(agent, request('C1'))).result.finalText).toBe('main answered');
    expect(cheap.requests.map((sent) => sent.stage)).toEqual(['C0']);
    expect(main.requests.map((sent) => sent.stage)).toEqual(['C1']);
  });

  it('hands a rate-limited stage to the next failover agent, says so, and keeps it there until the limit resets', async () => {
    const clock = { time: Date.parse('2024-01-15T18:00:00Z') };
    const main = new ScriptedAgent('main', [RATE_LIMITED]);
    const spare = new ScriptedAgent('spare');
    const agent = staged(main, [spare], clock);

    const first = await run(agent, request('C1'));
    expect(first.result).toMatchObject({ outcome: 'completed', finalText: 'spare answered' });
    expect(first.events.map((event) => event.type)).toEqual(['agent-start', 'agent-end', 'agent-failover', 'agent-start', 'agent-end']);
    expect(first.events[2]).toEqual({ type: 'agent-failover', at: '2024-01-15T18:00:00.000Z', from: 'main', to: 'spare', reason: 'main is rate-limited: HTTP 429' });

    const second = await run(agent, request('C2'));
    expect(second.result.finalText).toBe('spare answered');
    expect(second.events[0]).toMatchObject({ type: 'agent-failover', reason: 'main is rate-limited until 2024-01-15T18:10:00.000Z' });
    expect(main.requests).toHaveLength(1);

    clock.time += 600_000;
    expect((await run(agent, request('C2'))).result.finalText).toBe('main answered');
  });

  it('passes the rate limit on when every agent is limited, so the pipeline pauses', async () => {
    const main = new ScriptedAgent('main', [RATE_LIMITED, RATE_LIMITED]);
    const spare = new ScriptedAgent('spare', [{ ...RATE_LIMITED, rateLimit: { retryAfterSeconds: 30 } }, { ...RATE_LIMITED, rateLimit: { retryAfterSeconds: 30 } }]);
    const agent = staged(main, [spare]);
    expect((await run(agent, request('C1'))).result).toMatchObject({ outcome: 'rate-limited', rateLimit: { retryAfterSeconds: 30 } });
    await run(agent, request('C1'));
    expect(spare.requests).toHaveLength(2);
    expect(main.requests).toHaveLength(1);
  });

  it('leaves a rate limit to the pipeline when no failover agent is configured', async () => {
    const main = new ScriptedAgent('main', [RATE_LIMITED]);
    const { result, events } = await run(staged(main, []), request('C1'));
    expect(result.outcome).toBe('rate-limited');
    expect(events.some((event) => event.type === 'agent-failover')).toBe(false);
  });

  it('resumes a session with the agent that started it, and never hands it to another', async () => {
    const main = new ScriptedAgent('main', [RATE_LIMITED]);
    const spare = new ScriptedAgent('spare', [{ sessionId: 'spare-session' }, {}]);
    const agent = staged(main, [spare]);
    await run(agent, request('C1', { resumeSessionId: 'old-main-session' }));
    expect(main.requests[0]?.resumeSessionId).toBe('old-main-session');
    expect(spare.requests[0]?.resumeSessionId).toBeUndefined();
    await run(agent, request('C1', { attempt: 2, resumeSessionId: 'spare-session' }));
    expect(spare.requests[1]?.resumeSessionId).toBe('spare-session');
  });

  it('declares only what every member can do, and no resume across agents once failover is configured', () => {
    const main = new ScriptedAgent('main');
    const plain = new ScriptedAgent('plain');
    plain.capabilities = { resumeSession: true, readOnlyMode: false, structuredOutput: false, reportsCost: false };
    expect(staged(main, []).capabilities).toEqual(main.capabilities);
    expect(staged(main, [plain]).capabilities).toEqual({ resumeSession: false, readOnlyMode: false, structuredOutput: false, reportsCost: false });
  });

  it('is available only when every member is, naming the one that is not', async () => {
    const main = new ScriptedAgent('main');
    expect(await staged(main, [new ScriptedAgent('spare', [], { ok: true, version: '2.0.0' })]).checkAvailable()).toEqual({ ok: true, version: 'main: 1.0.0; spare: 2.0.0' });
    expect(await staged(main, [new ScriptedAgent('spare', [], { ok: false, problem: 'not installed' })]).checkAvailable()).toEqual({ ok: false, problem: 'spare: not installed' });
  });
});

describe('createStagedAgent', () => {
  const base: AgentConfig = { ...DEFAULT_CONFIG.agent, model: 'big-model', extraArguments: ['--verbose'] };

  it('builds the plain adapter when nothing is overridden', () => {
    const built: AgentConfig[] = [];
    const agent = createStagedAgent(base, (settings) => (built.push(settings), new ScriptedAgent(settings.kind)), { defaultRateLimitMilliseconds: 1 });
    expect(agent).toBeInstanceOf(ScriptedAgent);
    expect(built).toEqual([base]);
  });

  it('builds one adapter per distinct stage setting and one per failover agent', async () => {
    const built: AgentConfig[] = [];
    const config: AgentConfig = {
      ...base,
      stages: { C0: { model: 'small-model' }, C1: { model: 'small-model' }, C2: { extraArguments: ['--effort', 'high'] } },
      failover: [{ kind: 'codex', model: 'gpt-5', extraArguments: [], environmentAllowList: [] }],
    };
    const agent = createStagedAgent(config, (settings) => (built.push(settings), new ScriptedAgent(`${settings.kind}/${settings.model ?? '-'}`)), { defaultRateLimitMilliseconds: 1 });
    expect(built.map((settings) => [settings.kind, settings.model, settings.extraArguments])).toEqual([
      ['claude-code', 'small-model', ['--verbose']],
      ['claude-code', 'big-model', ['--effort', 'high']],
      ['codex', 'gpt-5', []],
    ]);
    expect((await agent.checkAvailable()).ok && (await agent.checkAvailable())).toEqual({
      ok: true,
      version: 'claude-code (C0, C1: model small-model): 1.0.0; claude-code (C2: args --effort high): 1.0.0; failover 1: codex (model gpt-5): 1.0.0',
    });
    expect((await run(agent, request('C1'))).result.finalText).toBe('claude-code/small-model answered');
    expect((await run(agent, request('C2'))).result.finalText).toBe('claude-code/big-model answered');
  });

  it('gives a stage the agent settings with only the overridden fields replaced', () => {
    const config: AgentConfig = { ...base, stages: { C0: { model: 'small-model' } } };
    expect(settingsForStage(config, 'C0')).toMatchObject({ kind: 'claude-code', model: 'small-model', extraArguments: ['--verbose'], stages: {}, failover: [] });
    expect(settingsForStage(config, 'C2')).toMatchObject({ model: 'big-model', extraArguments: ['--verbose'] });
  });
});
