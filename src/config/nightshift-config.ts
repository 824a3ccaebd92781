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
}

export interface TrackerConfig {
  kind: 'files';
  /** Directory of `*.md` ticket files, relative to the repository root. */
  directory: string;
  readyLabel: string;
}

export interface AgentConfig {
  kind: 'claude-code' | 'command';
  /** The executable; defaults to the agent's usual binary name found on PATH or in node_modules/.bin. */
  binary?: string;
  model?: string;
  /** Where the model lives (e.g. the scripted model server); passed as the vendor's base-URL variable. */
  baseUrl?: string;
  /** Name of the environment variable of ours whose value becomes the agent's API key. */
  apiKeyEnvironmentVariable?: string;
  extraArguments: string[];
  /** Extra variable names (beyond the built-in allow-list) the agent may see. */
  environmentAllowList: string[];
  /** For `kind: command`: a shell command template; `{prompt_file}` is replaced by the prompt's path. */
  commandTemplate?: string;
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
}

export interface GateCommand {
  name: string;
  command: string;
}

export const DEFAULT_CONFIG: NightshiftConfig = {
  tracker: { kind: 'files', directory: 'tickets', readyLabel: 'ready-for-agent' },
  agent: { kind: 'claude-code', extraArguments: [], environmentAllowList: [] },
  batch: { maxTickets: 20, timeoutPerTicketMinutes: 30, parallelAgents: 3, nameSuffix: 'overnight' },
  repository: { baseBranch: 'main', branchPrefix: 'agent/', author: { name: 'Nightshift', email: 'nightshift@localhost' } },
  gates: { timeoutMinutes: 10, commands: [] },
  codeHost: { kind: 'local' },
};
