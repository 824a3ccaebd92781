import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalFilesArtifactStore } from '../adapters/artifacts/local-files/local-files-artifact-store.js';
import { GitWorkspace } from '../adapters/workspaces/git/git-workspace.js';
import { FixedClock } from '../testing/fixed-clock.js';
import { createGitFixture, type GitFixture } from '../testing/git-fixture.js';
import { ConfinementCheck } from './confinement-check.js';
import { TicketLog } from './ticket-log.js';

describe('ConfinementCheck', () => {
  let fixture: GitFixture;
  let home: string;
  let worktree: string;
  let log: TicketLog;
  let check: ConfinementCheck;

  beforeEach(async () => {
    fixture = createGitFixture({ files: { 'src/a.js': 'export const a = 1;\n' } });
    home = realpathSync(mkdtempSync(join(tmpdir(), 'nightshift-orchestrator-home-')));
    mkdirSync(join(home, '.ssh'));
    writeFileSync(join(home, '.ssh', 'id_rsa'), 'FAKE KEY\n');
    const nightshift = join(fixture.root, '.nightshift');
    const workspace = new GitWorkspace({ repositoryRoot: fixture.root, worktreesDirectory: join(nightshift, 'worktrees') });
    worktree = (await workspace.prepareWorktree({ branch: 'agent/SEC-1', startPoint: 'main', directoryName: 'SEC-1' })).path;
    log = new TicketLog(new LocalFilesArtifactStore(nightshift), 'batch-1', 'SEC-1');
    check = new ConfinementCheck({
      workspace,
      worktreePath: worktree,
      branch: 'agent/SEC-1',
      branchPrefix: 'agent/',
      settings: { watchedPaths: [join(home, '.ssh')], unwatchedCheckoutPaths: ['tickets'] },
      log,
      clock: new FixedClock(),
    });
  });
  afterEach(() => {
    fixture.cleanup();
    rmSync(home, { recursive: true, force: true });
  });

  const readLog = async (): Promise<Record<string, unknown>[]> => {
    await log.flush();
    return readFileSync(join(fixture.root, '.nightshift', log.relativePath), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  };

  it('tells a read-only stage that left the worktree alone, and one that did not, across consecutive stages', async () => {
    expect(await check.around('C0', async () => 'scoped')).toEqual({ outcome: 'scoped', worktreeUnchanged: true });
    const planned = await check.around('C1', async () => {
      writeFileSync(join(worktree, 'notes.md'), 'scribbled at C1\n');
      return 'planned';
    });
    expect(planned).toEqual({ outcome: 'planned', worktreeUnchanged: false });
  });

  it('passes the outcome through when the stage stayed in its worktree', async () => {
    const result = await check.around('C2', async () => {
      writeFileSync(join(worktree, 'src/b.js'), 'export const b = 2;\n');
      return 'the outcome';
    });
    expect(result).toEqual({ outcome: 'the outcome', worktreeUnchanged: false });
  });

  it('replaces the outcome with a security reason when the stage wrote next to the worktree, and logs every breach', async () => {
    const result = await check.around('C2', async () => {
      writeFileSync(join(worktree, '..', 'outside.txt'), 'escaped\n');
      writeFileSync(join(home, '.ssh', 'authorized_keys'), 'attacker\n');
      return 'completed anyway';
    });
    expect(result.outcome).toBe('completed anyway');
    expect(result.breach).toMatch(/^security: during C2 the agent reached outside its worktree: added /);
    expect(result.breach).toContain(`added ${join(home, '.ssh', 'authorized_keys')}`);
    expect(result.breach).toContain(`added ${join(fixture.root, '.nightshift', 'worktrees', 'outside.txt')}`);
    const records = await readLog();
    expect(records).toEqual([expect.objectContaining({ type: 'confinement-breach', stage: 'C2', breaches: expect.arrayContaining([expect.objectContaining({ change: 'added' })]) })]);
  });

  it('flags a link that leads out even when nothing was written through it', async () => {
    const result = await check.around('C2', async () => symlinkSync(join(home, '.ssh'), join(worktree, 'keys')));
    expect(result.breach).toBe(`security: during C2 the agent reached outside its worktree: symbolic link keys points outside the worktree, to ${join(home, '.ssh')}`);
  });

  it('after C2, lets links that stay inside pass and ignored ones be, and flags one a commit would take, however deep', async () => {
    const result = await check.around('C2', async () => {
      mkdirSync(join(worktree, 'lib', 'deep'), { recursive: true });
      symlinkSync('../src/a.js', join(worktree, 'lib', 'a.js'));
      writeFileSync(join(worktree, '.gitignore'), 'cache/\n');
      mkdirSync(join(worktree, 'cache'));
      symlinkSync(join(home, '.ssh'), join(worktree, 'cache', 'ignored-keys'));
    });
    expect(result.breach).toBeUndefined();
    const deeper = await check.around('C2', async () => symlinkSync(join(home, '.ssh', 'id_rsa'), join(worktree, 'lib', 'deep', 'key')));
    expect(deeper.breach).toBe(`security: during C2 the agent reached outside its worktree: symbolic link lib/deep/key points outside the worktree, to ${join(home, '.ssh', 'id_rsa')}`);
  });

  it('flags a link that leads out made at a read-only stage, and says the worktree changed', async () => {
    const result = await check.around('C1', async () => symlinkSync(join(home, '.ssh'), join(worktree, 'src', 'keys')));
    expect(result.worktreeUnchanged).toBe(false);
    expect(result.breach).toBe(`security: during C1 the agent reached outside its worktree: symbolic link src/keys points outside the worktree, to ${join(home, '.ssh')}`);
  });

  it('flags a commit made at a read-only stage, which a check of uncommitted files would miss', async () => {
    const commitInWorktree = async (): Promise<void> => void fixture.git(['commit', '--allow-empty', '-qm', 'sneaky'], worktree);
    expect((await check.around('C0', commitInWorktree)).breach).toMatch(/^security: during C0 the agent reached outside its worktree: moved its own branch at a read-only stage/);
    expect((await check.around('C2', commitInWorktree)).breach).toBeUndefined();
  });

  it('checks even when the stage failed or was rate-limited', async () => {
    const result = await check.around('C1', async () => {
      fixture.git(['config', 'core.hooksPath', '/tmp/elsewhere'], worktree);
      return { kind: 'rate-limited' };
    });
    expect(result.breach).toContain(`modified ${join(fixture.root, '.git', 'config')}`);
  });
});
