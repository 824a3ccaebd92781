import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeCodeHostContract } from '../../../testing/contracts/code-host.js';
import { LocalCodeHost } from './local-code-host.js';

describeCodeHostContract('LocalCodeHost', async () => {
  const root = mkdtempSync(join(tmpdir(), 'nightshift-local-host-'));
  const host = new LocalCodeHost({ directory: join(root, '.nightshift', 'merge-requests') });
  return {
    host,
    readMergeRequest: async (reference) => {
      const held = await host.readMergeRequest(reference);
      if (held === undefined) return undefined;
      const { sourceBranch, targetBranch, title, description, draft } = held;
      return { sourceBranch, targetBranch, title, description, draft };
    },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
});

describe('LocalCodeHost files', () => {
  let root: string;
  let directory: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'nightshift-local-host-'));
    directory = join(root, '.nightshift', 'merge-requests');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const open = (host: LocalCodeHost, sourceBranch: string, description = 'Description\n') =>
    host.openDraftMergeRequest({ sourceBranch, targetBranch: 'main', title: `feat: ${sourceBranch}`, description });

  it('writes a JSON record and the description as Markdown, named after the branch', async () => {
    const reference = await open(new LocalCodeHost({ directory }), 'agent/PROJ-142');
    expect(reference).toEqual({ id: 'local-agent-PROJ-142', url: pathToFileURL(join(directory, 'agent-PROJ-142.md')).href });
    expect(readFileSync(join(directory, 'agent-PROJ-142.md'), 'utf8')).toBe('Description\n');
    expect(JSON.parse(readFileSync(join(directory, 'agent-PROJ-142.json'), 'utf8'))).toEqual({
      id: 'local-agent-PROJ-142',
      kind: 'local',
      draft: true,
      sourceBranch: 'agent/PROJ-142',
      targetBranch: 'main',
      title: 'feat: agent/PROJ-142',
      descriptionFile: 'agent-PROJ-142.md',
      url: reference.url,
    });
    expect(readdirSync(directory).sort()).toEqual(['agent-PROJ-142.json', 'agent-PROJ-142.md']);
  });

  it('finds the same merge request from a new process after a crash', async () => {
    const before = await open(new LocalCodeHost({ directory }), 'agent/PROJ-142');
    const after = await open(new LocalCodeHost({ directory }), 'agent/PROJ-142', 'Resumed\n');
    expect(after).toEqual(before);
    expect(readFileSync(join(directory, 'agent-PROJ-142.md'), 'utf8')).toBe('Resumed\n');
    expect(readdirSync(directory)).toHaveLength(2);
  });

  it('keeps files inside its directory whatever the branch is called', async () => {
    const host = new LocalCodeHost({ directory });
    const reference = await open(host, '../../outside/branch');
    expect(reference.id).toMatch(/^local-[A-Za-z0-9._-]+$/);
    expect(existsSync(join(root, 'outside'))).toBe(false);
    expect(readdirSync(directory).every((file) => !file.startsWith('.'))).toBe(true);
  });

  it('rewrites the description without leaving temporary files', async () => {
    const host = new LocalCodeHost({ directory });
    const reference = await open(host, 'agent/PROJ-142');
    await Promise.all(Array.from({ length: 10 }, (_, index) => host.updateDescription(reference, `version ${index}\n`)));
    expect(readFileSync(join(directory, 'agent-PROJ-142.md'), 'utf8')).toMatch(/^version \d\n$/);
    expect(readdirSync(directory).filter((file) => file.endsWith('.tmp'))).toEqual([]);
  });
});
