import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { ScenarioAction } from './scenario.js';
import { buildReplacePatch, buildWritePatch } from './apply-patch-text.js';
import { FREEFORM_INPUT_KEY, type OfferedTool, type OfferedToolParameter } from './wire-protocol.js';

/**
 * A scenario action turned into one call of the agent's own tool. The input is built
 * when the call is played, not when the script is expanded, because an edit played
 * through a write tool needs the file as it is on disk at that moment.
 */
export interface ToolCallStep {
  kind: 'tool-call';
  tool: string;
  /** For the request log, e.g. `edit src/a.js`. */
  description: string;
  buildInput(): { ok: true; input: Record<string, unknown> } | { ok: false; problem: string };
}

/** The agent did not offer a tool the action needs (e.g. no write tool at a read-only stage). */
export interface MissingToolStep {
  kind: 'missing-tool';
  description: string;
  message: string;
}

export type ToolStep = ToolCallStep | MissingToolStep;

type ToolAction = Extract<ScenarioAction, { kind: 'read' | 'write' | 'edit' | 'run' }>;
type Purpose = ToolAction['kind'];
type ParameterRole = 'path' | 'content' | 'old' | 'new' | 'command';

const PARAMETER_NAMES: Record<ParameterRole, string[]> = {
  path: ['file_path', 'filePath', 'path', 'absolute_path', 'absolutePath', 'target_file', 'file', 'filename'],
  content: ['content', 'contents', 'file_text', 'new_content', 'text'],
  old: ['old_string', 'oldString', 'old_str', 'old_text', 'oldText', 'old'],
  new: ['new_string', 'newString', 'new_str', 'new_text', 'newText', 'new'],
  command: ['command', 'cmd', 'commandLine', 'script'],
};

const PURPOSES: Record<Purpose, { names: string[]; roles: ParameterRole[]; nameHint: RegExp }> = {
  read: { names: ['Read', 'read_file', 'read', 'view', 'ReadFile', 'view_file'], roles: ['path'], nameHint: /read|view|cat/i },
  write: { names: ['Write', 'write_file', 'write', 'create_file', 'WriteFile'], roles: ['path', 'content'], nameHint: /write|create/i },
  edit: { names: ['Edit', 'edit', 'replace', 'edit_file', 'str_replace', 'Replace'], roles: ['path', 'old', 'new'], nameHint: /edit|replace/i },
  run: {
    names: ['Bash', 'bash', 'shell', 'run_shell_command', 'exec_command', 'shell_command', 'run_command', 'execute_command', 'terminal'],
    roles: ['command'],
    nameHint: /bash|shell|exec|command|terminal/i,
  },
};

interface ToolMatch {
  tool: OfferedTool;
  parameters: Partial<Record<ParameterRole, OfferedToolParameter>>;
}

/**
 * Finds the offered tool that serves a purpose: first by the names agents are known to
 * use (Claude `Write`, Gemini `write_file`, OpenCode `write`, Codex `exec_command` …),
 * then by parameter names; either way the tool must have every parameter the purpose needs.
 */
export function findTool(purpose: Purpose, tools: readonly OfferedTool[]): ToolMatch | undefined {
  const { names, roles, nameHint } = PURPOSES[purpose];
  const withRoles = tools.flatMap((tool) => {
    const parameters = matchParameters(tool, roles);
    return parameters === undefined ? [] : [{ tool, parameters }];
  });
  for (const name of names) {
    const match = withRoles.find((candidate) => candidate.tool.name === name) ?? withRoles.find((candidate) => candidate.tool.name.toLowerCase() === name.toLowerCase());
    if (match) return match;
  }
  return withRoles.find((candidate) => nameHint.test(candidate.tool.name) && !IMAGE_TOOL.test(candidate.tool.name));
}

/** Image viewers (Codex's `view_image {path}`) take a path but cannot read a text file. */
const IMAGE_TOOL = /image/i;

/**
 * Finds a tool that applies patches in Codex's `*** Begin Patch` format: Codex's freeform
 * `apply_patch` (or any freeform tool whose grammar is that format), or the older
 * `apply_patch` function taking the patch as one string parameter `input`.
 */
export function findPatchTool(tools: readonly OfferedTool[]): { tool: OfferedTool; inputKey: string } | undefined {
  for (const tool of tools) {
    if (tool.freeform !== undefined && (tool.name === 'apply_patch' || tool.freeform.grammar?.includes('*** Begin Patch') === true)) return { tool, inputKey: FREEFORM_INPUT_KEY };
    const input = tool.parameters.find((parameter) => parameter.name === 'input');
    if (tool.freeform === undefined && tool.name === 'apply_patch' && input !== undefined && input.type !== 'array') return { tool, inputKey: input.name };
  }
  return undefined;
}

function matchParameters(tool: OfferedTool, roles: ParameterRole[]): ToolMatch['parameters'] | undefined {
  const parameters: ToolMatch['parameters'] = {};
  for (const role of roles) {
    const parameter =
      PARAMETER_NAMES[role].map((name) => tool.parameters.find((candidate) => candidate.name === name)).find(Boolean) ??
      PARAMETER_NAMES[role].map((name) => tool.parameters.find((candidate) => candidate.name.toLowerCase() === name.toLowerCase())).find(Boolean);
    if (parameter === undefined) return undefined;
    parameters[role] = parameter;
  }
  return parameters;
}

