import type { AgentStageRequest } from '../../../ports/agent.js';

/** The only tools Claude Code gets at C0/C1: it can look, not touch or run. */
export const READ_ONLY_TOOLS: readonly string[] = ['Read', 'Grep', 'Glob'];

/** The tools Claude Code gets at C2: files inside the worktree, and a shell to run the tests. */
export const EDIT_WORKTREE_TOOLS: readonly string[] = ['Read', 'Write', 'Edit', 'Bash', 'Grep', 'Glob'];

/**
 * The command line for one headless stage (checked against `claude --help` of the pinned
 * 2.1.332):
 * - `--tools` withholds Write, Edit and Bash entirely at read-only stages, so the model is not
 *   even offered them (nothing to deny, nothing to slip through);
 * - `--restricted` confines the file tools to the working directory, ignores settings files
 *   a repository may carry (whose hooks would run commands even at C0), and `--strict-mcp-config`
 *   keeps a repository's MCP servers from starting;
 * - `--permission-mode dontAsk` at read-only stages and `acceptEdits` plus `--allowedTools Bash`
 *   at C2 are the narrowest modes that let a headless run finish (as root, Claude refuses
 *   `--dangerously-skip-permissions`); `--permission-prompts none` denies anything else at once
 *   instead of waiting for a person;
 * - the prompt comes last, after `--`, so a prompt starting with a dash is never read as an option.
 */
export function buildClaudeArguments(input: {
  prompt: string;
  access: AgentStageRequest['access'];
  model?: string;
  resumeSessionId?: string;
  extraArguments: readonly string[];
}): string[] {
  const access =
    input.access === 'read-only'
      ? ['--tools', READ_ONLY_TOOLS.join(','), '--permission-mode', 'dontAsk']
      : ['--tools', EDIT_WORKTREE_TOOLS.join(','), '--permission-mode', 'acceptEdits', '--allowedTools', 'Bash'];
  return [
    '-p',
    '--output-format',
    'stream-json',
    '--verbose',
    '--restricted',
    '--strict-mcp-config',
    '--permission-prompts',
    'none',
    ...access,
    ...(input.model === undefined ? [] : ['--model', input.model]),
    ...(input.resumeSessionId === undefined ? [] : ['--resume', input.resumeSessionId]),
    ...input.extraArguments,
    '--',
    input.prompt,
  ];
}
