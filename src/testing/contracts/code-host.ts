import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CodeHost, DraftMergeRequestRequest, MergeRequestReference } from '../../ports/code-host.js';

/** What a host holds for one merge request, as the contract checks it. */
export interface HeldMergeRequest {
  sourceBranch: string;
  targetBranch: string;
  title: string;
  description: string;
  draft: boolean;
}

/** A code host under test, with the adapter-specific way to look at what it stored. */
export interface CodeHostUnderTest {
  host: CodeHost;
  readMergeRequest(reference: MergeRequestReference): Promise<HeldMergeRequest | undefined>;
  cleanup?(): Promise<void> | void;
}

function request(sourceBranch: string, overrides: Partial<DraftMergeRequestRequest> = {}): DraftMergeRequestRequest {
  return {
    sourceBranch,
    targetBranch: 'main',
    title: `feat: ${sourceBranch}`,
    description: `## Summary\n\nWork of ${sourceBranch} — with “unicode” ✓ and \`code\`.\n`,
    ...overrides,
  };
}

/**
 * The behaviour every {@link CodeHost} adapter must show: draft merge requests,
 * idempotent per source branch, whose description can be rewritten.
 */
export function describeCodeHostContract(name: string, createHost: () => Promise<CodeHostUnderTest>): void {
  describe(`CodeHost contract: ${name}`, () => {
    let subject: CodeHostUnderTest;

    beforeEach(async () => {
      subject = await createHost();
    });
    afterEach(async () => {
      await subject.cleanup?.();
    });

    it('opens a draft merge request holding the branches, title and description', async () => {
      const reference = await subject.host.openDraftMergeRequest(request('agent/PROJ-142'));
      expect(reference.id).not.toBe('');
      expect(reference.url).not.toBe('');
      expect(await subject.readMergeRequest(reference)).toEqual({ ...request('agent/PROJ-142'), draft: true });
    });

    it('returns the same merge request when opened again for the same branch, with the new text', async () => {
      const first = await subject.host.openDraftMergeRequest(request('agent/PROJ-142'));
      const again = await subject.host.openDraftMergeRequest(
        request('agent/PROJ-142', { title: 'feat(PROJ-142): retitled', description: 'second description', targetBranch: 'agent/PROJ-138' }),
      );
      expect(again).toEqual(first);
      expect(await subject.readMergeRequest(first)).toEqual({
        sourceBranch: 'agent/PROJ-142',
        targetBranch: 'agent/PROJ-138',
        title: 'feat(PROJ-142): retitled',
        description: 'second description',
        draft: true,
      });
    });

    it('keeps branches apart, even those a careless file name would merge', async () => {
      const branches = ['agent/PROJ-142', 'agent-PROJ-142', 'agent/PROJ-138', 'feature/a/b'];
      const references = await Promise.all(branches.map((branch) => subject.host.openDraftMergeRequest(request(branch))));
      expect(new Set(references.map((reference) => reference.id)).size).toBe(branches.length);
      expect(new Set(references.map((reference) => reference.url)).size).toBe(branches.length);
      for (const [index, branch] of branches.entries()) {
        expect((await subject.readMergeRequest(references[index]!))?.description).toBe(request(branch).description);
      }
    });

    it('rewrites the description and leaves the rest', async () => {
      const reference = await subject.host.openDraftMergeRequest(request('agent/PROJ-142'));
      await subject.host.updateDescription(reference, '## Review summary\n\nScore: 94\n');
      expect(await subject.readMergeRequest(reference)).toEqual({ ...request('agent/PROJ-142'), description: '## Review summary\n\nScore: 94\n', draft: true });
    });

    it('refuses to update a merge request it does not hold', async () => {
      await expect(subject.host.updateDescription({ id: 'local-../../etc/passwd', url: 'file:///etc/passwd' }, 'x')).rejects.toThrow();
      await expect(subject.host.updateDescription({ id: 'nope-1', url: 'https://example.test/1' }, 'x')).rejects.toThrow();
    });
  });
}
