import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalFilesArtifactStore } from '../adapters/artifacts/local-files/local-files-artifact-store.js';
import { MemoryStore } from '../adapters/stores/memory/memory-store.js';
import type { BatchState } from '../domain/batch.js';
import { transitionTicketRun, type TicketRunEvent, type TicketRunState } from '../domain/ticket-run.js';
import { buildBatch, buildTicket } from '../testing/contracts/store-record-builders.js';
import { FixedClock } from '../testing/fixed-clock.js';
import { followTicketLog, locateTicketLog, readTicketLog, type TicketLogLocation } from './read-ticket-log.js';
import { TicketLog } from './ticket-log.js';

let directory: string;
let store: MemoryStore;
let artifacts: LocalFilesArtifactStore;

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'nightshift-logs-'));
  store = new MemoryStore();
  artifacts = new LocalFilesArtifactStore(join(directory, '.nightshift'));
});
afterEach(async () => {
  await store.close();
  rmSync(directory, { recursive: true, force: true });
});

async function addBatch(id: string, runs: Record<string, TicketRunState>, createdAt: string, state: BatchState = 'running'): Promise<void> {
  const ticketIds = Object.keys(runs);
  await store.createBatch(
    buildBatch(id, { state, createdAt }),
    ticketIds.map((ticketId) => buildTicket(ticketId)),
    ticketIds.map((ticketId) => ({ batchId: id, ticketId, state: runs[ticketId] as TicketRunState, partial: false, updatedAt: createdAt })),
  );
}

async function writeLog(batchId: string, ticketId: string, records: Record<string, unknown>[]): Promise<void> {
  const log = new TicketLog(artifacts, batchId, ticketId);
  for (const record of records) log.write(record);
  await log.flush();
}

describe('locateTicketLog', () => {
  beforeEach(async () => {
    await addBatch('2024-01-15-overnight', { 'PROJ-1': 'skipped', 'PROJ-2': 'ready' }, '2024-01-15T18:00:00.000Z', 'completed');
    await addBatch('2024-01-16-overnight', { 'PROJ-1': 'queued' }, '2024-01-16T18:00:00.000Z');
  });

  it('takes the latest batch that has the ticket', async () => {
    expect(await locateTicketLog({ store, artifacts }, { ticketId: 'PROJ-1' })).toEqual({
      ok: true,
      location: {
        batchId: '2024-01-16-overnight',
        ticketId: 'PROJ-1',
        relativePath: 'batches/2024-01-16-overnight/logs/PROJ-1.ndjson',
        absolutePath: join(directory, '.nightshift', 'batches', '2024-01-16-overnight', 'logs', 'PROJ-1.ndjson'),
      },
    });
    const older = await locateTicketLog({ store, artifacts }, { ticketId: 'PROJ-2' });
    expect(older.ok && older.location.batchId).toBe('2024-01-15-overnight');
  });

  it('takes the batch named', async () => {
    const named = await locateTicketLog({ store, artifacts }, { ticketId: 'PROJ-1', batchId: '2024-01-15-overnight' });
    expect(named.ok && named.location.relativePath).toBe('batches/2024-01-15-overnight/logs/PROJ-1.ndjson');
  });

  it.each([
    [{ ticketId: 'PROJ-9' }, /ticket PROJ-9 is in no batch/],
    [{ ticketId: '../../etc/passwd' }, /not safe/],
    [{ ticketId: 'PROJ-2', batchId: '2024-01-16-overnight' }, /ticket PROJ-2 is not in batch 2024-01-16-overnight \(its tickets: PROJ-1\)/],
    [{ ticketId: 'PROJ-1', batchId: '2024-02-01-overnight' }, /no batch named 2024-02-01-overnight/],
    [{ ticketId: 'PROJ-1', batchId: '../x' }, /batch id/],
  ])('refuses %j with a reason', async (request, reason) => {
    const lookup = await locateTicketLog({ store, artifacts }, request);
    expect(lookup.ok).toBe(false);
    expect(!lookup.ok && lookup.reason).toMatch(reason);
  });

  it('says when there is no batch at all', async () => {
    const empty = new MemoryStore();
    expect(await locateTicketLog({ store: empty, artifacts }, { ticketId: 'PROJ-1' })).toEqual({ ok: false, reason: expect.stringContaining('no batch yet') });
  });
});

