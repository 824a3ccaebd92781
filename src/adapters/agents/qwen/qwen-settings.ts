import type { AgentStageRequest } from '../../../ports/agent.js';

/** Tools Qwen Code may use at C0/C1: looking and searching. */
export const QWEN_READ_ONLY_TOOLS: readonly string[] = ['read_file', 'grep_search', 'glob', 'list_directory'];

/** Tools Qwen Code may use at C2: files inside the worktree, and a shell to run the tests. */
export const QWEN_EDIT_WORKTREE_TOOLS: readonly string[] = [...QWEN_READ_ONLY_TOOLS, 'write_file', 'edit', 'run_shell_command'];

/**
 * Tools that are not "core" (so `--core-tools` does not withhold them) and that a stage must
 * never have: sub-agents, skills, web access, messaging, worktree switching, schedulers,
 * goals, and the deferred-tool search that would offer the rest on demand.
 */
export const QWEN_EXCLUDED_TOOLS: readonly string[] = [
  'agent',
  'list_agents',
  'skill',
  'tool_call',
  'tool_search',
  'web_fetch',
  'web_search',
  'send_message',
  'enter_worktree',
  'exit_worktree',
  'cron_create',
  'cron_list',
  'cron_delete',
  'loop_wakeup',
  'monitor',
  'task_stop',
  'get_goal',
  'update_goal',
  'record_artifact',
  'report_findings',
  'read_mcp_resource',
  'zoom_image',
];

/** An MCP server name no repository uses: allowing only it allows none. */
const NO_MCP_SERVER = 'nightshift-allows-no-mcp-server';

/**
 * Qwen Code's settings for one run, written as its *system* settings file
 * (`QWEN_CODE_SYSTEM_SETTINGS_PATH`), the scope no workspace file can override: the
 * repository's `.qwen/settings.json` could otherwise run hooks at C0, start MCP servers, or
 * turn the background memory agent back on. Deny rules keep the file tools inside the
 * worktree (see {@link buildQwenOutsideWorktreeRules}). Its retries of failed calls follow ours, and the
 * background model calls (memory extraction, follow-up suggestions, next-speaker and loop
 * checks) are off, so every model call serves the stage.
 */
export function buildQwenSystemSettings(input: { maxRetries: number; worktreePath: string }): Record<string, unknown> {
  return {
    permissions: { deny: buildQwenOutsideWorktreeRules(input.worktreePath) },
    model: { generationConfig: { maxRetries: input.maxRetries }, skipNextSpeakerCheck: true, skipLoopDetection: true },
    memory: { enableManagedAutoMemory: false, enableManagedAutoDream: false, enableAutoSkill: false },
    general: { enableAutoUpdate: false, showSessionRecap: false },
    ui: { enableFollowupSuggestions: false, enableSpeculation: false },
    privacy: { usageStatisticsEnabled: false },
    telemetry: { enabled: false },
    tools: { useRipgrep: false, toolSearch: { enabled: false } },
    mcp: { allowed: [NO_MCP_SERVER] },
    disableAllHooks: true,
  };
}

/**
 * The command line (checked against `qwen --help` of the pinned 0.24.4): stream-json events,
 * the OpenAI-compatible endpoint (the model relay) given on the command line, `--approval-mode
 * plan` at C0/C1 (analyse only: no edits, no commands) and `--yolo` at C2 (no one is there to
 * approve), tools allow-listed with `--core-tools` and the rest excluded. The prompt comes
 * right after the fixed options: Qwen's array options (`--core-tools …`) would swallow a
 * prompt placed after them, and it reads no prompt after `--`; a leading dash is guarded by a
 * space so it is never read as an option.
 */
export function buildQwenArguments(input: {
  prompt: string;
  access: AgentStageRequest['access'];
  baseUrl: string;
  apiKey: string;
  model: string;
  resumeSessionId?: string;
  extraArguments: readonly string[];
}): string[] {
  const tools = input.access === 'read-only' ? QWEN_READ_ONLY_TOOLS : QWEN_EDIT_WORKTREE_TOOLS;
  return [
    '--output-format',
    'stream-json',
    '--auth-type',
    'openai',
    '--openai-base-url',
    input.baseUrl,
    '--openai-api-key',
    input.apiKey,
    '--model',
    input.model,
    input.prompt.startsWith('-') ? ` ${input.prompt}` : input.prompt,
    ...(input.access === 'read-only' ? ['--approval-mode', 'plan'] : ['--yolo']),
    ...tools.flatMap((tool) => ['--core-tools', tool]),
    ...QWEN_EXCLUDED_TOOLS.flatMap((tool) => ['--exclude-tools', tool]),
    ...(input.resumeSessionId === undefined ? [] : ['--resume', input.resumeSessionId]),
    ...input.extraArguments,
  ];
}

/** System directories Qwen's tools may read anywhere (commands name `/usr/bin/env`, `/etc/os-release`, `/proc/…`). */
export const QWEN_READABLE_SYSTEM_DIRECTORIES: readonly string[] = ['bin', 'dev', 'etc', 'lib', 'lib32', 'lib64', 'nix', 'opt', 'proc', 'sbin', 'sys', 'usr'];

/** System directories commands may write to anywhere: `> /dev/null`, `2> /dev/stderr`. */
export const QWEN_WRITABLE_SYSTEM_DIRECTORIES: readonly string[] = ['dev'];

/**
 * Deny rules (Qwen's permission syntax, picomatch globs; `//` starts an absolute path) that
 * cover everything outside the worktree, for reading (`Read`: read, grep, glob, list) and
 * changing (`Edit`: edit, write, notebook), plus changes inside its `.git`. Qwen Code asks
 * before touching a path outside its workspace, but `--yolo` answers yes, so at C2 a write
 * to `/anywhere` would land; deny rules win over every mode, and Qwen applies them to the
 * paths a shell command names too (`cat ~/.ssh/id_rsa`, `> /elsewhere`). Globs have no "not
 * under", so the rules name, at each level from the root down, every sibling of the
 * worktree's ancestors with `!(name)`: `/w-evil` is a sibling of `/w`, not inside it. At the
 * root, the system directories stay readable and `/dev` writable, or no command could
 * redirect to `/dev/null`.
 */
export function buildQwenOutsideWorktreeRules(worktreePath: string): string[] {
  const segments = worktreePath.split('/').filter((segment) => segment !== '');
  const rules: string[] = [];
  segments.forEach((segment, index) => {
    const parent = segments.slice(0, index).map(escapeGlob).join('/');
    const siblings = (exempt: readonly string[]): string => {
      const kept = index === 0 ? [...new Set([segment, ...exempt])] : [segment];
      return `/${parent === '' ? '' : `${parent}/`}!(${kept.map(escapeGlob).join('|')})`;
    };
    for (const [tool, exempt] of [['Read', QWEN_READABLE_SYSTEM_DIRECTORIES], ['Edit', QWEN_WRITABLE_SYSTEM_DIRECTORIES]] as const) {
      rules.push(`${tool}(/${siblings(exempt)})`, `${tool}(/${siblings(exempt)}/**)`);
    }
  });
  const inside = segments.map(escapeGlob).join('/');
  rules.push(`Edit(//${inside}/.git)`, `Edit(//${inside}/.git/**)`);
  return rules;
}

function escapeGlob(segment: string): string {
  return segment.replace(/[\\*?[\]{}()!+@|]/g, '\\$&');
}
