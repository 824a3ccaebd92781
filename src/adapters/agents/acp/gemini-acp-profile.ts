import { join } from 'node:path';
import type { AgentStageRequest } from '../../../ports/agent.js';
import type { AcpAgentProfile } from './acp-agent-profile.js';

/** The Gemini CLI's reading tools, allowed without asking at every stage. */
const READ_TOOLS: readonly string[] = ['read_file', 'list_directory', 'glob', 'grep_search'];
/** Its file tools and shell, offered at C2 only, each use asked of the client (and answered by our policy). */
const ASKED_TOOLS: readonly string[] = ['write_file', 'replace', 'run_shell_command'];

/**
 * `gemini --acp` (`@google/gemini-cli`, pinned 0.61.0):
 * - the Gemini endpoint and key as `GOOGLE_GEMINI_BASE_URL` / `GEMINI_API_KEY`, a private
 *   `GEMINI_CLI_HOME` whose `settings.json` selects API-key auth, turns telemetry, updates,
 *   checkpoints and hooks off and sets the model attempts;
 * - the workspace untrusted (`GEMINI_CLI_TRUST_WORKSPACE=false`): a repository's `.gemini/`
 *   settings, hooks and MCP servers are ignored;
 * - a policy file (`--policy`) denying every tool but the reading ones at C0/C1, and at C2
 *   asking the client before each edit and shell command (`ask_user`), so our policy decides;
 * - `-m <model>` when a model is configured (the CLI's "auto" routing adds a classifier call);
 * - mode `default` set over ACP, which also undoes a `--yolo` on the configured command line;
 * - no client file methods: through them 0.61.0 cannot create a file (its read-before-write
 *   takes our "Resource not found" answer for a failure); its own file tools stay inside the
 *   workspace and ask before every write.
 */
export const GEMINI_ACP_PROFILE: AcpAgentProfile = {
  commandName: 'gemini',
  // No resume: 0.61.0's `session/load` starts recording the session anew (overwriting its
  // messages) before it reads it back, and then finds "no previous sessions".
  capabilities: { resumeSession: false, readOnlyMode: true, structuredOutput: false, reportsCost: false },
  apiKeyVariable: 'GEMINI_API_KEY',
  defaultBaseUrl: 'https://generativelanguage.googleapis.com',
  plan: async (input) => {
    const policyPath = join(input.directories.root, 'gemini-policy.toml');
    return {
      arguments: ['--policy', policyPath, ...(input.model === undefined ? [] : ['-m', input.model])],
      environment: {
        GEMINI_CLI_HOME: input.directories.home,
        GEMINI_CLI_TRUST_WORKSPACE: 'false',
        GEMINI_CLI_NO_RELAUNCH: 'true',
        NO_BROWSER: 'true',
        ...(input.modelBaseUrl === undefined ? {} : { GOOGLE_GEMINI_BASE_URL: input.modelBaseUrl }),
        ...(input.apiKey === undefined ? {} : { GEMINI_API_KEY: input.apiKey }),
      },
      files: [
        { path: join(input.directories.home, '.gemini', 'settings.json'), content: `${JSON.stringify(geminiSettings(input.maxRetries + 1), null, 2)}\n` },
        { path: policyPath, content: geminiPolicy(input.access) },
      ],
      modeId: 'default',
      clientFileSystem: false,
    };
  },
};

function geminiSettings(maxAttempts: number): Record<string, unknown> {
  return {
    security: { auth: { selectedType: 'gemini-api-key' }, folderTrust: { enabled: false } },
    general: { maxAttempts: Math.min(10, Math.max(1, maxAttempts)), enableAutoUpdate: false, enableAutoUpdateNotification: false, checkpointing: { enabled: false } },
    telemetry: { enabled: false },
    privacy: { usageStatisticsEnabled: false },
    hooksConfig: { enabled: false },
  };
}

/** The Gemini CLI policy-engine TOML of one stage: everything denied, then the stage's tools allowed or asked at a higher priority. */
export function geminiPolicy(access: AgentStageRequest['access']): string {
  const names = (tools: readonly string[]): string => `[${tools.map((tool) => JSON.stringify(tool)).join(', ')}]`;
  const rules = [
    ['[[rule]]', 'toolName = "*"', 'decision = "deny"', 'priority = 900', `denyMessage = ${JSON.stringify(`Nightshift: this tool is not available at this ${access} stage.`)}`],
    ['[[rule]]', `toolName = ${names(READ_TOOLS)}`, 'decision = "allow"', 'priority = 950'],
    ...(access === 'read-only' ? [] : [['[[rule]]', `toolName = ${names(ASKED_TOOLS)}`, 'decision = "ask_user"', 'priority = 950', 'allowRedirection = true']]),
  ];
  return `# Written by Nightshift for one ${access} stage.\n\n${rules.map((rule) => rule.join('\n')).join('\n\n')}\n`;
}