describe('readTicketLog', () => {
  it('reads the lines written so far, and nothing for a ticket that has not started', async () => {
    await addBatch('2024-01-15-overnight', { 'PROJ-1': 'scoping' }, '2024-01-15T18:00:00.000Z');
    const lookup = await locateTicketLog({ store, artifacts }, { ticketId: 'PROJ-1' });
    if (!lookup.ok) throw new Error(lookup.reason);
    expect(await readTicketLog({ artifacts }, lookup.location)).toEqual({ lines: [], nextOffset: 0, exists: false });
    await writeLog('2024-01-15-overnight', 'PROJ-1', [{ type: 'stage-start', stage: 'C0' }]);
    const read = await readTicketLog({ artifacts }, lookup.location);
    expect(read.exists).toBe(true);
    expect(read.lines.map((line) => JSON.parse(line) as unknown)).toEqual([{ batchId: '2024-01-15-overnight', ticketId: 'PROJ-1', type: 'stage-start', stage: 'C0' }]);
  });
});

/** A clock whose every sleep runs the next step of the story (a pipeline writing the log elsewhere). */
class StoryClock extends FixedClock {
  sleeps = 0;
  constructor(private readonly steps: (() => Promise<void>)[]) {
    super();
  }
  override async sleep(milliseconds: number, signal?: AbortSignal): Promise<void> {
    this.sleeps += 1;
    await this.steps.shift()?.();
    await super.sleep(milliseconds, signal);
  }
}

describe('followTicketLog', () => {
  const batchId = '2024-01-15-overnight';
  let location: TicketLogLocation;

  beforeEach(async () => {
    await addBatch(batchId, { 'PROJ-1': 'queued' }, '2024-01-15T18:00:00.000Z');
    const lookup = await locateTicketLog({ store, artifacts }, { ticketId: 'PROJ-1' });
    if (!lookup.ok) throw new Error(lookup.reason);
    location = lookup.location;
  });

  async function advance(event: TicketRunEvent): Promise<void> {
    const run = await store.getRun(batchId, 'PROJ-1');
    if (run === undefined) throw new Error('no run');
    const result = transitionTicketRun(run, event, '2024-01-15T18:01:00.000Z');
    if (!result.ok) throw new Error(result.error);
    await store.applyRunTransition(result.run, result.transition);
  }

  it('prints lines as they come and stops once the run is over and the log is quiet', async () => {
    const seen: string[][] = [];
    const clock = new StoryClock([
      async () => {
        await advance({ type: 'start' });
        await writeLog(batchId, 'PROJ-1', [{ type: 'transition', state: 'scoping' }, { type: 'stage-start', stage: 'C0' }]);
      },
      async () => {},
      async () => {
        await advance({ type: 'fail', reason: 'boom' });
      },
      async () => {
        await writeLog(batchId, 'PROJ-1', [{ type: 'transition', state: 'failed' }]);
      },
    ]);
    const outcome = await followTicketLog({ store, artifacts, clock }, { location }, (lines) => seen.push(lines.map((line) => (JSON.parse(line) as { type: string; state?: string }).state ?? 'stage-start')));
    expect(seen).toEqual([['scoping', 'stage-start'], ['failed']]);
    expect(outcome.stoppedBecause).toBe('run-finished');
    expect(clock.sleeps).toBe(6);
  });

  it('stops at once when interrupted, and when the batch was aborted', async () => {
    const controller = new AbortController();
    const interrupted = await followTicketLog({ store, artifacts, clock: new StoryClock([async () => controller.abort()]) }, { location, signal: controller.signal }, () => {});
    expect(interrupted.stoppedBecause).toBe('interrupted');

    await store.applyBatchTransition({ batchId, from: 'running', to: 'aborted', event: 'abort', reason: 'rate limits', at: '2024-01-15T19:00:00.000Z' });
    const aborted = await followTicketLog({ store, artifacts, clock: new StoryClock([]) }, { location }, () => {});
    expect(aborted.stoppedBecause).toBe('batch-aborted');
  });
});
