/** What the baseline script does per ticket, in the same terms as Nightshift's settings. */
export interface BaselineScriptRequest {
  ticketIds: readonly string[];
  baseBranch: string;
  branchPrefix: string;
  author: { name: string; email: string };
  /** Remove each worktree after its commit, as Nightshift does with `remove_worktrees: true`. */
  removeWorktrees: boolean;
}

/**
 * The text of the bash script the overhead benchmark compares Nightshift with: per
 * ticket the same git commands Nightshift runs — resolve the start point, add a worktree
 * on a new branch, look at the worktree after C0 and after C1 (`git status`, the
 * read-only check), write one file, stage, commit with the configured author, read the
 * new head, write a small JSON record of the merge request, remove the worktree — and
 * nothing else. So the ratio is Nightshift's own overhead: Node, the store, the
 * orchestration. Run as `bash script <repository> <worktrees> <records>`.
 */
export function baselineScriptText(request: BaselineScriptRequest): string {
  for (const id of request.ticketIds) {
    if (!/^[A-Za-z0-9._-]+$/.test(id)) throw new Error(`baseline script: ticket id ${JSON.stringify(id)} must be letters, digits, ".", "_" or "-"`);
  }
  const quote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;
  return `#!/usr/bin/env bash
set -euo pipefail
export GIT_TERMINAL_PROMPT=0 LC_ALL=C
repository=$1
worktrees=$2
records=$3
cd "$repository"
mkdir -p "$worktrees" "$records"
for id in ${request.ticketIds.join(' ')}; do
  directory="$worktrees/$id"
  start=$(git rev-parse --verify --quiet ${quote(request.baseBranch)}'^{commit}')
  git worktree add --quiet -b ${quote(request.branchPrefix)}"$id" "$directory" "$start"
  git -C "$directory" status --porcelain=v1 -z --untracked-files=all --no-renames > /dev/null
  git -C "$directory" status --porcelain=v1 -z --untracked-files=all --no-renames > /dev/null
  printf 'Written by the baseline for %s.\\n' "$id" > "$directory/instant-agent-$id.txt"
  git -C "$directory" add -A
  git -C "$directory" -c user.name=${quote(request.author.name)} -c user.email=${quote(request.author.email)} -c commit.gpgsign=false \\
    commit --quiet --no-verify -m "feat($id): Ticket $id" -m "Add instant-agent-$id.txt"
  git -C "$directory" rev-parse --verify 'HEAD^{commit}' > /dev/null
  printf '{"id":"local-%s","kind":"local","draft":true,"sourceBranch":"%s%s","targetBranch":"%s","title":"Draft: %s"}\\n' \\
    "$id" ${quote(request.branchPrefix)} "$id" ${quote(request.baseBranch)} "$id" > "$records/$id.json"
${request.removeWorktrees ? '  git worktree remove --force "$directory"\n' : ''}done
`;
}
