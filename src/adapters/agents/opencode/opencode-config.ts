import type { AgentStageRequest } from '../../../ports/agent.js';

/** The provider id Nightshift declares in OpenCode's config; models are `nightshift/<model>`. */
export const OPENCODE_PROVIDER_ID = 'nightshift';

/**
 * OpenCode's permission rules per access level. `"*": "deny"` first, so a tool OpenCode adds
 * in a later release is refused until allowed here; denied tools are not even offered to the
 * model. At C0/C1 only reading and searching; at C2 edits (`edit` covers write and patch) and
 * the shell, still never outside the worktree (`external_directory`), no sub-agents (`task`),
 * no web access.
 */
export const OPENCODE_PERMISSIONS: Record<AgentStageRequest['access'], Record<string, string>> = {
  'read-only': { '*': 'deny', read: 'allow', glob: 'allow', grep: 'allow', list: 'allow', external_directory: 'deny' },
  'edit-worktree': {
    '*': 'deny',
    read: 'allow',
    glob: 'allow',
    grep: 'allow',
    list: 'allow',
    edit: 'allow',
    bash: 'allow',
    todowrite: 'allow',
    todoread: 'allow',
    external_directory: 'deny',
  },
};

/**
 * The whole OpenCode config of one run (`OPENCODE_CONFIG`; the repository's own `opencode.json`
 * and `.opencode/` are ignored through `OPENCODE_DISABLE_PROJECT_CONFIG`, since they could add
 * MCP servers, plugins or looser permissions). One OpenAI-compatible provider pointing at the
 * model relay, git snapshots off (the worktree is ours to inspect), no sharing, no updates.
 * The repository's `AGENTS.md` is still read, named here by absolute path.
 */
export function buildOpenCodeConfig(input: {
  baseUrl: string;
  apiKey: string;
  model: string;
  access: AgentStageRequest['access'];
  instructionFiles: readonly string[];
}): Record<string, unknown> {
  const model = `${OPENCODE_PROVIDER_ID}/${input.model}`;
  return {
    $schema: 'https://opencode.ai/config.json',
    autoupdate: false,
    share: 'disabled',
    snapshot: false,
    model,
    small_model: model,
    provider: {
      [OPENCODE_PROVIDER_ID]: {
        npm: '@ai-sdk/openai-compatible',
        name: 'Nightshift',
        options: { baseURL: input.baseUrl, apiKey: input.apiKey },
        models: { [input.model]: { name: input.model } },
      },
    },
    permission: OPENCODE_PERMISSIONS[input.access],
    ...(input.instructionFiles.length === 0 ? {} : { instructions: [...input.instructionFiles] }),
  };
}

/**
 * The command line (checked against `opencode run --help` of the pinned 1.18.33): JSON events,
 * no external plugins (`--pure`), a fixed title (OpenCode otherwise asks the model for one in a
 * side request), and the prompt after `--` so a leading dash is never read as an option.
 * OpenCode joins its message words with spaces and wraps any word containing a space in
 * quotes, escaping the quotes inside (a JSON example in the prompt would reach the model as
 * `{\"summary\": …}`); passed split at its spaces, the prompt is joined back exactly as written.
 * Except one thing: OpenCode's argument parser turns a word that reads as a number (`5`, `-2`,
 * `0x1F`) into a number, and then crashes on it (`G.includes is not a function`), so such a
 * word stays glued to the word before it — that one pair reaches the model in quotes.
 */
export function buildOpenCodeArguments(input: { prompt: string; model: string; resumeSessionId?: string; extraArguments: readonly string[] }): string[] {
  return [
    'run',
    '--format',
    'json',
    '--pure',
    '--title',
    'nightshift',
    '-m',
    `${OPENCODE_PROVIDER_ID}/${input.model}`,
    ...(input.resumeSessionId === undefined ? [] : ['--session', input.resumeSessionId]),
    ...input.extraArguments,
    '--',
    ...promptWords(input.prompt),
  ];
}

/** What yargs-parser would read as a number (and hand OpenCode as one). */
const NUMBER_LIKE = /^[-+]?(?:0x[0-9a-f]+|\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?$/i;

/** The prompt split at its spaces, a number-like word kept with the word before (or after) it. */
export function promptWords(prompt: string): string[] {
  const words: string[] = [];
  let carried: string | undefined;
  for (const word of prompt.split(' ')) {
    const joined = carried === undefined ? word : `${carried} ${word}`;
    carried = undefined;
    if (!NUMBER_LIKE.test(joined)) words.push(joined);
    else if (words.length > 0) words[words.length - 1] = `${words[words.length - 1]} ${joined}`;
    else carried = joined;
  }
  if (carried !== undefined) words.push(carried);
  return words;
}
