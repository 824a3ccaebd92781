import { describe, expect, it } from 'vitest';
import { buildQwenArguments, buildQwenOutsideWorktreeRules } from './qwen-settings.js';

describe('buildQwenOutsideWorktreeRules', () => {
  it('denies reading and changing every sibling of the worktree and its ancestors (but system directories), and changing its .git', () => {
    expect(buildQwenOutsideWorktreeRules('/w/tree')).toEqual([
      'Read(//!(w|bin|dev|etc|lib|lib32|lib64|nix|opt|proc|sbin|sys|usr))',
      'Read(//!(w|bin|dev|etc|lib|lib32|lib64|nix|opt|proc|sbin|sys|usr)/**)',
      'Edit(//!(w|dev))',
      'Edit(//!(w|dev)/**)',
      'Read(//w/!(tree))',
      'Read(//w/!(tree)/**)',
      'Edit(//w/!(tree))',
      'Edit(//w/!(tree)/**)',
      'Edit(//w/tree/.git)',
      'Edit(//w/tree/.git/**)',
    ]);
  });

  it('escapes glob characters in the path', () => {
    expect(buildQwenOutsideWorktreeRules('/a(1)/b*')[4]).toBe('Read(//a\\(1\\)/!(b\\*))');
  });
});

describe('buildQwenArguments', () => {
  const base = { baseUrl: 'http://127.0.0.1:1/v1', apiKey: 'placeholder', model: 'm', extraArguments: ['--max-session-turns', '40'] };

  it('plans only at read-only stages, with the read tools', () => {
    const args = buildQwenArguments({ ...base, prompt: '-looks like an option', access: 'read-only' });
    expect(args.slice(0, 11)).toEqual(['--output-format', 'stream-json', '--auth-type', 'openai', '--openai-base-url', 'http://127.0.0.1:1/v1', '--openai-api-key', 'placeholder', '--model', 'm', ' -looks like an option']);
    expect(args.slice(11, 13)).toEqual(['--approval-mode', 'plan']);
    expect(args.filter((_, index) => args[index - 1] === '--core-tools')).toEqual(['read_file', 'grep_search', 'glob', 'list_directory']);
    expect(args.filter((_, index) => args[index - 1] === '--exclude-tools')).toEqual(expect.arrayContaining(['agent', 'web_fetch', 'tool_search']));
    expect(args.slice(-2)).toEqual(['--max-session-turns', '40']);
  });

  it('approves edits and the shell at C2, and resumes a session', () => {
    const args = buildQwenArguments({ ...base, prompt: 'go', access: 'edit-worktree', resumeSessionId: 's-1' });
    expect(args).toContain('--yolo');
    expect(args).not.toContain('plan');
    expect(args.filter((_, index) => args[index - 1] === '--core-tools')).toEqual(['read_file', 'grep_search', 'glob', 'list_directory', 'write_file', 'edit', 'run_shell_command']);
    expect(args.slice(-4)).toEqual(['--resume', 's-1', '--max-session-turns', '40']);
  });
});
