import { expect, it } from 'vitest';
import { describeCodeHostContract } from '../../../testing/contracts/code-host.js';
import { MemoryCodeHost } from './memory-code-host.js';

describeCodeHostContract('MemoryCodeHost', async () => {
  const host = new MemoryCodeHost();
  return { host, readMergeRequest: async (reference) => {
    const held = await host.readMergeRequest(reference);
    if (held === undefined) return undefined;
    const { id: _id, url: _url, ...rest } = held;
    return rest;
  } };
});

it('lists merge requests in opening order', async () => {
  const host = new MemoryCodeHost();
  await host.openDraftMergeRequest({ sourceBranch: 'agent/PROJ-2', targetBranch: 'main', title: 't', description: 'd' });
  await host.openDraftMergeRequest({ sourceBranch: 'agent/PROJ-1', targetBranch: 'main', title: 't', description: 'd' });
  await host.openDraftMergeRequest({ sourceBranch: 'agent/PROJ-2', targetBranch: 'main', title: 't2', description: 'd' });
  expect(host.listMergeRequests().map((mergeRequest) => [mergeRequest.id, mergeRequest.title])).toEqual([
    ['memory-1', 't2'],
    ['memory-2', 't'],
  ]);
});
