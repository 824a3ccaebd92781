import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBubblewrapArguments, resolveAgentSandbox, sandboxAgentCommand, type AgentSandbox } from './agent-sandbox.js';
import { runAgentProcess } from './run-agent-process.js';

/** The `--x a b` triples of a bwrap command line, in order, for asserting on mounts. */
function mountsOf(argumentsList: string[]): string[] {
  const mounts: string[] = [];
  for (let index = 0; index < argumentsList.length; index += 1) {
    const argument = argumentsList[index] as string;
    if (argument === '--') break;
    if (argument === '--bind' || argument === '--ro-bind') mounts.push(`${argument} ${argumentsList[index + 1] ?? ''}`);
    if (argument === '--tmpfs') mounts.push(`--tmpfs ${argumentsList[index + 1] ?? ''}`);
  }
  return mounts;
}

describe('buildBubblewrapArguments', () => {
  const layout = {
    userId: 0,
    groupId: 0,
    hiddenDirectories: ['/home/night shift'],
    temporaryDirectories: ['/tmp'],
    writablePaths: ['/home/night shift/repo/.nightshift/agent-homes/b 1/T-1', '/home/night shift/repo/.nightshift/worktrees/T 1'],
    readOnlyPaths: ['/home/night shift/repo/.git', '/home/night shift/repo/node_modules'],
    workingDirectory: '/home/night shift/repo/.nightshift/worktrees/T 1',
    executable: '/home/night shift/repo/node_modules/.bin/claude',
    arguments: ['-p', 'a prompt with spaces; and $(no) expansion'],
  };

  it('hides HOME and /tmp first, then binds what stays visible (parents before children), paths with spaces kept as single arguments', () => {
    const argumentsList = buildBubblewrapArguments(layout);
    expect(argumentsList.slice(0, 13)).toEqual(['--unshare-user', '--uid', '0', '--gid', '0', '--cap-drop', 'ALL', '--ro-bind', '/', '/', '--dev', '/dev', '--proc']);
    expect(mountsOf(argumentsList)).toEqual([
      '--ro-bind /',
      '--tmpfs /tmp',
      '--tmpfs /home/night shift',
      '--ro-bind /home/night shift/repo/.git',
      '--ro-bind /home/night shift/repo/node_modules',
      '--bind /home/night shift/repo/.nightshift/worktrees/T 1',
      '--bind /home/night shift/repo/.nightshift/agent-homes/b 1/T-1',
    ]);
    expect(argumentsList.slice(argumentsList.lastIndexOf('--remount-ro'), argumentsList.lastIndexOf('--remount-ro') + 2)).toEqual(['--remount-ro', '/home/night shift']);
    expect(argumentsList.indexOf('--remount-ro')).toBeGreaterThan(argumentsList.lastIndexOf('--bind'));
    expect(argumentsList.slice(-5)).toEqual(['--chdir', '/home/night shift/repo/.nightshift/worktrees/T 1', '--', '/home/night shift/repo/node_modules/.bin/claude', '-p', 'a prompt with spaces; and $(no) expansion'].slice(-5));
    expect(argumentsList).not.toContain('--new-session');
    expect(argumentsList).not.toContain('--unshare-pid');
  });

  it('never hides / itself, and a path both writable and read-only is writable', () => {
    const argumentsList = buildBubblewrapArguments({ ...layout, hiddenDirectories: ['/'], temporaryDirectories: ['/'], writablePaths: ['/w'], readOnlyPaths: ['/w'] });
    expect(mountsOf(argumentsList)).toEqual(['--ro-bind /', '--bind /w']);
  });
});

