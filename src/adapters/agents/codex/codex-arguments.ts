/**
 * The command line for one headless stage (checked against `codex exec --help` of the pinned
 * 0.169.0); everything else (model, provider, sandbox, approvals) is in the private config.toml:
 * - `--json` prints the events as JSON lines; `--strict-config` refuses a config key this
 *   version does not know, so a setting of ours can never be silently ignored;
 * - `--skip-git-repo-check`, and plugins, remote plugins and apps disabled: nothing to install
 *   or fetch, nothing that asks;
 * - `--ignore-rules` keeps a repository's execpolicy `.rules` from allowing commands;
 * - a resumed stage is `codex exec resume <session id>`, which takes the same options;
 * - the prompt comes last, after `--`, so a prompt starting with a dash is never read as an option.
 */
export function buildCodexArguments(input: { prompt: string; resumeSessionId?: string; extraArguments: readonly string[] }): string[] {
  return [
    'exec',
    ...(input.resumeSessionId === undefined ? [] : ['resume']),
    '--json',
    '--strict-config',
    '--skip-git-repo-check',
    '--ignore-rules',
    '--disable',
    'plugins',
    '--disable',
    'remote_plugin',
    '--disable',
    'apps',
    ...input.extraArguments,
    '--',
    ...(input.resumeSessionId === undefined ? [] : [input.resumeSessionId]),
    input.prompt,
  ];
}
