/**
 * The source of a pi extension, loaded with `--extension`, that blocks pi's file tools
 * (`read`, `write`, `edit`, `grep`, `find`, `ls`) from touching anything outside the worktree,
 * and `write`/`edit` from changing its `.git` (pi itself confines nothing). Paths are resolved against the worktree
 * and through symbolic links (the deepest existing ancestor's real path), and containment is
 * checked at a directory boundary, so `/ws-evil` is not inside `/ws`. The shell (`bash`, C2
 * only) cannot be confined this way; the check of what changed after the stage covers it.
 */
export function buildPiGuardExtension(worktreePath: string): string {
  return `// Written by Nightshift for one run of pi: keeps the file tools inside the worktree.
import { existsSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';

const WORKTREE = realpathSync(${JSON.stringify(worktreePath)});
const FILE_TOOLS = new Set(['read', 'write', 'edit', 'grep', 'find', 'ls']);

function realPathOf(path) {
  let existing = path;
  const missing = [];
  while (!existsSync(existing) && dirname(existing) !== existing) {
    missing.unshift(existing.slice(dirname(existing).length + 1));
    existing = dirname(existing);
  }
  return resolve(realpathSync(existing), ...missing);
}

function problemWith(toolName, path) {
  const expanded = path.startsWith('@') ? path.slice(1) : path;
  const real = realPathOf(isAbsolute(expanded) ? expanded : resolve(WORKTREE, expanded));
  const inside = relative(WORKTREE, real);
  if (inside.startsWith('..') || isAbsolute(inside)) return 'is outside the worktree ' + WORKTREE;
  const changes = toolName === 'write' || toolName === 'edit';
  if (changes && (inside === '.git' || inside.startsWith('.git' + sep))) return 'is inside .git';
  return undefined;
}

export default function (pi) {
  pi.on('tool_call', async (event) => {
    if (!FILE_TOOLS.has(event.toolName)) return undefined;
    const path = typeof event.input?.path === 'string' ? event.input.path : '.';
    const problem = problemWith(event.toolName, path);
    return problem === undefined ? undefined : { block: true, reason: 'Nightshift: ' + path + ' ' + problem };
  });
}
`;
}
