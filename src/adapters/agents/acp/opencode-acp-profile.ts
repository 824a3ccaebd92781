import { join } from 'node:path';
import type { AgentStageRequest } from '../../../ports/agent.js';
import type { AcpAgentProfile } from './acp-agent-profile.js';

const PROVIDER = 'nightshift';

/** The model named when none is configured (OpenCode needs one for its custom provider). */
export const OPENCODE_ACP_DEFAULT_MODEL = 'gpt-4.1';

/**
 * `opencode acp` (`opencode-ai`, pinned 1.18.33):
 * - its whole config in `OPENCODE_CONFIG` (the repository's `opencode.json` and `.opencode/`
 *   ignored through `OPENCODE_DISABLE_PROJECT_CONFIG`): one OpenAI-compatible provider pointing at
 *   the model relay, the model, no sharing, snapshots or updates;
 * - permissions per stage, everything not named denied: reading tools allowed; at C2 `edit` and
 *   `bash` set to `ask`, so each one reaches our policy as an ACP permission request; never
 *   outside the worktree (`external_directory`), no sub-agents, no web;
 * - private HOME and XDG directories (its sessions live in the data directory).
 */
export const OPENCODE_ACP_PROFILE: AcpAgentProfile = {
  commandName: 'opencode',
  capabilities: { resumeSession: true, readOnlyMode: true, structuredOutput: false, reportsCost: false },
  apiKeyVariable: 'OPENAI_API_KEY',
  defaultBaseUrl: 'https://api.openai.com/v1',
  plan: async (input) => {
    const root = join(input.directories.root, 'opencode');
    const configPath = join(root, 'config', 'nightshift-opencode.json');
    const model = input.model ?? OPENCODE_ACP_DEFAULT_MODEL;
    const config = {
      $schema: 'https://opencode.ai/config.json',
      autoupdate: false,
      share: 'disabled',
      snapshot: false,
      model: `${PROVIDER}/${model}`,
      small_model: `${PROVIDER}/${model}`,
      provider: {
        [PROVIDER]: {
          npm: '@ai-sdk/openai-compatible',
          name: 'Nightshift',
          options: { baseURL: input.modelBaseUrl ?? 'https://api.openai.com/v1', ...(input.apiKey === undefined ? {} : { apiKey: input.apiKey }) },
          models: { [model]: { name: model } },
        },
      },
      permission: openCodePermissions(input.access),
    };
    return {
      environment: {
        XDG_CONFIG_HOME: join(root, 'config'),
        XDG_DATA_HOME: join(root, 'data'),
        XDG_CACHE_HOME: join(root, 'cache'),
        XDG_STATE_HOME: join(root, 'state'),
        OPENCODE_CONFIG: configPath,
        OPENCODE_DISABLE_PROJECT_CONFIG: '1',
        OPENCODE_DISABLE_AUTOUPDATE: '1',
        OPENCODE_DISABLE_MODELS_FETCH: '1',
        OPENCODE_DISABLE_LSP_DOWNLOAD: '1',
        OPENCODE_DISABLE_SHARE: '1',
        OPENCODE_DISABLE_CLAUDE_CODE: '1',
        OPENCODE_EXPERIMENTAL_DISABLE_FILEWATCHER: '1',
      },
      files: [{ path: configPath, content: `${JSON.stringify(config, null, 2)}\n` }],
    };
  },
};

/** OpenCode's permission rules for a stage: `"*": "deny"` first, so a tool added in a later release stays refused. */
export function openCodePermissions(access: AgentStageRequest['access']): Record<string, string> {
  const reading = { read: 'allow', glob: 'allow', grep: 'allow', list: 'allow', external_directory: 'deny' };
  if (access === 'read-only') return { '*': 'deny', ...reading };
  return { '*': 'deny', ...reading, edit: 'ask', bash: 'ask', todowrite: 'allow', todoread: 'allow' };
}
