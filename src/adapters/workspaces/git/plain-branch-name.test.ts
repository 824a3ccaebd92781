import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isPlainBranchName } from './plain-branch-name.js';

describe('isPlainBranchName', () => {
  it('accepts without git only names git check-ref-format --branch accepts', () => {
    const candidates = ['agent/PROJ-142', 'agent/proj_1.2', 'a', 'agent//x', 'agent/.hidden', 'agent/x.lock', 'agent/x.', 'agent/x..y', '-x', 'HEAD', 'agent/x y', 'agent/x~1', 'agent/', '/agent', 'agent/é', 'agent/x@{1}', 'agent/x:y'];
    for (const candidate of candidates) {
      if (!isPlainBranchName(candidate)) continue;
      const byGit = spawnSync('git', ['check-ref-format', '--branch', candidate], { encoding: 'utf8' });
      expect(byGit.status, candidate).toBe(0);
    }
    expect(candidates.filter(isPlainBranchName)).toEqual(['agent/PROJ-142', 'agent/proj_1.2', 'a']);
  });
});
