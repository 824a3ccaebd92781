import type { Agent } from '../ports/agent.js';
import type { ArtifactStore } from '../ports/artifact-store.js';
import type { Clock } from '../ports/clock.js';
import type { CodeHost } from '../ports/code-host.js';
import type { CommandRunner } from '../ports/command-runner.js';
import type { Store } from '../ports/store.js';
import type { TicketSource } from '../ports/ticket-source.js';
import type { Workspace } from '../ports/workspace.js';

/**
 * Everything a use case needs, chosen by the runtime. The pipeline never picks an
 * adapter itself: it receives ports and plain settings.
 */
export interface PipelineDependencies {
  store: Store;
  ticketSource: TicketSource;
  workspace: Workspace;
  codeHost: CodeHost;
  agent: Agent;
  commandRunner: CommandRunner;
  artifacts: ArtifactStore;
  clock: Clock;
  settings: PipelineSettings;
}

/** The parts of the configuration the use cases read, in the pipeline's own terms. */
export interface PipelineSettings {
  readyLabel: string;
  maxTickets: number;
  timeoutPerTicketMinutes: number;
  parallelAgents: number;
  batchNameSuffix: string;
  baseBranch: string;
  branchPrefix: string;
  commitAuthor: { name: string; email: string };
  gateTimeoutMinutes: number;
  gateCommands: { name: string; command: string }[];
  /** Directory (absolute) for agents' private homes, outside every worktree. */
  agentPrivateRoot: string;
  /** The model the agent was told to use, for the review summary; informational. */
  agentModel?: string;
}

/** Progress a use case reports as it goes, for spinners and plain log lines. */
export type ProgressListener = (event: ProgressEvent) => void;

export type ProgressEvent =
  | { type: 'ticket-stage'; ticketId: string; stage: string; detail?: string }
  | { type: 'ticket-done'; ticketId: string; state: string; detail?: string }
  | { type: 'message'; message: string };
