import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { branchNameFor, explainUnsafeBranchPrefix, worktreeDirectoryNameFor } from './branch-name.js';

function gitAcceptsBranch(name: string): boolean {
  try {
    execFileSync('git', ['check-ref-format', '--branch', name], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

describe('branchNameFor', () => {
  it('follows the seed convention agent/<ticket-id>', () => {
    expect(branchNameFor('agent/', 'PROJ-142')).toBe('agent/PROJ-142');
    expect(branchNameFor('nightshift/agent/', 'AB1-7')).toBe('nightshift/agent/AB1-7');
    expect(branchNameFor('agent-', 'PROJ-1')).toBe('agent-PROJ-1');
    expect(branchNameFor('', 'PROJ-1')).toBe('PROJ-1');
  });

  it('produces names git accepts as branches', () => {
    for (const prefix of ['agent/', 'a/b_c/', 'x.y-', '']) {
      expect(gitAcceptsBranch(branchNameFor(prefix, 'PROJ-142'))).toBe(true);
    }
  });

  it.each(['../PROJ-1', 'PROJ/1', 'PROJ 1', 'PROJ-1;rm -rf /', '$(id)-1', 'proj-1', '', 'PROJ-1\n'])(
    'throws on the unsafe id %j, naming the function and the pattern',
    (ticketId) => {
      expect(() => branchNameFor('agent/', ticketId)).toThrow(/branchNameFor: .*(not safe|characters long|PROJ-142)/);
    },
  );

  it.each(['/agent/', 'agent//', 'agent/../x/', '.agent/', 'agent.lock/', 'a b/', 'agent~1/', 'agent^/', 'ag:ent/', '-agent/', 'agent/./'])(
    'throws on the unsafe prefix %j',
    (prefix) => {
      expect(explainUnsafeBranchPrefix(prefix)).toBeDefined();
      expect(() => branchNameFor(prefix, 'PROJ-1')).toThrow(/branchNameFor: branch prefix/);
    },
  );

  it('answers quickly on long hostile prefixes (no catastrophic backtracking)', () => {
    expect(explainUnsafeBranchPrefix(`${'a'.repeat(5000)}!`)).toBeDefined();
  });
});

describe('worktreeDirectoryNameFor', () => {
  it('is the validated ticket id, one path component', () => {
    expect(worktreeDirectoryNameFor('PROJ-142')).toBe('PROJ-142');
  });
  it('throws on ids that could escape the worktrees folder', () => {
    expect(() => worktreeDirectoryNameFor('../../etc')).toThrow(/worktreeDirectoryNameFor/);
  });
});
