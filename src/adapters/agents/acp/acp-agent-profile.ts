import { basename, join } from 'node:path';
import type { AgentCapabilities, AgentStageRequest } from '../../../ports/agent.js';

/** What a profile gets to prepare one stage run of its agent. */
export interface AcpProfileInput {
  access: AgentStageRequest['access'];
  worktreePath: string;
  /** The run's private directory, and the home and temporary directories already created in it. */
  directories: { root: string; home: string; temporary: string };
  /** The agent's executable as it will be started. */
  executablePath: string;
  /** PATH as the agent will see it (after the allow-list). */
  pathVariable: string | undefined;
  model?: string;
  /** Where the agent sends its model requests: the model relay, or the configured base URL. */
  modelBaseUrl?: string;
  apiKey?: string;
  /** The agent's own retries of a failed model call. */
  maxRetries: number;
  runningAsRoot: boolean;
  /** True when the agent runs inside Nightshift's bubblewrap sandbox (`agent.sandbox`), where an agent's own bubblewrap cannot start. */
  confinedByNightshift?: boolean;
}

/** How to start one stage of the agent and set its session up; a `problem` fails the stage before anything starts. */
export interface AcpLaunchPlan {
  /** Appended to the configured command line (before `extraArguments`). */
  arguments?: string[];
  /** Variables set on top of the allow-listed environment, HOME and TMPDIR. */
  environment: Record<string, string>;
  /** Config files written before the agent starts (absolute paths inside the private directory). */
  files: { path: string; content: string }[];
  /** `_meta` of `session/new` (and of `session/resume`), for agents that read their options there. */
  sessionMeta?: Record<string, unknown>;
  /** The session mode set with `session/set_mode` before the prompt; the stage fails when the agent has no such mode. */
  modeId?: string;
  /**
   * Whether to offer the agent the client's file methods (`fs/read_text_file`, `fs/write_text_file`);
   * true unless told. The Gemini CLI 0.61.0 cannot create a file through them (it does not
   * recognize the "not found" answer to its read-before-write), so its profile says false.
   */
  clientFileSystem?: boolean;
  /** Set the model through the session's model config option (for agents with no other way to be told). */
  modelConfigOption?: string;
  problem?: string;
}

/**
 * What Nightshift knows about one ACP agent, keyed by its command's basename: its honest
 * capabilities, the vendor's own variables and config files (the ACP itself has no way to
 * pass a model endpoint, key or sandbox), and where its model API lives, so the model relay
 * can sit in between and read what a rejected call said (status, rate-limit reset).
 */
export interface AcpAgentProfile {
  /** The command basename, e.g. `claude-agent-acp`; `generic` for agents Nightshift has no profile for. */
  commandName: string;
  capabilities: AgentCapabilities;
  /** The environment variable of ours whose value is the agent's API key when the config names none. */
  apiKeyVariable?: string;
  /** The vendor's API when no base URL is configured. Undefined: the agent talks to its model directly, without the relay. */
  defaultBaseUrl?: string;
  /** A configured base URL in the form the agent expects (Codex wants the API version in it). */
  toUpstreamBaseUrl?(baseUrl: string): string;
  /** The executable to start instead of the one found (a native binary behind a JS wrapper), or why there is none. */
  resolveExecutable?(path: string): { ok: true; path: string } | { ok: false; problem: string };
  plan(input: AcpProfileInput): Promise<AcpLaunchPlan>;
}

/**
 * Any other ACP agent: private HOME and XDG directories, the model (if configured) through the
 * session's model config option, and nothing declared that Nightshift cannot vouch for — such
 * an agent may write without asking, so no read-only mode; resume and cost are unknown.
 */
export const GENERIC_ACP_PROFILE: AcpAgentProfile = {
  commandName: 'generic',
  capabilities: { resumeSession: false, readOnlyMode: false, structuredOutput: false, reportsCost: false },
  plan: async (input) => ({
    environment: {
      XDG_CONFIG_HOME: join(input.directories.home, '.config'),
      XDG_DATA_HOME: join(input.directories.home, '.local', 'share'),
      XDG_CACHE_HOME: join(input.directories.home, '.cache'),
      XDG_STATE_HOME: join(input.directories.home, '.local', 'state'),
    },
    files: [],
    ...(input.model === undefined ? {} : { modelConfigOption: input.model }),
  }),
};

/** The profile for a command (by the basename of its program), or {@link GENERIC_ACP_PROFILE}. */
export function findAcpAgentProfile(program: string, profiles: readonly AcpAgentProfile[]): AcpAgentProfile {
  const name = basename(program);
  return profiles.find((profile) => profile.commandName === name) ?? GENERIC_ACP_PROFILE;
}
