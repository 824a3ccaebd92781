import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Agent, AgentCapabilities, AgentEvent, AgentStageRequest, AgentStageResult, AgentUsage } from '../ports/agent.js';
import type { ImplementationOutput, PlanOutput, ScopeOutput } from '../domain/stage-output.js';

export interface InstantAgentOptions {
  /** The agent's name in logs and checkpoints; `instant` unless told. */
  name?: string;
  /** The file C2 writes, relative to the worktree; `instant-agent-<ticket>.txt` at its root unless told. */
  filePathFor?: (ticketId: string) => string;
  /** The usage each stage reports; small fixed numbers unless told. */
  usage?: AgentUsage;
  /** Time for the events' `at`; the machine's clock unless told. */
  now?: () => Date;
}

/** The file the instant agent writes at C2 unless {@link InstantAgentOptions.filePathFor} says otherwise. */
export function defaultInstantAgentFilePath(ticketId: string): string {
  return `instant-agent-${ticketId}.txt`;
}

/**
 * An {@link Agent} that answers at once, with no model and no process: valid C0/C1
 * JSON, and at C2 one new file in the worktree plus a valid report. It isolates
 * Nightshift's own cost per ticket (git, store, logs) for the overhead benchmark, and
 * lets tests drive a ticket through generation without a model server.
 */
export class InstantAgent implements Agent {
  readonly name: string;
  readonly capabilities: AgentCapabilities = { resumeSession: false, readOnlyMode: true, structuredOutput: true, reportsCost: true };
  /** Every request received, in order, so tests can see what the pipeline asked. */
  readonly requests: AgentStageRequest[] = [];
  private readonly filePathFor: (ticketId: string) => string;
  private readonly usage: AgentUsage;
  private readonly now: () => Date;

  constructor(options: InstantAgentOptions = {}) {
    this.name = options.name ?? 'instant';
    this.filePathFor = options.filePathFor ?? defaultInstantAgentFilePath;
    this.usage = options.usage ?? { inputTokens: 100, outputTokens: 20, costUsd: 0.001 };
    this.now = options.now ?? (() => new Date());
  }

  async checkAvailable(): Promise<{ ok: true; version: string }> {
    return { ok: true, version: 'instant-1' };
  }

  async runStage(request: AgentStageRequest, onEvent: (event: AgentEvent) => void): Promise<AgentStageResult> {
    this.requests.push(request);
    const sessionId = `instant-${request.batchId}-${request.ticketId}`;
    onEvent({ type: 'agent-start', at: this.now().toISOString(), agent: this.name, sessionId });
    const filePath = this.filePathFor(request.ticketId);
    let answer: ScopeOutput | PlanOutput | ImplementationOutput;
    if (request.stage === 'C0') {
      answer = { summary: `Add ${filePath} for ${request.ticketId}`, files: [filePath] };
    } else if (request.stage === 'C1') {
      answer = { plan: [`Write ${filePath}`], risks: [], decision_needed: null };
    } else {
      if (request.access !== 'edit-worktree') throw new Error(`instant agent: stage ${request.stage} arrived with access ${request.access}, expected edit-worktree`);
      writeFileSync(join(request.worktreePath, filePath), `Written by the instant agent for ${request.ticketId} (attempt ${request.attempt}).\n`);
      answer = { summary: `Added ${filePath}`, changes: [`Add ${filePath}`], tests_run: [], partial: false, remaining_work: [] };
    }
    onEvent({ type: 'usage', at: this.now().toISOString(), usage: { ...this.usage } });
    onEvent({ type: 'agent-end', at: this.now().toISOString(), outcome: 'completed' });
    return { outcome: 'completed', finalText: JSON.stringify(answer), sessionId, usage: { ...this.usage }, exitCode: 0 };
  }
}
