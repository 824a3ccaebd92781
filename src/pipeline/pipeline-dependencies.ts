import type { CheckReportFormat } from '../domain/check-report.js';
import type { Agent } from '../ports/agent.js';
import type { ConfinementSettings } from './confinement-check.js';
import type { AgentProcessRegistry } from '../ports/agent-process-registry.js';
import type { ArtifactStore } from '../ports/artifact-store.js';
import type { ChangedFileReader } from '../ports/changed-file-reader.js';
import type { Clock } from '../ports/clock.js';
import type { CodeHost } from '../ports/code-host.js';
import type { CommandRunner } from '../ports/command-runner.js';
import type { DependencyAuditor } from '../ports/dependency-auditor.js';
import type { SecretScanner } from '../ports/secret-scanner.js';
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
  processRegistry: AgentProcessRegistry;
  /** The security checks of the gates: secrets in changed files, dependency audits, manifests before and after. */
  secretScanner: SecretScanner;
  dependencyAuditor: DependencyAuditor;
  changedFileReader: ChangedFileReader;
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
  /** The checks, in order; `reportPath` (relative to the worktree) is a JUnit, TAP, coverage or lint report the command writes. */
  gateCommands: GateCommandSettings[];
  /** How many MRs are gated at once. */
  gateConcurrency: number;
  /** Re-run a failed check once; a pass on the re-run is reported as flaky, not as a pass. */
  rerunFailedGates: boolean;
  /** Directory (absolute) for agents' private homes, outside every worktree. */
  agentPrivateRoot: string;
  /** The model the agent was told to use, for the review summary; informational. */
  agentModel?: string;
  /** An agent silent for this long is stopped and its stage retried. */
  stallTimeoutMinutes: number;
  /** Tries per stage for transient failures, with backoff min(10 s · 2^(n−1), 5 min). */
  maxAttemptsPerStage: number;
  /** More rate limits than this in one batch abort it. */
  maxRateLimits: number;
  /** The pause when a rate limit comes without a reset time. */
  defaultRateLimitWaitMinutes: number;
  /** Remove a ticket's worktree once its branch and MR are recorded. */
  removeWorktrees: boolean;
  /** Keep each agent's private home after its ticket's generation ends (debugging); they hold unmasked transcripts. */
  keepAgentHomes?: boolean;
  budget: BudgetSettings;
  escalation: EscalationSettings;
  /** What the after-stage confinement check watches beyond the repository; none when absent. */
  confinement?: ConfinementSettings;
  security: SecuritySettings;
}

/** Which security checks run in the gates (secrets and prompt-injection markers always do). */
export interface SecuritySettings {
  /** Globs of paths whose change is flagged; empty turns the check off. */
  riskyPaths: string[];
  /** Audit new and changed npm dependencies (false when `security.audit_command` is empty). */
  auditDependencies: boolean;
  /** Flag dangerous code patterns in added lines. */
  dangerousPatterns: boolean;
}

/** One check of the gates. */
export interface GateCommandSettings {
  name: string;
  command: string;
  reportPath?: string;
  reportFormat?: CheckReportFormat;
}

/** Caps in tokens (input + output) and US dollars; absent means no cap. */
export interface BudgetSettings {
  tokensPerTicket?: number;
  costPerTicketUsd?: number;
  tokensPerBatch?: number;
  costPerBatchUsd?: number;
}

/** Which escalation triggers are on, and their thresholds. */
export interface EscalationSettings {
  onAgentDecision: boolean;
  onComplexityAboveEstimate: boolean;
  maxFilesOutsideEstimate?: number;
  protectedPaths: string[];
}

/** Progress a use case reports as it goes, for spinners and plain log lines. */
export type ProgressListener = (event: ProgressEvent) => void;

export type ProgressEvent =
  | { type: 'ticket-stage'; ticketId: string; stage: string; detail?: string }
  | { type: 'ticket-done'; ticketId: string; state: string; detail?: string }
  | { type: 'message'; message: string }
  | { type: 'paused'; until: string; reason: string };
