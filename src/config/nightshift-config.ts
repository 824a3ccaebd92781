/**
 * The normalized configuration every other part of Nightshift reads. It is produced
 * from `nightshift.yaml` by `loadConfig` (schema → normalize → cross-field rules);
 * nothing else parses the YAML or reads environment variables for settings.
 */
export interface NightshiftConfig {
  tracker: TrackerConfig;
  agent: AgentConfig;
  batch: BatchDefaults;
  repository: RepositoryConfig;
  gates: GatesConfig;
  codeHost: { kind: 'local' };
  generation: GenerationConfig;
  budget: BudgetConfig;
  escalation: EscalationConfig;
  security: SecurityConfig;
}

/** How the overnight run copes with slow, failing and rate-limited agents. */
export interface GenerationConfig {
  /** An agent that emits no event for this long is stopped and its stage retried. */
  stallTimeoutMinutes: number;
  /** Tries per stage for transient failures (agent crash, model unreachable), with backoff. */
  maxAttemptsPerStage: number;
  /** More rate limits than this in one batch abort it (the seed: "If > 3 rate limits, abort batch"). */
  maxRateLimits: number;
  /** How long to wait when the provider does not say when the limit resets (the seed: "typically 1 hour"). */
  defaultRateLimitWaitMinutes: number;
  /** Remove a ticket's worktree once its branch and MR are recorded (the gates recreate it when needed). */
  removeWorktrees: boolean;
  /** Keep each agent's private home (its config and unmasked transcripts) after its ticket's generation ends. */
  keepAgentHomes: boolean;
}

/** Caps from the usage agents report; absent means no cap. */
export interface BudgetConfig {
  tokensPerTicket?: number;
  costPerTicketUsd?: number;
  tokensPerBatch?: number;
  costPerBatchUsd?: number;
}

/** When a ticket goes to a human instead of C2. */
export interface EscalationConfig {
  /** The agent reports a decision it cannot make (architecture, several approaches, missing information). */
  onAgentDecision: boolean;
  /** The agent re-estimates the complexity above the ticket's. */
  onComplexityAboveEstimate: boolean;
  /** The plan needs more than this many files outside `estimated_files` (undefined: never). */
  maxFilesOutsideEstimate?: number;
  /** Globs of paths whose change needs a human decision first (CI, auth, migrations, secrets, lock files). */
  protectedPaths: string[];
}

/** Paths an agent's plan may not touch without a human, unless the configuration says otherwise. */
export const DEFAULT_PROTECTED_PATHS = [
  '.github/workflows/**',
  '.gitlab-ci.yml',
  '.circleci/**',
  '**/auth/**',
  '**/*auth*.*',
  '**/migrations/**',
  '**/*.pem',
  '**/*.key',
  '**/.env*',
  '**/secrets/**',
  '**/package-lock.json',
  '**/yarn.lock',
  '**/pnpm-lock.yaml',
  '**/Cargo.lock',
  '**/poetry.lock',
  '**/go.sum',
];

export interface TrackerConfig {
  kind: 'files';
  /** Directory of `*.md` ticket files, relative to the repository root. */
  directory: string;
  readyLabel: string;
}

/** Every agent Nightshift drives, as its vendor ships it; `acp` is any Agent Client Protocol agent. */
export const AGENT_KINDS = ['claude-code', 'codex', 'opencode', 'gemini', 'qwen', 'pi', 'acp', 'command'] as const;
export type AgentKind = (typeof AGENT_KINDS)[number];

/** One agent's settings; `stages` overrides them per checkpoint and `failover` lists the agents to use when this one is rate-limited. */
/**
 * `agent.sandbox`: the OS sandbox (bubblewrap) around every agent process, which keeps its reads and
 * writes to its worktree and private directory. `auto` uses it when `bwrap` works here and warns
 * otherwise; `bubblewrap` refuses to run without it; `off` leaves only the agents' own permission
 * modes and the after-stage confinement check.
 */
export const AGENT_SANDBOX_CHOICES = ['auto', 'bubblewrap', 'off'] as const;
export type AgentSandboxChoice = (typeof AGENT_SANDBOX_CHOICES)[number];

export interface AgentConfig extends AgentSettings {
  /** The OS sandbox of every agent of the run (failover agents included); `auto` unless told. */
  sandbox: AgentSandboxChoice;
  /** Per-stage overrides, e.g. a cheaper model for C0/C1. */
  stages: Partial<Record<'C0' | 'C1' | 'C2', AgentStageOverride>>;
  /** Agents that take over new stages, in order, while this one is rate-limited. */
  failover: AgentSettings[];
}