/**
 * Expands one file or command action into the agent's tool calls. Edits and writes are
 * preceded by a read, because Claude Code refuses to change a file not read in the session
 * (harmless for other agents). An edit without an edit tool becomes read + whole-file write;
 * without write and edit tools, both become a patch when the agent offers `apply_patch`
 * (Codex). A read without a read tool becomes `cat` in the shell.
 */
export function expandToolAction(action: ToolAction, tools: readonly OfferedTool[], worktreePath: string): ToolStep[] {
  const description = describeAction(action);
  const missing = (purpose: string): MissingToolStep => ({
    kind: 'missing-tool',
    description,
    message: `The scripted model wanted to ${description}, but the agent offered no ${purpose} tool (tools offered: ${tools.map((tool) => tool.name).join(', ') || 'none'}).`,
  });
  if (action.kind === 'run') {
    const shell = findTool('run', tools);
    return [shell ? commandCall(shell, action.command, description) : missing('shell')];
  }
  const reader = findTool('read', tools);
  const readFirst = reader ? [pathCall(reader, action.path, worktreePath, `read ${action.path}`, {})] : [];
  if (action.kind === 'read') {
    if (reader) return readFirst;
    const shell = findTool('run', tools);
    return [shell ? commandCall(shell, `cat -- ${quoteForShell(action.path)}`, description) : missing('read')];
  }
  const writer = findTool('write', tools);
  const patcher = findPatchTool(tools);
  if (action.kind === 'write') {
    if (writer) return [...readFirst, pathCall(writer, action.path, worktreePath, description, { content: action.content })];
    return patcher ? [...readFirst, patchCall(patcher, action, worktreePath, description)] : [missing('write')];
  }
  const editor = findTool('edit', tools);
  if (editor) return [...readFirst, pathCall(editor, action.path, worktreePath, description, { old: action.oldText, new: action.newText })];
  if (writer) return [...readFirst, editThroughWrite(writer, action, worktreePath, description)];
  if (patcher) return [...readFirst, patchCall(patcher, action, worktreePath, description)];
  return [missing('edit')];
}

/** A write or edit as a patch, built from the file on disk when the call is played. */
function patchCall(
  patcher: NonNullable<ReturnType<typeof findPatchTool>>,
  action: Extract<ToolAction, { kind: 'write' | 'edit' }>,
  worktreePath: string,
  description: string,
): ToolCallStep {
  return {
    kind: 'tool-call',
    tool: patcher.tool.name,
    description,
    buildInput: () => {
      const absolutePath = isAbsolute(action.path) ? action.path : join(worktreePath, action.path);
      if (action.kind === 'write') return { ok: true, input: { [patcher.inputKey]: buildWritePatch(action.path, action.content) } };
      if (!existsSync(absolutePath)) return { ok: false, problem: `cannot ${description}: the file does not exist` };
      const current = readFileSync(absolutePath, 'utf8');
      const patch = buildReplacePatch(action.path, current, action.oldText, action.newText);
      if (patch === undefined) return { ok: false, problem: `cannot ${description}: the text to replace is not in the file` };
      return { ok: true, input: { [patcher.inputKey]: patch } };
    },
  };
}

function quoteForShell(text: string): string {
  return /^[\w./@%+=:,-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}

function describeAction(action: ToolAction): string {
  return action.kind === 'run' ? `run ${JSON.stringify(action.command)}` : `${action.kind} ${action.path}`;
}

function agentPath(parameter: OfferedToolParameter, path: string, worktreePath: string): string {
  return /absolute/i.test(parameter.description) && !isAbsolute(path) ? join(worktreePath, path) : path;
}

function pathCall(
  match: ToolMatch,
  path: string,
  worktreePath: string,
  description: string,
  values: Partial<Record<Exclude<ParameterRole, 'path' | 'command'>, string>>,
): ToolCallStep {
  const input: Record<string, unknown> = {};
  const pathParameter = match.parameters.path as OfferedToolParameter;
  input[pathParameter.name] = agentPath(pathParameter, path, worktreePath);
  for (const [role, value] of Object.entries(values) as [ParameterRole, string][]) {
    const parameter = match.parameters[role];
    if (parameter) input[parameter.name] = value;
  }
  return { kind: 'tool-call', tool: match.tool.name, description, buildInput: () => ({ ok: true, input }) };
}

function commandCall(match: ToolMatch, command: string, description: string): ToolCallStep {
  const parameter = match.parameters.command as OfferedToolParameter;
  const value = parameter.type === 'array' ? ['bash', '-lc', command] : command;
  return { kind: 'tool-call', tool: match.tool.name, description, buildInput: () => ({ ok: true, input: { [parameter.name]: value } }) };
}

function editThroughWrite(writer: ToolMatch, action: Extract<ToolAction, { kind: 'edit' }>, worktreePath: string, description: string): ToolCallStep {
  const pathParameter = writer.parameters.path as OfferedToolParameter;
  const contentParameter = writer.parameters.content as OfferedToolParameter;
  return {
    kind: 'tool-call',
    tool: writer.tool.name,
    description,
    buildInput: () => {
      const absolutePath = isAbsolute(action.path) ? action.path : join(worktreePath, action.path);
      let current: string;
      try {
        current = readFileSync(absolutePath, 'utf8');
      } catch (error) {
        return { ok: false, problem: `cannot ${description}: ${(error as Error).message}` };
      }
      if (!current.includes(action.oldText)) return { ok: false, problem: `cannot ${description}: the text to replace is not in the file` };
      return {
        ok: true,
        input: { [pathParameter.name]: agentPath(pathParameter, action.path, worktreePath), [contentParameter.name]: current.replace(action.oldText, action.newText) },
      };
    },
  };
}
