import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandToolAction, findPatchTool, findTool, type ToolStep } from './tool-mapping.js';
import type { OfferedTool } from './wire-protocol.js';

const tool = (name: string, parameters: Record<string, string | { type: string; description?: string }>): OfferedTool => ({
  name,
  parameters: Object.entries(parameters).map(([parameterName, value]) =>
    typeof value === 'string' ? { name: parameterName, description: value, type: 'string' } : { name: parameterName, description: value.description ?? '', type: value.type },
  ),
});

const claude = [
  tool('Read', { file_path: 'The absolute path to the file to read' }),
  tool('Write', { file_path: 'The absolute path to the file to write (must be absolute, not relative)', content: '' }),
  tool('Edit', { file_path: 'The absolute path to the file to modify', old_string: '', new_string: '' }),
  tool('Bash', { command: 'The command to execute' }),
];
const gemini = [
  tool('read_file', { absolute_path: 'The absolute path to the file to read' }),
  tool('write_file', { file_path: 'The absolute path to the file to write to', content: '' }),
  tool('replace', { file_path: 'The absolute path to the file to modify', old_string: '', new_string: '' }),
  tool('run_shell_command', { command: 'Exact bash command to execute' }),
];
const opencode = [
  tool('read', { filePath: 'The absolute path to the file to read' }),
  tool('write', { filePath: 'The absolute path to the file to write (must be absolute, not relative)', content: '' }),
  tool('edit', { filePath: 'The absolute path to the file to modify', oldString: '', newString: '' }),
  tool('bash', { command: 'The command to execute', description: '' }),
];
const pi = [tool('read', { path: 'Path to the file (relative or absolute)' }), tool('write', { path: 'Path to the file to write', content: '' }), tool('bash', { command: '' })];
const codex = [tool('shell', { command: { type: 'array', description: 'The command to execute' }, workdir: '' })];

function played(steps: ToolStep[]): unknown[] {
  return steps.map((step) => (step.kind === 'missing-tool' ? { missing: step.message } : { tool: step.tool, input: (step.buildInput() as { input: unknown }).input }));
}

describe('expandToolAction', () => {
  const worktree = '/w';

  it('maps onto Claude Code tools, with absolute paths and a read before each change', () => {
    expect(played(expandToolAction({ kind: 'write', path: 'src/a.js', content: 'x' }, claude, worktree))).toEqual([
      { tool: 'Read', input: { file_path: '/w/src/a.js' } },
      { tool: 'Write', input: { file_path: '/w/src/a.js', content: 'x' } },
    ]);
    expect(played(expandToolAction({ kind: 'edit', path: 'src/a.js', oldText: 'x', newText: 'y' }, claude, worktree))).toEqual([
      { tool: 'Read', input: { file_path: '/w/src/a.js' } },
      { tool: 'Edit', input: { file_path: '/w/src/a.js', old_string: 'x', new_string: 'y' } },
    ]);
    expect(played(expandToolAction({ kind: 'run', command: 'npm test' }, claude, worktree))).toEqual([{ tool: 'Bash', input: { command: 'npm test' } }]);
  });

  it('maps onto Gemini, OpenCode and pi tools by name and parameter names', () => {
    expect(played(expandToolAction({ kind: 'edit', path: 'a.js', oldText: 'x', newText: 'y' }, gemini, worktree))).toEqual([
      { tool: 'read_file', input: { absolute_path: '/w/a.js' } },
      { tool: 'replace', input: { file_path: '/w/a.js', old_string: 'x', new_string: 'y' } },
    ]);
    expect(played(expandToolAction({ kind: 'run', command: 'ls' }, gemini, worktree))).toEqual([{ tool: 'run_shell_command', input: { command: 'ls' } }]);
    expect(played(expandToolAction({ kind: 'edit', path: 'a.js', oldText: 'x', newText: 'y' }, opencode, worktree))).toEqual([
      { tool: 'read', input: { filePath: '/w/a.js' } },
      { tool: 'edit', input: { filePath: '/w/a.js', oldString: 'x', newString: 'y' } },
    ]);
    expect(played(expandToolAction({ kind: 'write', path: 'a.js', content: 'c' }, pi, worktree))).toEqual([
      { tool: 'read', input: { path: '/w/a.js' } },
      { tool: 'write', input: { path: 'a.js', content: 'c' } },
    ]);
  });

  it('passes a command as an argument vector when the schema asks for an array', () => {
    expect(played(expandToolAction({ kind: 'run', command: 'npm test' }, codex, worktree))).toEqual([{ tool: 'shell', input: { command: ['bash', '-lc', 'npm test'] } }]);
  });

  it('says which tool is missing', () => {
    const steps = expandToolAction({ kind: 'write', path: 'a.js', content: 'x' }, claude.slice(0, 1), worktree);
    expect(steps).toEqual([
      { kind: 'missing-tool', description: 'write a.js', message: 'The scripted model wanted to write a.js, but the agent offered no write tool (tools offered: Read).' },
    ]);
    expect(expandToolAction({ kind: 'run', command: 'ls' }, [], worktree)[0]).toMatchObject({ kind: 'missing-tool', message: expect.stringContaining('no shell tool (tools offered: none)') });
  });

  describe('an edit without an edit tool', () => {
    let directory: string;
    beforeAll(async () => {
      directory = await mkdtemp(join(tmpdir(), 'nightshift-tool-mapping-'));
      await writeFile(join(directory, 'a.js'), 'const x = 1;\n');
    });
    afterAll(async () => {
      await rm(directory, { recursive: true, force: true });
    });

    it('becomes a whole-file write built from the file on disk when it is played', () => {
      const steps = expandToolAction({ kind: 'edit', path: 'a.js', oldText: '1', newText: '2' }, pi, directory);
      expect(played(steps)[1]).toEqual({ tool: 'write', input: { path: 'a.js', content: 'const x = 2;\n' } });
      const missingText = expandToolAction({ kind: 'edit', path: 'a.js', oldText: 'absent', newText: '2' }, pi, directory)[1];
      expect(missingText?.kind === 'tool-call' && missingText.buildInput()).toEqual({ ok: false, problem: 'cannot edit a.js: the text to replace is not in the file' });
    });
  });
});

