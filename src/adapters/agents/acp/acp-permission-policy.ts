import { isAbsolute, join, resolve } from 'node:path';
import { isInsideDirectory } from '../../../domain/path-containment.js';
import type { AgentStageRequest } from '../../../ports/agent.js';

/** Whether the stage lets the agent do what it asked, and if not, why (the reason is logged). */
export type PermissionDecision = { allowed: true } | { allowed: false; reason: string };

/** What the stage allows: reading inside the worktree always, editing and running commands there at C2 only. */
export interface StagePolicy {
  access: AgentStageRequest['access'];
  /** The worktree's real path (symbolic links resolved). */
  worktreeRealPath: string;
}

/** The parts of an ACP `ToolCallUpdate` the policy looks at; agents fill them unevenly, so all are optional. */
export interface PermissionAskToolCall {
  kind?: string | null;
  title?: string | null;
  locations?: readonly { path?: unknown }[] | null;
  content?: readonly unknown[] | null;
  rawInput?: unknown;
}

/** The ACP permission option kinds, in the order we pick them: once before always, so no rule outlives the ask. */
const ALLOW_KINDS = ['allow_once', 'allow_always'];
const REJECT_KINDS = ['reject_once', 'reject_always'];

/** Field names of a tool's raw input that name a file or directory it touches, across Claude, Codex, Gemini and OpenCode. */
const PATH_FIELDS = ['file_path', 'filePath', 'path', 'notebook_path', 'absolute_path', 'dir_path', 'directory', 'cwd', 'workdir', 'move_path', 'new_path', 'destination'];

/**
 * Every path a tool call says it touches — its locations, the files of its diffs, path fields of
 * its raw input and the keys of a Codex `changes` map — made absolute against the worktree
 * (lexically; the caller resolves symbolic links before deciding).
 */
export function collectToolCallPaths(toolCall: PermissionAskToolCall, worktreePath: string): string[] {
  const found: string[] = [];
  const add = (value: unknown): void => {
    if (typeof value === 'string' && value.trim() !== '') found.push(isAbsolute(value) ? resolve(value) : resolve(worktreePath, value));
  };
  for (const location of toolCall.locations ?? []) add(location.path);
  for (const item of toolCall.content ?? []) {
    if (isRecord(item) && item.type === 'diff') add(item.path);
  }
  if (isRecord(toolCall.rawInput)) {
    for (const field of PATH_FIELDS) add(toolCall.rawInput[field]);
    const changes = toolCall.rawInput.changes;
    if (isRecord(changes)) for (const path of Object.keys(changes)) add(path);
  }
  return [...new Set(found)];
}

/**
 * Nightshift's answer to an ACP permission request, given the real paths the tool touches:
 * reads and searches inside the worktree at every stage; edits, deletions, moves and commands
 * only at C2 and only inside the worktree (never in its `.git`); no web access, no change of the
 * session's mode, nothing of a kind the policy does not know.
 */
export function decideToolPermission(kind: string | null | undefined, realPaths: readonly string[], policy: StagePolicy): PermissionDecision {
  const outside = realPaths.find((path) => !isInsideDirectory(path, policy.worktreeRealPath));
  switch (kind) {
    case 'read':
    case 'search':
      return outside === undefined ? { allowed: true } : { allowed: false, reason: `${outside} is outside the worktree` };
    case 'think':
      return { allowed: true };
    case 'edit':
    case 'delete':
    case 'move':
    case 'execute': {
      if (policy.access === 'read-only') return { allowed: false, reason: `the stage is read-only: no ${kind === 'execute' ? 'commands' : 'changes to files'} at C0/C1` };
      if (outside !== undefined) return { allowed: false, reason: `${outside} is outside the worktree` };
      if (kind === 'execute') return { allowed: true };
      if (realPaths.length === 0) return { allowed: false, reason: `the ${kind} names no file, so it cannot be confined to the worktree` };
      const inGit = realPaths.find((path) => isInsideDirectory(path, join(policy.worktreeRealPath, '.git')));
      return inGit === undefined ? { allowed: true } : { allowed: false, reason: `${inGit} is inside the worktree's .git directory` };
    }
    case 'fetch':
      return { allowed: false, reason: 'agents get no web access' };
    case 'switch_mode':
      return { allowed: false, reason: "the session's mode is set by Nightshift" };
    default:
      return { allowed: false, reason: `a tool of kind "${kind ?? 'unknown'}" is not allowed` };
  }
}

/** The ACP answer for a decision: the agent's own allow (or reject) option, once rather than always; `cancelled` when it offers none. */
export function choosePermissionOutcome(
  options: readonly { optionId: string; kind: string }[],
  decision: PermissionDecision,
): { outcome: 'selected'; optionId: string } | { outcome: 'cancelled' } {
  const kinds = decision.allowed ? ALLOW_KINDS : REJECT_KINDS;
  for (const kind of kinds) {
    const option = options.find((candidate) => candidate.kind === kind);
    if (option !== undefined) return { outcome: 'selected', optionId: option.optionId };
  }
  return { outcome: 'cancelled' };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
