import { describe, expect, it } from 'vitest';
import { parseNameStatus, parseNumstat, parseWorktreeList } from './git-output-parsing.js';

describe('git output parsing', () => {
  it('reads worktree records, prunable and detached ones included', () => {
    const output = 'worktree /repo\0HEAD abc\0branch refs/heads/main\0\0worktree /repo/.nightshift/worktrees/PROJ-1\0HEAD def\0detached\0prunable gitdir file points to non-existent location\0\0';
    expect(parseWorktreeList(output)).toEqual([
      { path: '/repo', head: 'abc', branch: 'refs/heads/main', bare: false, prunable: false },
      { path: '/repo/.nightshift/worktrees/PROJ-1', head: 'def', bare: false, prunable: true },
    ]);
  });

  it('reads statuses with renames, copies and paths with spaces and tabs', () => {
    const output = 'M\0src/a b.ts\0R087\0old.ts\0new.ts\0C100\0x.ts\0y.ts\0D\0gone\tfile.ts\0A\0new file.ts\0T\0link\0';
    expect([...parseNameStatus(output)]).toEqual([
      ['src/a b.ts', 'modified'],
      ['new.ts', 'renamed'],
      ['y.ts', 'added'],
      ['gone\tfile.ts', 'deleted'],
      ['new file.ts', 'added'],
      ['link', 'modified'],
    ]);
  });

  it('reads line counts, binary files as 0/0, renames by their new path', () => {
    const output = '3\t1\tsrc/a b.ts\0-\t-\tlogo.png\0' + '2\t0\t\0old.ts\0new.ts\0' + '1\t1\tweird\tname.ts\0';
    expect(Object.fromEntries(parseNumstat(output))).toEqual({
      'src/a b.ts': { linesAdded: 3, linesDeleted: 1 },
      'logo.png': { linesAdded: 0, linesDeleted: 0 },
      'new.ts': { linesAdded: 2, linesDeleted: 0 },
      'weird\tname.ts': { linesAdded: 1, linesDeleted: 1 },
    });
  });
});