describe('findTool', () => {
  it('falls back to parameter names when the tool name is unknown', () => {
    const tools = [tool('create_or_overwrite', { target_file: '', contents: '' }), tool('execute', { cmd: '' })];
    expect(findTool('write', tools)?.tool.name).toBe('create_or_overwrite');
    expect(findTool('run', tools)?.tool.name).toBe('execute');
    expect(findTool('edit', tools)).toBeUndefined();
  });

  it('does not take a tool whose parameters do not fit', () => {
    expect(findTool('write', [tool('Write', { file_path: '' })])).toBeUndefined();
  });
});

describe('expandToolAction with Codex tools (exec_command and the freeform apply_patch)', () => {
  const codexFreeform: OfferedTool[] = [
    tool('exec_command', { cmd: 'Shell command to execute.', workdir: '' }),
    tool('view_image', { path: 'Local filesystem path to an image file.' }),
    { name: 'apply_patch', parameters: [], freeform: { grammar: 'start: begin_patch hunk+ end_patch\nbegin_patch: "*** Begin Patch" LF' } },
  ];
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'nightshift-tool-mapping-codex-'));
    await writeFile(join(directory, 'a.js'), 'const x = 1;\nconst y = 2;\n');
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('writes and edits through apply_patch with a patch built from the file on disk, without a read first', () => {
    expect(played(expandToolAction({ kind: 'write', path: 'src/new.js', content: 'a\nb\n' }, codexFreeform, directory))).toEqual([
      { tool: 'apply_patch', input: { input: '*** Begin Patch\n*** Add File: src/new.js\n+a\n+b\n*** End Patch\n' } },
    ]);
    expect(played(expandToolAction({ kind: 'edit', path: 'a.js', oldText: 'y = 2', newText: 'y = 3' }, codexFreeform, directory))).toEqual([
      { tool: 'apply_patch', input: { input: '*** Begin Patch\n*** Update File: a.js\n-const y = 2;\n+const y = 3;\n*** End Patch\n' } },
    ]);
    const absent = expandToolAction({ kind: 'edit', path: 'missing.js', oldText: 'a', newText: 'b' }, codexFreeform, directory)[0];
    expect(absent?.kind === 'tool-call' && absent.buildInput()).toEqual({ ok: false, problem: 'cannot edit missing.js: the file does not exist' });
  });

  it('runs commands through exec_command, and reads through cat there since an image viewer is no reader', () => {
    expect(played(expandToolAction({ kind: 'run', command: 'npm test' }, codexFreeform, directory))).toEqual([{ tool: 'exec_command', input: { cmd: 'npm test' } }]);
    expect(played(expandToolAction({ kind: 'read', path: "it's here.js" }, codexFreeform, directory))).toEqual([{ tool: 'exec_command', input: { cmd: "cat -- 'it'\\''s here.js'" } }]);
    expect(findTool('read', codexFreeform)).toBeUndefined();
  });

  it('also uses the older apply_patch function taking the patch as its input parameter', () => {
    const older = [tool('shell', { command: { type: 'array' } }), tool('apply_patch', { input: 'The entire contents of the apply_patch command' })];
    expect(played(expandToolAction({ kind: 'write', path: 'n.txt', content: 'x\n' }, older, directory))).toEqual([
      { tool: 'apply_patch', input: { input: '*** Begin Patch\n*** Add File: n.txt\n+x\n*** End Patch\n' } },
    ]);
  });

  it('keeps write and edit tools first when an agent offers them besides apply_patch', () => {
    const both = [...claude, ...codexFreeform];
    expect(played(expandToolAction({ kind: 'write', path: 'a.js', content: 'x' }, both, '/w')).map((step) => (step as { tool: string }).tool)).toEqual(['Read', 'Write']);
    expect(findPatchTool(both)?.tool.name).toBe('apply_patch');
    expect(findPatchTool(claude)).toBeUndefined();
  });
});
