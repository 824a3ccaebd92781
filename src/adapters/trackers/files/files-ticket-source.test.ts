import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeTicketSourceContract } from '../../../testing/contracts/ticket-source.js';
import { ticketFromFixture } from '../../../testing/contracts/ticket-source.js';
import { FilesTicketSource } from './files-ticket-source.js';
import { renderTicketFile } from './render-ticket-file.js';

const temporaryRoots: string[] = [];

async function makeRepository(): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'nightshift-tickets-'));
  temporaryRoots.push(root);
  await mkdir(path.join(root, 'tickets'));
  return root;
}

afterEach(async () => {
  await Promise.all(temporaryRoots.splice(0).map((root) => rm(root, { recursive: true, force: true })));
});

describeTicketSourceContract('files', async (fixtures) => {
  const root = await makeRepository();
  for (const [index, fixture] of fixtures.entries()) {
    const { body: _body, sourceReference: _reference, ...draft } = ticketFromFixture(fixture, '');
    await writeFile(path.join(root, 'tickets', `${String(index).padStart(3, '0')}-${fixture.id}.md`), renderTicketFile(draft));
  }
  return new FilesTicketSource({ repositoryRoot: root, directory: 'tickets' });
});

const VALID = '---\nid: PROJ-1\ntitle: First\nlabels: [ready-for-agent]\n---\n## Acceptance Criteria\n- works\n';

