import type { CommitAuthor } from '../../../ports/workspace.js';
import { git, runGit } from './git-command.js';

/**
 * `git notes add -f` under a named ref, with our own identity (a notes ref is a chain
 * of commits, and CI machines have no global git identity): the note replaces any note
 * the commit already had under that ref, so re-running the gates leaves one note.
 */
export async function addGitNote(repositoryRoot: string, request: { commit: string; ref: string; text: string; author: CommitAuthor }): Promise<void> {
  const { commit, ref, text, author } = request;
  const validRef = ref.startsWith('refs/notes/') && !ref.startsWith('-') && (await runGit(['check-ref-format', ref], { cwd: repositoryRoot })).exitCode === 0;
  if (!validRef) throw new Error(`workspace: notes ref ${JSON.stringify(ref)} must be a valid ref under refs/notes/, like refs/notes/nightshift`);
  if (!/^[0-9a-f]{7,64}$/i.test(commit)) throw new Error(`workspace: ${JSON.stringify(commit)} is not a commit id`);
  const resolved = await runGit(['rev-parse', '--verify', '--quiet', `${commit}^{commit}`], { cwd: repositoryRoot });
  if (resolved.exitCode !== 0) throw new Error(`workspace: commit ${commit} is not in ${repositoryRoot}`);
  const identity = { GIT_AUTHOR_NAME: author.name, GIT_AUTHOR_EMAIL: author.email, GIT_COMMITTER_NAME: author.name, GIT_COMMITTER_EMAIL: author.email };
  await git(
    ['-c', `user.name=${author.name}`, '-c', `user.email=${author.email}`, '-c', 'commit.gpgsign=false', 'notes', `--ref=${ref}`, 'add', '--force', '--file=-', resolved.stdout.trim()],
    { cwd: repositoryRoot, input: text, environment: identity },
  );
}
