import type { Stage } from '../domain/stage.js';

/**
 * A coding agent as its vendor ships it (Claude Code, a shell command, …), driven
 * headless for one stage of one ticket. Adapters translate their CLI's own output
 * into {@link AgentEvent}s and an {@link AgentStageResult}.
 */
export interface Agent {
  /** The configured name, e.g. `claude-code`. */
  readonly name: string;
  readonly capabilities: AgentCapabilities;
  /** Finds the binary and reads its version, without talking to any model. */
  checkAvailable(): Promise<AgentAvailability>;
  runStage(request: AgentStageRequest, onEvent: (event: AgentEvent) => void): Promise<AgentStageResult>;
}

export interface AgentCapabilities {
  resumeSession: boolean;
  readOnlyMode: boolean;
  structuredOutput: boolean;
  reportsCost: boolean;
}

export type AgentAvailability = { ok: true; version: string } | { ok: false; problem: string };

export interface AgentStageRequest {
  batchId: string;
  ticketId: string;
  stage: Stage;
  /** 1 for the first try of a stage, 2 for the retry after an invalid answer. */
  attempt: number;
  prompt: string;
  /** The ticket's git worktree; the agent works here and nowhere else. */
  worktreePath: string;
  /** A private directory for the agent's home and config, outside the worktree. */
  privateDirectory: string;
  /** `read-only` at C0/C1, `edit-worktree` at C2. */
  access: 'read-only' | 'edit-worktree';
  timeoutMilliseconds: number;
  resumeSessionId?: string;
  /** Aborting it ends the agent and everything it started (outcome `cancelled`). */
  signal?: AbortSignal;
  /** Told the agent's process id once it runs, so a crashed orchestrator's orphans can be ended later. */
  onProcessStart?: (processId: number) => void;
}

export interface AgentUsage {
  inputTokens: number;
  outputTokens: number;
  /** In US dollars, when the agent reports it. */
  costUsd?: number;
}

export type AgentStageOutcome = 'completed' | 'failed' | 'rate-limited' | 'timed-out' | 'cancelled';

export interface AgentStageResult {
  outcome: AgentStageOutcome;
  /** The agent's last answer text; at C0/C1 it carries the JSON the stage asks for. */
  finalText: string;
  sessionId?: string;
  usage: AgentUsage;
  /** Set when the outcome is `rate-limited`: when the provider says the limit resets. */
  rateLimit?: { retryAfterSeconds?: number; resetAt?: string };
  errorMessage?: string;
  exitCode?: number | null;
}

/** Normalized events every adapter emits, written to the ticket's log. */
export type AgentEvent =
  | { type: 'agent-start'; at: string; agent: string; sessionId?: string; model?: string }
  | { type: 'tool-call'; at: string; tool: string; input: unknown }
  | { type: 'text-delta'; at: string; text: string }
  | { type: 'usage'; at: string; usage: AgentUsage }
  | { type: 'rate-limit'; at: string; retryAfterSeconds?: number; resetAt?: string; message: string }
  | { type: 'agent-end'; at: string; outcome: AgentStageOutcome; errorMessage?: string }
  /**
   * The agent asked for something the stage does not allow (an Agent Client Protocol permission
   * request, or a file the client was asked to read or write) and was refused: a write at C0/C1,
   * a path outside the worktree, a web fetch. Logged so a reviewer sees what the agent tried.
   */
  | { type: 'permission-refused'; at: string; tool: string; reason: string; input?: unknown }
  /** A configured failover agent takes the stage because the one before it is rate-limited. */
  | { type: 'agent-failover'; at: string; from: string; to: string; reason: string };
