import { dirname, join } from 'node:path';
import { findExecutable } from '../../shared/find-executable.js';
import type { AcpAgentProfile } from './acp-agent-profile.js';

/** The only tools Claude gets at C0/C1 (it can look, not touch or run), and at C2. */
export const CLAUDE_ACP_READ_ONLY_TOOLS: readonly string[] = ['Read', 'Grep', 'Glob'];
export const CLAUDE_ACP_EDIT_TOOLS: readonly string[] = ['Read', 'Write', 'Edit', 'Bash', 'Grep', 'Glob'];

/**
 * `@zed-industries/claude-agent-acp` (pinned 0.23.1), Claude Code behind the Claude Agent SDK:
 * - the Anthropic endpoint and key as `ANTHROPIC_BASE_URL` / `ANTHROPIC_API_KEY`, a private
 *   `CLAUDE_CONFIG_DIR`, no telemetry or updates, `CLAUDE_CODE_MAX_RETRIES`;
 * - as root, `IS_SANDBOX=1` (exactly), without which `session/new` fails;
 * - the Claude Code CLI Nightshift pins, when it sits beside the agent in `node_modules/.bin`
 *   (`CLAUDE_CODE_EXECUTABLE`): the same version as the `claude-code` adapter, and a native
 *   binary that starts in a second where the SDK's bundled `cli.js` takes four;
 * - session options in `_meta.claudeCode.options`: no settings files (a repository's
 *   `.claude/settings.json` could carry hooks or allow rules), no MCP servers but ours (none),
 *   read-only tools at C0/C1, the model;
 * - mode `default`, in which Claude asks before every edit and command: our policy answers.
 *   Setting it also undoes a `defaultMode` a repository's settings could have chosen.
 */
export const CLAUDE_AGENT_ACP_PROFILE: AcpAgentProfile = {
  commandName: 'claude-agent-acp',
  capabilities: { resumeSession: true, readOnlyMode: true, structuredOutput: false, reportsCost: true },
  apiKeyVariable: 'ANTHROPIC_API_KEY',
  defaultBaseUrl: 'https://api.anthropic.com',
  plan: async (input) => {
    const configDirectory = join(input.directories.root, 'claude-config');
    const pinnedClaude = findExecutable(join(dirname(input.executablePath), 'claude'), undefined, dirname(input.executablePath));
    return {
      environment: {
        CLAUDE_CONFIG_DIR: configDirectory,
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        DISABLE_AUTOUPDATER: '1',
        DISABLE_TELEMETRY: '1',
        DISABLE_ERROR_REPORTING: '1',
        CLAUDE_CODE_MAX_RETRIES: String(input.maxRetries),
        ...(input.runningAsRoot ? { IS_SANDBOX: '1' } : {}),
        ...(pinnedClaude.found ? { CLAUDE_CODE_EXECUTABLE: pinnedClaude.path } : {}),
        ...(input.modelBaseUrl === undefined ? {} : { ANTHROPIC_BASE_URL: input.modelBaseUrl }),
        ...(input.apiKey === undefined ? {} : { ANTHROPIC_API_KEY: input.apiKey }),
      },
      files: [{ path: join(configDirectory, 'settings.json'), content: '{}\n' }],
      sessionMeta: {
        claudeCode: {
          options: {
            settingSources: [],
            strictMcpConfig: true,
            tools: [...(input.access === 'read-only' ? CLAUDE_ACP_READ_ONLY_TOOLS : CLAUDE_ACP_EDIT_TOOLS)],
            ...(input.model === undefined ? {} : { model: input.model }),
          },
        },
      },
      modeId: 'default',
    };
  },
};