export interface AgentSettings {
  kind: AgentKind;
  /** The executable; defaults to the agent's usual binary name found in node_modules/.bin or on PATH. */
  binary?: string;
  model?: string;
  /** Where the model lives (e.g. the scripted model server); passed as the vendor's base-URL setting. */
  baseUrl?: string;
  /** Name of the environment variable of ours whose value becomes the agent's API key. */
  apiKeyEnvironmentVariable?: string;
  extraArguments: string[];
  /** Extra variable names (beyond the built-in allow-list) the agent may see. */
  environmentAllowList: string[];
  /** For `kind: command`: a shell command template; `{prompt_file}` is replaced by the prompt's path. */
  commandTemplate?: string;
  /** For `kind: acp`: the agent's command line, e.g. ["claude-agent-acp"] or ["gemini", "--acp"]. */
  acpCommand?: string[];
  /** The agent CLI's own retries of failed model calls (Nightshift retries stages itself). */
  maxRetries?: number;
}

export interface AgentStageOverride {
  model?: string;
  extraArguments?: string[];
}

export interface BatchDefaults {
  maxTickets: number;
  timeoutPerTicketMinutes: number;
  parallelAgents: number;
  /** The batch id is `<date>-<suffix>`, e.g. `2024-01-15-overnight`. */
  nameSuffix: string;
}

export interface RepositoryConfig {
  baseBranch: string;
  branchPrefix: string;
  author: { name: string; email: string };
}

export interface GatesConfig {
  timeoutMinutes: number;
  commands: GateCommand[];
  /** How many MRs are gated at once. */
  concurrency: number;
  /** Re-run a failed check once; a pass on re-run is reported as flaky, not as a pass. */
  rerunFailed: boolean;
}

export interface GateCommand {
  name: string;
  command: string;
  /** A report the command writes (relative to the worktree), read for per-test results. */
  reportPath?: string;
  /** The report's format; `auto` guesses from the content. */
  reportFormat?: 'junit' | 'tap' | 'coverage-json' | 'auto';
}

/** The security checks of the gates. */
export interface SecurityConfig {
  /** Globs of paths whose change is flagged for a reviewer (CI, auth, migrations, lock files, Dockerfiles …). */
  riskyPaths: string[];
  /** The command that audits dependencies when a manifest or lock file changed; empty string turns it off. */
  auditCommand: string;
  /** Flag dangerous patterns (eval, shell commands from strings, TLS checks off, SQL by concatenation) in added lines. */
  dangerousPatterns: boolean;
}

/** Paths a reviewer should look at twice, unless the configuration says otherwise. */
export const DEFAULT_RISKY_PATHS = [
  '.github/workflows/**',
  '.gitlab-ci.yml',
  '.circleci/**',
  'Jenkinsfile',
  '**/auth/**',
  '**/*auth*.*',
  '**/migrations/**',
  '**/package-lock.json',
  '**/yarn.lock',
  '**/pnpm-lock.yaml',
  '**/Cargo.lock',
  '**/go.sum',
  '**/poetry.lock',
  '**/Dockerfile',
  '**/*.dockerfile',
  '**/docker-compose*.yml',
  '**/CODEOWNERS',
  '**/.npmrc',
  '**/sudoers*',
];

export const DEFAULT_CONFIG: NightshiftConfig = {
  tracker: { kind: 'files', directory: 'tickets', readyLabel: 'ready-for-agent' },
  agent: { kind: 'claude-code', extraArguments: [], environmentAllowList: [], sandbox: 'auto', stages: {}, failover: [] },
  batch: { maxTickets: 20, timeoutPerTicketMinutes: 30, parallelAgents: 3, nameSuffix: 'overnight' },
  repository: { baseBranch: 'main', branchPrefix: 'agent/', author: { name: 'Nightshift', email: 'nightshift@localhost' } },
  gates: { timeoutMinutes: 10, commands: [], concurrency: 2, rerunFailed: true },
  codeHost: { kind: 'local' },
  generation: { stallTimeoutMinutes: 5, maxAttemptsPerStage: 3, maxRateLimits: 3, defaultRateLimitWaitMinutes: 60, removeWorktrees: true, keepAgentHomes: false },
  budget: {},
  escalation: { onAgentDecision: true, onComplexityAboveEstimate: true, maxFilesOutsideEstimate: 3, protectedPaths: [...DEFAULT_PROTECTED_PATHS] },
  security: { riskyPaths: [...DEFAULT_RISKY_PATHS], auditCommand: 'npm audit --json', dangerousPatterns: true },
};
