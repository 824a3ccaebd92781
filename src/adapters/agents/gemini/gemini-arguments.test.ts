import { describe, expect, it } from 'vitest';
import { buildGeminiArguments, buildGeminiPolicy, buildGeminiSettings } from './gemini-arguments.js';

describe('buildGeminiArguments', () => {
  it('always names the model, runs in default approval mode under the policy, and keeps the prompt one argument', () => {
    expect(buildGeminiArguments({ prompt: '-x --yolo\nplease', model: 'gemini-2.5-flash', policyPath: '/p/policy.toml', resumeSessionId: 'abc', extraArguments: ['--debug'] })).toEqual([
      '--output-format',
      'stream-json',
      '--model',
      'gemini-2.5-flash',
      '--approval-mode',
      'default',
      '--policy',
      '/p/policy.toml',
      '--resume',
      'abc',
      '--debug',
      '--prompt=-x --yolo\nplease',
    ]);
  });
});

describe('buildGeminiPolicy', () => {
  it('denies every tool, then allows only reading at read-only stages', () => {
    const policy = buildGeminiPolicy('read-only');
    expect(policy).toContain('toolName = "*"\ndecision = "deny"\npriority = 900');
    expect(policy).toContain('toolName = ["read_file", "list_directory", "glob", "grep_search"]\ndecision = "allow"\npriority = 950');
    expect(policy).not.toMatch(/write_file|replace|run_shell_command/);
  });

  it('adds the file tools and the shell, with redirections, at C2', () => {
    const policy = buildGeminiPolicy('edit-worktree');
    expect(policy).toContain('toolName = ["read_file", "list_directory", "glob", "grep_search", "write_file", "replace"]\ndecision = "allow"');
    expect(policy).toContain('toolName = ["run_shell_command"]\ndecision = "allow"\npriority = 950\nallowRedirection = true');
    expect(policy).not.toMatch(/web_fetch|google_web_search|invoke_agent/);
  });
});

describe('buildGeminiSettings', () => {
  it('selects API-key authentication, turns telemetry off and bounds the attempts to what the CLI accepts', () => {
    expect(buildGeminiSettings({ maxAttempts: 1 })).toMatchObject({
      security: { auth: { selectedType: 'gemini-api-key' }, folderTrust: { enabled: false } },
      general: { maxAttempts: 1 },
      telemetry: { enabled: false },
      privacy: { usageStatisticsEnabled: false },
    });
    expect(buildGeminiSettings({ maxAttempts: 25 })).toMatchObject({ general: { maxAttempts: 10 } });
    expect(buildGeminiSettings({ maxAttempts: 0 })).toMatchObject({ general: { maxAttempts: 1 } });
  });
});