describe('FilesTicketSource', () => {
  let root: string;
  let source: FilesTicketSource;
  const write = (name: string, text: string) => writeFile(path.join(root, 'tickets', name), text);

  beforeEach(async () => {
    root = await makeRepository();
    source = new FilesTicketSource({ repositoryRoot: root, directory: 'tickets' });
  });

  it('reads *.md files sorted by name, skipping other files, with paths relative to the repository', async () => {
    await write('b.md', VALID.replace('PROJ-1', 'PROJ-2'));
    await write('a.md', VALID);
    await write('notes.txt', 'not a ticket');
    await write('.hidden.md', VALID.replace('PROJ-1', 'PROJ-3'));
    const listing = await source.listTickets();
    expect(listing.problems).toEqual([]);
    expect(listing.tickets.map((ticket) => [ticket.id, ticket.sourceReference])).toEqual([
      ['PROJ-1', 'tickets/a.md'],
      ['PROJ-2', 'tickets/b.md'],
    ]);
  });

  it('never lets a bad file hide the good ones', async () => {
    await write('1-good.md', VALID);
    await write('2-broken.md', '---\nid: PROJ-2\ntitle: [\n---\n');
    await write('3-unsafe.md', '---\nid: "../../etc/passwd"\ntitle: x\n---\n');
    await write('4-no-front-matter.md', '# hello\n');
    await write('5-good.md', VALID.replace('PROJ-1', 'PROJ-5'));
    const listing = await source.listTickets();
    expect(listing.tickets.map((ticket) => ticket.id)).toEqual(['PROJ-1', 'PROJ-5']);
    expect(listing.problems.map((problem) => problem.location)).toEqual(['tickets/2-broken.md', 'tickets/3-unsafe.md', 'tickets/4-no-front-matter.md']);
  });

  it('takes the creation time from the file when the front matter has none', async () => {
    await write('a.md', VALID);
    const modified = new Date('2023-05-06T07:08:09.000Z');
    await utimes(path.join(root, 'tickets', 'a.md'), modified, modified);
    expect((await source.listTickets()).tickets[0]?.createdAt).toBe('2023-05-06T07:08:09.000Z');
  });

  it('reports a missing ticket directory as a problem', async () => {
    const elsewhere = new FilesTicketSource({ repositoryRoot: root, directory: 'missing' });
    expect(await elsewhere.listTickets()).toEqual({
      tickets: [],
      problems: [{ location: 'missing', message: expect.stringContaining('does not exist'), severity: 'error' }],
    });
  });

  it('refuses a directory outside the repository', async () => {
    const outside = new FilesTicketSource({ repositoryRoot: root, directory: '../' });
    expect((await outside.listTickets()).problems[0]?.message).toContain('inside the repository');
  });

  it('does not follow symbolic links', async () => {
    const target = path.join(root, 'outside.md');
    await writeFile(target, VALID);
    await symlink(target, path.join(root, 'tickets', 'link.md'));
    const listing = await source.listTickets();
    expect(listing.tickets).toEqual([]);
    expect(listing.problems).toEqual([{ location: 'tickets/link.md', message: 'skipped: a symbolic link (not followed)', severity: 'error' }]);
  });

  it('maps ids to the files of the last listing, whatever the file is called', async () => {
    await write('login-feature.md', VALID);
    await source.listTickets();
    await source.updateStatus('PROJ-1', 'in-progress');
    expect(await readFile(path.join(root, 'tickets', 'login-feature.md'), 'utf8')).toContain('status: in-progress\n---\n');
    await expect(source.updateStatus('PROJ-2', 'done')).rejects.toThrow(/not in the last listing/);
  });

  it('lists the tickets itself before a first write, as a resumed run writes statuses before any intake', async () => {
    await write('a.md', VALID);
    await source.updateStatus('PROJ-1', 'done');
    expect(await readFile(path.join(root, 'tickets', 'a.md'), 'utf8')).toContain('status: done\n');
    await expect(source.updateStatus('PROJ-404', 'done')).rejects.toThrow(/not in the last listing/);
  });

  it('writes the refusal into every copy of a duplicated id', async () => {
    await write('a.md', VALID);
    await write('b.md', VALID);
    await source.listTickets();
    await source.recordRefusal('PROJ-1', { checkedAt: '2024-01-15T17:00:00Z', batchId: '2024-01-15-overnight', missingRequired: ['duplicate id PROJ-1'], missingRecommended: [] });
    for (const name of ['a.md', 'b.md']) expect(await readFile(path.join(root, 'tickets', name), 'utf8')).toContain('readiness:\n  checked_at:');
  });

  it('keeps comments and the body byte for byte, writes atomically and keeps the file mode', async () => {
    const original = '---\n# keep me\nid: PROJ-1 # inline\ntitle: "Quoted title"\nlabels: [ready-for-agent]\n---\n\n## Acceptance Criteria\n- works   \n\n<!-- trailing -->\n';
    await write('a.md', original);
    await chmod(path.join(root, 'tickets', 'a.md'), 0o640);
    await source.listTickets();
    const refusal = { checkedAt: '2024-01-15T17:00:00Z', batchId: '2024-01-15-overnight', missingRequired: ["open question: 'Which token library?'"], missingRecommended: ['no test cases'] };
    await source.recordRefusal('PROJ-1', refusal);
    const written = await readFile(path.join(root, 'tickets', 'a.md'), 'utf8');
    expect(written.startsWith('---\n# keep me\nid: PROJ-1 # inline\ntitle: "Quoted title"\nlabels: [ready-for-agent]\nreadiness:\n')).toBe(true);
    expect(written.endsWith('---\n\n## Acceptance Criteria\n- works   \n\n<!-- trailing -->\n')).toBe(true);
    expect(await source.readRefusal('PROJ-1')).toEqual(refusal);
    expect((await stat(path.join(root, 'tickets', 'a.md'))).mode & 0o777).toBe(0o640);
    expect(await readdir(path.join(root, 'tickets'))).toEqual(['a.md']);
    await source.clearRefusal('PROJ-1');
    expect(await readFile(path.join(root, 'tickets', 'a.md'), 'utf8')).toBe(original);
  });

  it('does not rewrite a file when clearing a refusal it does not have', async () => {
    await write('a.md', VALID);
    const before = await stat(path.join(root, 'tickets', 'a.md'));
    await source.listTickets();
    await source.clearRefusal('PROJ-1');
    expect((await stat(path.join(root, 'tickets', 'a.md'))).ino).toBe(before.ino);
  });

  it('refuses a status that is not a plain word', async () => {
    await write('a.md', VALID);
    await source.listTickets();
    await expect(source.updateStatus('PROJ-1', 'done\nid: PROJ-9')).rejects.toThrow(/not a plain word/);
  });

  it('does not list the readiness block it wrote as an unknown key', async () => {
    await write('a.md', VALID);
    await source.listTickets();
    await source.recordRefusal('PROJ-1', { checkedAt: 'x', batchId: 'y', missingRequired: [], missingRecommended: [] });
    expect((await source.listTickets()).problems).toEqual([]);
  });

  describe('follow-up tickets', () => {
    const request = { originalTicketId: 'PROJ-1', batchId: '2024-01-15-overnight', title: 'Rest of PROJ-1', remainingWork: ['logout works'] };

    it('writes tickets/<NEW-ID>.md with the follow-up marks, leaving no temporary file', async () => {
      await write('PROJ-1.md', VALID.replace('labels: [ready-for-agent]', 'labels: [ready-for-agent, backend]\npriority: high\ncomplexity: large'));
      const filed = await source.createFollowUpTicket(request);
      expect(filed).toEqual({ ticketId: 'PROJ-2', sourceReference: 'tickets/PROJ-2.md', created: true });
      const text = await readFile(path.join(root, 'tickets', 'PROJ-2.md'), 'utf8');
      expect(text).toMatch(/^---\nid: PROJ-2\ntitle: Rest of PROJ-1\nlabels:\n {2}- backend\npriority: high\ncomplexity: large\n/);
      expect(text).toContain('status: draft\nfollow_up_of: PROJ-1\ncreated_by_batch: 2024-01-15-overnight\n---');
      expect(text).toContain('Follow-up of PROJ-1, left unfinished by batch 2024-01-15-overnight.');
      expect(text).toContain('## Acceptance Criteria\n- logout works');
      expect(await readdir(path.join(root, 'tickets'))).toEqual(['PROJ-1.md', 'PROJ-2.md']);
      await source.updateStatus('PROJ-2', 'open');
      expect(await readFile(path.join(root, 'tickets', 'PROJ-2.md'), 'utf8')).toContain('status: open');
    });

    it('finds the draft again from another process, even after a person edited it', async () => {
      await write('PROJ-1.md', VALID);
      const first = await source.createFollowUpTicket(request);
      const file = path.join(root, 'tickets', 'PROJ-2.md');
      await writeFile(file, (await readFile(file, 'utf8')).replace('status: draft', 'status: open').replace('labels: []', 'labels: [ready-for-agent]'));
      const later = new FilesTicketSource({ repositoryRoot: root, directory: 'tickets' });
      expect(await later.createFollowUpTicket(request)).toEqual({ ...first, created: false });
      expect(await readdir(path.join(root, 'tickets'))).toEqual(['PROJ-1.md', 'PROJ-2.md']);
    });

    it('skips a name that is taken by a file it could not read, and never overwrites it', async () => {
      await write('PROJ-1.md', VALID);
      await write('PROJ-2.md', 'not a ticket at all\n');
      const filed = await source.createFollowUpTicket(request);
      expect(filed.ticketId).toBe('PROJ-3');
      expect(await readFile(path.join(root, 'tickets', 'PROJ-2.md'), 'utf8')).toBe('not a ticket at all\n');
    });

    it('never lets two writers at the same moment file the same id', async () => {
      await write('PROJ-1.md', VALID);
      await write('PROJ-5.md', VALID.replace('PROJ-1', 'PROJ-5'));
      const writers = Array.from({ length: 4 }, () => new FilesTicketSource({ repositoryRoot: root, directory: 'tickets' }));
      const filed = await Promise.all(
        writers.map((writer, index) => writer.createFollowUpTicket({ ...request, originalTicketId: index % 2 === 0 ? 'PROJ-1' : 'PROJ-5', batchId: `2024-01-1${index}-overnight` })),
      );
      expect(filed.map((reference) => reference.ticketId).sort()).toEqual(['PROJ-6', 'PROJ-7', 'PROJ-8', 'PROJ-9']);
      const listing = await source.listTickets();
      expect(listing.problems).toEqual([]);
      expect(listing.tickets.filter((ticket) => ticket.status === 'draft')).toHaveLength(4);
    });

    it('leaves the ready label the source was configured with off the draft', async () => {
      await write('PROJ-1.md', VALID.replace('labels: [ready-for-agent]', 'labels: [agent-ok, ready-for-agent]'));
      const custom = new FilesTicketSource({ repositoryRoot: root, directory: 'tickets', readyLabel: 'agent-ok' });
      await custom.createFollowUpTicket(request);
      expect((await custom.listTickets()).tickets.find((ticket) => ticket.id === 'PROJ-2')?.labels).toEqual(['ready-for-agent']);
    });
  });
});