describe('sandboxAgentCommand', () => {
  let root: string;
  let sandbox: Extract<AgentSandbox, { kind: 'bubblewrap' }>;
  beforeAll(() => {
    root = realpathSync(mkdtempSync(join(tmpdir(), 'nightshift sandbox ')));
    mkdirSync(join(root, 'home', 'private dir'), { recursive: true });
    mkdirSync(join(root, 'repository'));
    execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: join(root, 'repository') });
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '--allow-empty', '-m', 'i'], { cwd: join(root, 'repository') });
    execFileSync('git', ['worktree', 'add', '-q', '-b', 'agent/T-1', join(root, 'repository', '.nightshift', 'worktrees', 'T 1')], { cwd: join(root, 'repository') });
    sandbox = { kind: 'bubblewrap', bubblewrapPath: '/usr/bin/bwrap', hiddenDirectories: [join(root, 'home')], temporaryDirectories: ['/tmp'] };
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const command = (worktree: string) => ({ executable: 'sh', arguments: ['-c', 'true'], workingDirectory: worktree, pathVariable: process.env.PATH });

  it('binds the worktree read-write at C2, the repository git directory read-only, and the private directory under the hidden HOME read-write', () => {
    const worktree = join(root, 'repository', '.nightshift', 'worktrees', 'T 1');
    const privateDirectory = join(root, 'home', 'private dir');
    const sandboxed = sandboxAgentCommand({ sandbox, worktreePath: worktree, privateDirectory, access: 'edit-worktree' }, command(worktree));
    expect(sandboxed.executable).toBe('/usr/bin/bwrap');
    const mounts = mountsOf(sandboxed.arguments);
    expect(mounts).toContain(`--bind ${worktree}`);
    expect(mounts).toContain(`--ro-bind ${join(root, 'repository', '.git')}`);
    expect(mounts).toContain(`--bind ${privateDirectory}`);
    expect(mounts.indexOf(`--tmpfs ${join(root, 'home')}`)).toBeLessThan(mounts.indexOf(`--bind ${privateDirectory}`));
  });

  it('never shows a hidden HOME again through a PATH entry or a program installed right in it', () => {
    const worktree = join(root, 'repository', '.nightshift', 'worktrees', 'T 1');
    mkdirSync(join(root, 'home', 'bin'), { recursive: true });
    writeFileSync(join(root, 'home', 'bin', 'agent'), '#!/bin/sh\n', { mode: 0o755 });
    const sandboxed = sandboxAgentCommand(
      { sandbox, worktreePath: worktree, privateDirectory: join(root, 'home', 'private dir'), access: 'edit-worktree' },
      { executable: join(root, 'home', 'bin', 'agent'), arguments: [], workingDirectory: worktree, pathVariable: `${join(root, 'home')}:${join(root, 'home', 'bin')}:/usr/bin` },
    );
    const mounts = mountsOf(sandboxed.arguments);
    expect(mounts).toContain(`--ro-bind ${join(root, 'home', 'bin')}`);
    expect(mounts).not.toContain(`--ro-bind ${join(root, 'home')}`);
    expect(mounts).not.toContain('--ro-bind /tmp');
    expect(mounts.filter((mount) => mount.startsWith('--ro-bind /usr'))).toEqual([]);
  });

  it('binds the real path of a program installed through a symbolic link (a node_modules linked from elsewhere), never the link', () => {
    const worktree = join(root, 'repository', '.nightshift', 'worktrees', 'T 1');
    mkdirSync(join(root, 'home', 'real-packages', '.bin'), { recursive: true });
    writeFileSync(join(root, 'home', 'real-packages', '.bin', 'agent'), '#!/bin/sh\n', { mode: 0o755 });
    mkdirSync(join(root, 'home', 'checkout'), { recursive: true });
    symlinkSync(join(root, 'home', 'real-packages'), join(root, 'home', 'checkout', 'node_modules'));
    const mounts = mountsOf(
      sandboxAgentCommand(
        { sandbox, worktreePath: worktree, privateDirectory: join(root, 'home', 'private dir'), access: 'edit-worktree' },
        { executable: join(root, 'home', 'checkout', 'node_modules', '.bin', 'agent'), arguments: [], workingDirectory: worktree, pathVariable: '/usr/bin' },
      ).arguments,
    );
    expect(mounts.filter((mount) => mount.includes('checkout'))).toEqual([]);
    expect(mounts.some((mount) => mount.startsWith(`--ro-bind ${join(root, 'home', 'real-packages')}`))).toBe(true);
  });

  it('binds the worktree read-only at C0/C1', () => {
    const worktree = join(root, 'repository', '.nightshift', 'worktrees', 'T 1');
    const mounts = mountsOf(sandboxAgentCommand({ sandbox, worktreePath: worktree, privateDirectory: join(root, 'home', 'private dir'), access: 'read-only' }, command(worktree)).arguments);
    expect(mounts).toContain(`--ro-bind ${worktree}`);
    expect(mounts).not.toContain(`--bind ${worktree}`);
  });
});

const bubblewrap = resolveAgentSandbox('auto', process.env);
const bubblewrapWorks = bubblewrap.ok && bubblewrap.sandbox.kind === 'bubblewrap';

