import { describe, expect, it } from 'vitest';
import { buildCodexArguments } from './codex-arguments.js';
import { buildCodexConfig, toResponsesBaseUrl, tomlString } from './codex-config.js';

describe('buildCodexConfig', () => {
  it('names the provider, no approvals, and the read-only sandbox at C0/C1', () => {
    const text = buildCodexConfig({ access: 'read-only', model: 'gpt-5.5', baseUrl: 'http://127.0.0.1:4000', maxRetries: 0, temporaryDirectory: '/p/tmp' });
    expect(text).toContain('model = "gpt-5.5"\nmodel_provider = "nightshift"\napproval_policy = "never"\nsandbox_mode = "read-only"\n');
    expect(text).toContain('[model_providers.nightshift]\nname = "Nightshift"\nbase_url = "http://127.0.0.1:4000/v1"\nwire_api = "responses"\nenv_key = "NIGHTSHIFT_CODEX_API_KEY"\nrequest_max_retries = 0\nstream_max_retries = 0\n');
    expect(text).toContain('[shell_environment_policy]\ninherit = "all"\nexclude = ["NIGHTSHIFT_CODEX_API_KEY"]\n');
  });

  it('confines workspace-write at C2 to the worktree and the private temporary directory, without network', () => {
    const text = buildCodexConfig({ access: 'edit-worktree', maxRetries: 2, temporaryDirectory: '/p/"tmp"' });
    expect(text).not.toContain('model =');
    expect(text).toContain('sandbox_mode = "workspace-write"');
    expect(text).toContain('[sandbox_workspace_write]\nwritable_roots = ["/p/\\"tmp\\""]\nnetwork_access = false\nexclude_slash_tmp = true\nexclude_tmpdir_env_var = true\n');
    expect(text).toContain('base_url = "https://api.openai.com/v1"');
    expect(text).toContain('request_max_retries = 2');
  });

  it('turns Codex\'s own sandbox off inside Nightshift\'s bubblewrap sandbox, where a second bubblewrap cannot start', () => {
    expect(buildCodexConfig({ access: 'read-only', maxRetries: 0, temporaryDirectory: '/p/tmp', confinedByNightshift: true })).toContain('sandbox_mode = "danger-full-access"');
    expect(buildCodexConfig({ access: 'read-only', maxRetries: 0, temporaryDirectory: '/p/tmp', confinedByNightshift: false })).toContain('sandbox_mode = "read-only"');
  });

  it('appends the API version to a base URL only when it has none', () => {
    expect(toResponsesBaseUrl('http://h:1/')).toBe('http://h:1/v1');
    expect(toResponsesBaseUrl('https://proxy.example/openai/v1')).toBe('https://proxy.example/openai/v1');
    expect(tomlString('a\u007fb\n')).toBe('"a\\u007Fb\\n"');
  });
});

describe('buildCodexArguments', () => {
  it('puts the prompt after --, and the session id before it when resuming', () => {
    expect(buildCodexArguments({ prompt: '-p looks like an option', extraArguments: ['--enable', 'x'] })).toEqual([
      'exec',
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
      '--enable',
      'x',
      '--',
      '-p looks like an option',
    ]);
    expect(buildCodexArguments({ prompt: 'go on', resumeSessionId: 'thread-1', extraArguments: [] }).slice(0, 2)).toEqual(['exec', 'resume']);
    expect(buildCodexArguments({ prompt: 'go on', resumeSessionId: 'thread-1', extraArguments: [] }).slice(-3)).toEqual(['--', 'thread-1', 'go on']);
  });
});
