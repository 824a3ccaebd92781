import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A test file for `node --test` that exercises everything a report parser must read:
 * suites nested in suites, a failure with a multi-line message, a skip, a todo, a test
 * with subtests, and names with XML, Markdown and TAP special characters.
 */
export const MIXED_NODE_TEST_FILE = `import { describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
describe('math <ops> & "quotes"', () => {
  it('adds # numbers', () => assert.equal(1 + 1, 2));
  it('subtracts wrongly', () => assert.equal(3 - 1, 3));
  it.skip('skipped one', () => {});
  it.todo('todo one');
  describe('nested', () => {
    it('goes deep', () => {});
  });
});
test('top level passes', () => {});
test('parent test', async (t) => {
  await t.test('child a', () => {});
  await t.test('child b', () => {
    throw new Error('boom');
  });
});
`;

/**
 * Runs real `node --test` with one reporter on the given test files (in a fresh temp
 * directory) and returns what the reporter wrote, so parsers are tested on the real
 * format rather than on a hand-written imitation of it.
 */
export function runNodeTestReporter(reporter: 'junit' | 'tap', files: Record<string, string>): { report: string; exitCode: number | null } {
  const directory = mkdtempSync(join(tmpdir(), 'nightshift-node-report-'));
  try {
    for (const [name, content] of Object.entries(files)) writeFileSync(join(directory, name), content);
    const destination = join(directory, `report.${reporter === 'junit' ? 'xml' : 'tap'}`);
    const result = spawnSync(process.execPath, ['--test', `--test-reporter=${reporter}`, `--test-reporter-destination=${destination}`, ...Object.keys(files)], {
      cwd: directory,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '' },
    });
    return { report: readFileSync(destination, 'utf8'), exitCode: result.status };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