describe.skipIf(!bubblewrapWorks)('an agent process inside the sandbox (real bwrap)', () => {
  let root: string;
  let home: string;
  let worktree: string;
  let privateDirectory: string;
  beforeAll(() => {
    root = realpathSync(mkdtempSync(join(tmpdir(), 'nightshift-sandboxed-')));
    home = join(root, 'orchestrator home');
    worktree = join(root, 'worktree');
    privateDirectory = join(root, 'private');
    for (const directory of [join(home, '.ssh'), worktree, privateDirectory]) mkdirSync(directory, { recursive: true });
    writeFileSync(join(home, '.ssh', 'id_rsa'), 'PLANTED-KEY\n');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  async function runShell(script: string, access: 'read-only' | 'edit-worktree'): Promise<{ exitCode: number | null; output: string; stderr: string }> {
    const resolved = resolveAgentSandbox('bubblewrap', { ...process.env, HOME: home });
    if (!resolved.ok || resolved.sandbox.kind !== 'bubblewrap') throw new Error('bwrap expected');
    let output = '';
    const outcome = await runAgentProcess({
      executable: 'sh',
      arguments: ['-c', script],
      workingDirectory: worktree,
      environment: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: privateDirectory },
      timeoutMilliseconds: 20_000,
      onStdout: (text) => (output += text),
      sandbox: { sandbox: resolved.sandbox, worktreePath: worktree, privateDirectory, access },
    });
    return { exitCode: outcome.exitCode, output, stderr: outcome.stderrTail };
  }

  it('cannot read the orchestrator HOME by its absolute path, nor anything else of the system temporary directory', async () => {
    const run = await runShell(`cat ${JSON.stringify(join(home, '.ssh', 'id_rsa'))}; ls -A ${JSON.stringify(home)}; ls ${JSON.stringify(root)}`, 'edit-worktree');
    expect(run.output).not.toContain('PLANTED-KEY');
    expect(run.output.split('\n').filter((line) => line !== '').sort()).toEqual(['orchestrator home', 'private', 'worktree']);
  });

  it('writes in the worktree and its private directory at C2; the OS refuses a write to the HOME, and one elsewhere in /tmp never lands', async () => {
    const run = await runShell(`echo in > inside.txt && echo own > ${JSON.stringify(join(privateDirectory, 'own.txt'))} && echo out > ../outside.txt && echo home > ${JSON.stringify(join(home, 'escaped.txt'))}`, 'edit-worktree');
    expect(run.exitCode).not.toBe(0);
    expect(run.stderr).toMatch(/Read-only file system/);
    expect(readFileSync(join(worktree, 'inside.txt'), 'utf8')).toBe('in\n');
    expect(existsSync(join(privateDirectory, 'own.txt'))).toBe(true);
    expect(existsSync(join(root, 'outside.txt'))).toBe(false);
    expect(existsSync(join(home, 'escaped.txt'))).toBe(false);
  });

  it('refuses a write outside the worktree where the file system is not hidden', async () => {
    const run = await runShell(`echo out > ${JSON.stringify(join(process.cwd(), 'nightshift-sandbox-escape.txt'))}`, 'edit-worktree');
    expect(run.stderr).toMatch(/Read-only file system/);
    expect(existsSync(join(process.cwd(), 'nightshift-sandbox-escape.txt'))).toBe(false);
  });

  it('refuses a write to the worktree at C0/C1', async () => {
    const run = await runShell('echo no > at-c0.txt', 'read-only');
    expect(run.exitCode).not.toBe(0);
    expect(existsSync(join(worktree, 'at-c0.txt'))).toBe(false);
  });

  it('cannot lift the sandbox by unmounting what hides the real HOME', async () => {
    const run = await runShell(`umount ${JSON.stringify(home)} 2>/dev/null; umount -l /tmp 2>/dev/null; cat ${JSON.stringify(join(home, '.ssh', 'id_rsa'))}`, 'edit-worktree');
    expect(run.output).not.toContain('PLANTED-KEY');
  });
});

describe('resolveAgentSandbox', () => {
  it('is off without looking for bwrap when agent.sandbox is off', () => {
    expect(resolveAgentSandbox('off', { PATH: '/nonexistent' })).toEqual({ ok: true, sandbox: { kind: 'off' } });
  });

  it('names nightshift.yaml, agent.sandbox and what was expected when bubblewrap is asked for but bwrap is missing', () => {
    const resolution = resolveAgentSandbox('bubblewrap', { PATH: '/nonexistent' });
    expect(resolution.ok).toBe(false);
    if (resolution.ok) return;
    expect(resolution.problem).toContain('nightshift.yaml: agent.sandbox is "bubblewrap"');
    expect(resolution.problem).toContain('bwrap (bubblewrap) is not on PATH');
    expect(resolution.problem).toContain('expected a working bwrap');
  });

  it('falls back to off with a warning for auto when bwrap is missing', () => {
    const resolution = resolveAgentSandbox('auto', { PATH: '/nonexistent' });
    expect(resolution).toMatchObject({ ok: true, sandbox: { kind: 'off' } });
    expect(resolution.ok && resolution.warning).toMatch(/agent.sandbox is "auto" and bwrap \(bubblewrap\) is not on PATH/);
  });
});
