import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { transitionBatch } from '../../domain/batch.js';
import type { BatchEvent, BatchState } from '../../domain/batch.js';
import { newTicketRun, transitionTicketRun } from '../../domain/ticket-run.js';
import type { TicketRun, TicketRunEvent } from '../../domain/ticket-run.js';
import type { BatchRecord, Store } from '../../ports/store.js';
import {
  buildBatch,
  buildCheckpoint,
  buildEscalation,
  buildGateResult,
  buildMergeRequest,
  buildReviewAction,
  buildTicket,
  RECORD_TIME as AT,
} from './store-record-builders.js';

/**
 * The behaviour every {@link Store} adapter must show. `openStore` returns a fresh,
 * empty store each time; the suite closes it after each test.
 */
export function describeStoreContract(name: string, openStore: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await openStore();
    });
    afterEach(async () => {
      await store.close();
    });

    async function createBatchWith(batchId: string, ticketIds: string[], overrides: Partial<BatchRecord> = {}): Promise<void> {
      await store.createBatch(
        buildBatch(batchId, overrides),
        ticketIds.map((id) => buildTicket(id)),
        ticketIds.map((id) => newTicketRun(batchId, id, AT)),
      );
    }

    async function moveRun(batchId: string, ticketId: string, event: TicketRunEvent, at: string): Promise<TicketRun> {
      const run = await store.getRun(batchId, ticketId);
      if (run === undefined) throw new Error(`no run ${batchId}/${ticketId}`);
      const result = transitionTicketRun(run, event, at);
      if (!result.ok) throw new Error(result.error);
      await store.applyRunTransition(result.run, result.transition);
      return result.run;
    }

    async function moveBatch(batchId: string, from: BatchState, event: BatchEvent, at: string): Promise<void> {
      const result = transitionBatch(batchId, from, event, at);
      if (!result.ok) throw new Error(result.error);
      await store.applyBatchTransition(result.transition);
    }

    describe('batches', () => {
      it('round-trips a batch record and answers undefined for an unknown one', async () => {
        await createBatchWith('2024-01-15-overnight', ['PROJ-142']);
        expect(await store.getBatch('2024-01-15-overnight')).toStrictEqual(buildBatch('2024-01-15-overnight'));
        expect(await store.getBatch('2024-01-16-overnight')).toBeUndefined();
      });

      it('refuses a second batch with the same id', async () => {
        await createBatchWith('2024-01-15-overnight', ['PROJ-142']);
        await expect(createBatchWith('2024-01-15-overnight', ['PROJ-143'])).rejects.toThrow();
        expect(await store.listBatchTickets('2024-01-15-overnight')).toEqual([buildTicket('PROJ-142')]);
      });

      it('has no latest batch when empty, then the most recently created one', async () => {
        expect(await store.latestBatch()).toBeUndefined();
        expect(await store.listBatches()).toEqual([]);
        await createBatchWith('2024-01-16-overnight', [], { createdAt: '2024-01-16T18:00:00.000Z' });
        await createBatchWith('2024-01-15-overnight', [], { createdAt: '2024-01-15T18:00:00.000Z' });
        expect((await store.latestBatch())?.id).toBe('2024-01-16-overnight');
        expect((await store.listBatches()).map((record) => record.id)).toEqual(['2024-01-15-overnight', '2024-01-16-overnight']);
      });

      it('breaks a tie of creation times by the order of creation', async () => {
        await createBatchWith('b-first', []);
        await createBatchWith('a-second', []);
        expect((await store.latestBatch())?.id).toBe('a-second');
        expect((await store.listBatches()).map((record) => record.id)).toEqual(['b-first', 'a-second']);
      });

      it('applies batch transitions and keeps their history in order', async () => {
        await createBatchWith('2024-01-15-overnight', []);
        await moveBatch('2024-01-15-overnight', 'pending', { type: 'start' }, '2024-01-15T18:00:01.000Z');
        await moveBatch('2024-01-15-overnight', 'running', { type: 'pause', reason: 'rate limit, resets 19:00' }, '2024-01-15T18:00:01.000Z');
        await moveBatch('2024-01-15-overnight', 'paused', { type: 'resume' }, '2024-01-15T19:00:00.000Z');
        await moveBatch('2024-01-15-overnight', 'running', { type: 'complete' }, '2024-01-16T06:00:00.000Z');
        expect((await store.getBatch('2024-01-15-overnight'))?.state).toBe('completed');
        const history = await store.listBatchTransitions('2024-01-15-overnight');
        expect(history.map((transition) => `${transition.from}>${transition.to}`)).toEqual([
          'pending>running',
          'running>paused',
          'paused>running',
          'running>completed',
        ]);
        expect(history[1]).toStrictEqual({
          batchId: '2024-01-15-overnight',
          from: 'running',
          to: 'paused',
          event: 'pause',
          reason: 'rate limit, resets 19:00',
          at: '2024-01-15T18:00:01.000Z',
        });
        expect(history[0]).not.toHaveProperty('reason');
      });

      it('refuses a batch transition whose starting state is not the stored one, and stores nothing', async () => {
        await createBatchWith('2024-01-15-overnight', []);
        await expect(moveBatch('2024-01-15-overnight', 'running', { type: 'complete' }, AT)).rejects.toThrow(/pending/);
        await expect(moveBatch('2024-01-17-overnight', 'pending', { type: 'start' }, AT)).rejects.toThrow(/2024-01-17-overnight/);
        expect((await store.getBatch('2024-01-15-overnight'))?.state).toBe('pending');
        expect(await store.listBatchTransitions('2024-01-15-overnight')).toEqual([]);
      });
    });

    describe('batch tickets and runs', () => {
      it('keeps ticket snapshots in manifest order, not sorted', async () => {
        const tickets = [
          buildTicket('PROJ-142', { priority: 'high', complexity: 'medium' }),
          buildTicket('PROJ-138'),
          buildTicket('PROJ-145', { complexity: 'large', dependencies: ['PROJ-142'], estimatedFiles: ['src/api/*', 'src/models/*'] }),
        ];
        const { complexity: _dropped, ...withoutComplexity } = buildTicket('PROJ-150');
        tickets.push(withoutComplexity);
        await store.createBatch(buildBatch('2024-01-15-overnight'), tickets, tickets.map((item) => newTicketRun('2024-01-15-overnight', item.id, AT)));
        expect(await store.listBatchTickets('2024-01-15-overnight')).toStrictEqual(tickets);
        expect((await store.listRuns('2024-01-15-overnight')).map((run) => run.ticketId)).toEqual(['PROJ-142', 'PROJ-138', 'PROJ-145', 'PROJ-150']);
        expect(await store.listBatchTickets('2024-01-16-overnight')).toEqual([]);
      });

      it('round-trips runs and answers undefined for an unknown run', async () => {
        await createBatchWith('2024-01-15-overnight', ['PROJ-142', 'PROJ-138']);
        expect(await store.getRun('2024-01-15-overnight', 'PROJ-142')).toStrictEqual(newTicketRun('2024-01-15-overnight', 'PROJ-142', AT));
        expect(await store.getRun('2024-01-15-overnight', 'PROJ-999')).toBeUndefined();
        expect(await store.getRun('2024-01-16-overnight', 'PROJ-142')).toBeUndefined();
      });

      it('stores each run transition with the new state, and the history in order', async () => {
        await createBatchWith('2024-01-15-overnight', ['PROJ-142', 'PROJ-138']);
        await moveRun('2024-01-15-overnight', 'PROJ-142', { type: 'start' }, '2024-01-15T18:01:00.000Z');
        await moveRun('2024-01-15-overnight', 'PROJ-138', { type: 'start' }, '2024-01-15T18:01:00.000Z');
        await moveRun('2024-01-15-overnight', 'PROJ-142', { type: 'scope-complete' }, '2024-01-15T18:02:00.000Z');
        await moveRun('2024-01-15-overnight', 'PROJ-142', { type: 'plan-complete' }, '2024-01-15T18:03:00.000Z');
        await moveRun('2024-01-15-overnight', 'PROJ-142', { type: 'implementation-complete', partial: true }, '2024-01-15T18:04:00.000Z');
        const last = await moveRun('2024-01-15-overnight', 'PROJ-138', { type: 'fail', reason: 'agent crashed' }, '2024-01-15T18:05:00.000Z');

        expect(await store.getRun('2024-01-15-overnight', 'PROJ-138')).toStrictEqual(last);
        expect(await store.getRun('2024-01-15-overnight', 'PROJ-142')).toStrictEqual({
          batchId: '2024-01-15-overnight',
          ticketId: 'PROJ-142',
          state: 'gating',
          partial: true,
          updatedAt: '2024-01-15T18:04:00.000Z',
        });
        const all = await store.listRunTransitions('2024-01-15-overnight');
        expect(all.map((transition) => `${transition.ticketId}:${transition.to}`)).toEqual([
          'PROJ-142:scoping',
          'PROJ-138:scoping',
          'PROJ-142:planning',
          'PROJ-142:implementing',
          'PROJ-142:gating',
          'PROJ-138:failed',
        ]);
        expect(all[5]).toStrictEqual({
          batchId: '2024-01-15-overnight',
          ticketId: 'PROJ-138',
          from: 'scoping',
          to: 'failed',
          event: 'fail',
          reason: 'agent crashed',
          at: '2024-01-15T18:05:00.000Z',
        });
        const one = await store.listRunTransitions('2024-01-15-overnight', 'PROJ-138');
        expect(one.map((transition) => transition.event)).toEqual(['start', 'fail']);
      });

      it('refuses a run transition whose starting state is not the stored one, and stores nothing', async () => {
        await createBatchWith('2024-01-15-overnight', ['PROJ-142']);
        const stale = newTicketRun('2024-01-15-overnight', 'PROJ-142', AT);
        await moveRun('2024-01-15-overnight', 'PROJ-142', { type: 'start' }, AT);
        const replay = transitionTicketRun(stale, { type: 'start' }, AT);
        if (!replay.ok) throw new Error(replay.error);
        await expect(store.applyRunTransition(replay.run, replay.transition)).rejects.toThrow(/scoping/);
        expect(await store.listRunTransitions('2024-01-15-overnight')).toHaveLength(1);
        expect((await store.getRun('2024-01-15-overnight', 'PROJ-142'))?.state).toBe('scoping');
      });

      it('refuses a transition for a run that does not exist', async () => {
        await createBatchWith('2024-01-15-overnight', ['PROJ-142']);
        const result = transitionTicketRun(newTicketRun('2024-01-15-overnight', 'PROJ-999', AT), { type: 'start' }, AT);
        if (!result.ok) throw new Error(result.error);
        await expect(store.applyRunTransition(result.run, result.transition)).rejects.toThrow(/PROJ-999/);
        expect(await store.listRunTransitions('2024-01-15-overnight')).toEqual([]);
      });

      it('keeps every transition of runs moved at the same time', async () => {
        const ids = Array.from({ length: 8 }, (_, index) => `PROJ-${100 + index}`);
        await createBatchWith('2024-01-15-overnight', ids);
        await Promise.all(ids.map((id) => moveRun('2024-01-15-overnight', id, { type: 'start' }, AT)));
        expect(await store.listRunTransitions('2024-01-15-overnight')).toHaveLength(8);
        expect((await store.listRuns('2024-01-15-overnight')).every((run) => run.state === 'scoping')).toBe(true);
      });
    });

    describe('checkpoints', () => {
      it('round-trips checkpoints in the order saved, filtered by ticket', async () => {
        await createBatchWith('2024-01-15-overnight', ['PROJ-142', 'PROJ-138']);
        const first = buildCheckpoint('2024-01-15-overnight', 'PROJ-142', 'C0');
        const { sessionId: _none, ...second } = buildCheckpoint('2024-01-15-overnight', 'PROJ-138', 'C0');
        const third = { ...buildCheckpoint('2024-01-15-overnight', 'PROJ-142', 'C1'), attempt: 2 };
        for (const record of [first, second, third]) await store.saveCheckpoint(record);
        expect(await store.listCheckpoints('2024-01-15-overnight')).toStrictEqual([first, second, third]);
        expect(await store.listCheckpoints('2024-01-15-overnight', 'PROJ-142')).toStrictEqual([first, third]);
        expect(await store.listCheckpoints('2024-01-16-overnight')).toEqual([]);
      });

      it('refuses a checkpoint of a batch that does not exist', async () => {
        await expect(store.saveCheckpoint(buildCheckpoint('2024-01-15-overnight', 'PROJ-142', 'C0'))).rejects.toThrow();
      });
    });

    describe('escalations', () => {
      it('filters open and answered escalations, by batch', async () => {
        await createBatchWith('2024-01-15-overnight', ['PROJ-145', 'PROJ-147']);
        await createBatchWith('2024-01-16-overnight', ['PROJ-150'], { createdAt: '2024-01-16T18:00:00.000Z' });
        const open = buildEscalation('2024-01-15-overnight', 'PROJ-145');
        const answered = buildEscalation('2024-01-15-overnight', 'PROJ-147', {
          trigger: 'multiple-approaches',
          answer: 'Use JWT',
          answeredAt: '2024-01-16T14:00:00.000Z',
        });
        const other = buildEscalation('2024-01-16-overnight', 'PROJ-150');
        for (const record of [open, answered, other]) await store.saveEscalation(record);

        expect(await store.listEscalations()).toStrictEqual([open, answered, other]);
        expect(await store.listEscalations({ open: true })).toStrictEqual([open, other]);
        expect(await store.listEscalations({ open: false })).toStrictEqual([answered]);
        expect(await store.listEscalations({ batchId: '2024-01-15-overnight', open: true })).toStrictEqual([open]);
        expect(await store.listEscalations({ batchId: '2024-01-17-overnight' })).toEqual([]);
        expect(await store.listEscalations({ ticketId: 'PROJ-147' })).toStrictEqual([answered]);
        expect(await store.listEscalations({ ticketId: 'PROJ-150', open: true })).toStrictEqual([other]);
        expect(await store.listEscalations({ ticketId: 'PROJ-150', batchId: '2024-01-15-overnight' })).toEqual([]);
      });

      it('answers an escalation by saving it again: one record, same place in the list', async () => {
        await createBatchWith('2024-01-15-overnight', ['PROJ-145', 'PROJ-147']);
        await store.saveEscalation(buildEscalation('2024-01-15-overnight', 'PROJ-145'));
        await store.saveEscalation(buildEscalation('2024-01-15-overnight', 'PROJ-147'));
        const answer = { ...buildEscalation('2024-01-15-overnight', 'PROJ-145'), answer: 'Sessions', answeredAt: '2024-01-16T10:00:00.000Z', answeredBy: 'ada' };
        await store.saveEscalation(answer);
        const all = await store.listEscalations({ batchId: '2024-01-15-overnight' });
        expect(all.map((record) => record.ticketId)).toEqual(['PROJ-145', 'PROJ-147']);
        expect(all[0]).toStrictEqual(answer);
        expect(await store.listEscalations({ open: true })).toHaveLength(1);
      });
    });

    describe('merge requests', () => {
      it('upserts by batch and ticket: saving twice keeps one record with the latest values', async () => {
        await createBatchWith('2024-01-15-overnight', ['PROJ-142', 'PROJ-138']);
        await store.saveMergeRequest(buildMergeRequest('2024-01-15-overnight', 'PROJ-142'));
        await store.saveMergeRequest(buildMergeRequest('2024-01-15-overnight', 'PROJ-138'));
        const scored = buildMergeRequest('2024-01-15-overnight', 'PROJ-142', {
          description: 'What changed\n\n## Review summary',
          qualityScore: 94.5,
          scoreBreakdown: [{ criterion: 'tests pass', points: 30, maximum: 30, explanation: 'all green' }],
          securityFlags: [{ rule: 'secret', severity: 'high', file: 'src/config.ts', line: 3, message: 'AKIA…MASKED' }],
          reviewSummary: 'Looks good',
        });
        await store.saveMergeRequest(scored);
        expect(await store.getMergeRequest('2024-01-15-overnight', 'PROJ-142')).toStrictEqual(scored);
        const listed = await store.listMergeRequests('2024-01-15-overnight');
        expect(listed.map((record) => record.ticketId)).toEqual(['PROJ-142', 'PROJ-138']);
        expect(listed[1]).toStrictEqual(buildMergeRequest('2024-01-15-overnight', 'PROJ-138'));
      });

      it('answers undefined and empty lists for unknown merge requests', async () => {
        await createBatchWith('2024-01-15-overnight', ['PROJ-142']);
        expect(await store.getMergeRequest('2024-01-15-overnight', 'PROJ-142')).toBeUndefined();
        expect(await store.listMergeRequests('2024-01-15-overnight')).toEqual([]);
      });
    });

    describe('review actions', () => {
      it('appends actions in the order recorded, filtered by ticket, kept apart by batch', async () => {
        await createBatchWith('2024-01-15-overnight', ['PROJ-142', 'PROJ-138']);
        await createBatchWith('2024-01-16-overnight', ['PROJ-142'], { createdAt: '2024-01-16T18:00:00.000Z' });
        const { comment: _none, ...changes } = buildReviewAction('2024-01-15-overnight', 'PROJ-142', { action: 'request-changes', reviewer: 'bob', at: '2024-01-16T08:05:00.000Z' });
        const approval = buildReviewAction('2024-01-15-overnight', 'PROJ-138');
        const merge = buildReviewAction('2024-01-15-overnight', 'PROJ-142', { action: 'merge', mergeCommit: 'c'.repeat(40), at: '2024-01-16T08:00:00.000Z' });
        const other = buildReviewAction('2024-01-16-overnight', 'PROJ-142');
        for (const record of [changes, approval, merge, other]) await store.saveReviewAction(record);

        expect(await store.listReviewActions('2024-01-15-overnight')).toStrictEqual([changes, approval, merge]);
        expect(await store.listReviewActions('2024-01-15-overnight', 'PROJ-142')).toStrictEqual([changes, merge]);
        expect(await store.listReviewActions('2024-01-16-overnight')).toStrictEqual([other]);
        expect(await store.listReviewActions('2024-01-17-overnight')).toEqual([]);
      });

      it('refuses an action of a batch that does not exist', async () => {
        await expect(store.saveReviewAction(buildReviewAction('2024-01-15-overnight', 'PROJ-142'))).rejects.toThrow();
      });

      it('keeps where a stacked merge request was retargeted', async () => {
        await createBatchWith('2024-01-15-overnight', ['PROJ-145']);
        const stacked = buildMergeRequest('2024-01-15-overnight', 'PROJ-145', { targetBranch: 'agent/PROJ-142' });
        await store.saveMergeRequest(stacked);
        const retargeted = { ...stacked, targetBranch: 'main', retargetedFrom: 'agent/PROJ-142', retargetedAt: '2024-01-16T09:00:00.000Z' };
        await store.saveMergeRequest(retargeted);
        expect(await store.getMergeRequest('2024-01-15-overnight', 'PROJ-145')).toStrictEqual(retargeted);
      });
    });

    describe('gate results', () => {
      it('replaces the results of one ticket and leaves the others', async () => {
        await createBatchWith('2024-01-15-overnight', ['PROJ-142', 'PROJ-138']);
        await store.saveGateResults('2024-01-15-overnight', 'PROJ-142', [buildGateResult('test', { status: 'failed' }), buildGateResult('lint')]);
        await store.saveGateResults('2024-01-15-overnight', 'PROJ-138', [buildGateResult('test', { status: 'timed_out', durationMilliseconds: 600000.5 })]);
        const rerun = [buildGateResult('test'), buildGateResult('lint'), buildGateResult('types', { status: 'skipped', outputTail: '' })];
        await store.saveGateResults('2024-01-15-overnight', 'PROJ-142', rerun);

        expect(await store.listGateResults('2024-01-15-overnight', 'PROJ-142')).toStrictEqual(rerun);
        expect(await store.listGateResults('2024-01-15-overnight', 'PROJ-138')).toStrictEqual([
          buildGateResult('test', { status: 'timed_out', durationMilliseconds: 600000.5 }),
        ]);
        expect(await store.listGateResults('2024-01-15-overnight')).toHaveLength(4);
        await store.saveGateResults('2024-01-15-overnight', 'PROJ-142', []);
        expect(await store.listGateResults('2024-01-15-overnight', 'PROJ-142')).toEqual([]);
      });

      it('keeps a flaky result with its per-test details, coverage, lint warnings and first run', async () => {
        await createBatchWith('2024-01-15-overnight', ['PROJ-142']);
        const flaky = buildGateResult('test', {
          status: 'flaky',
          attempts: 2,
          exitCode: 0,
          tests: {
            counts: { passed: 2, failed: 0, skipped: 1, total: 3 },
            cases: [
              { name: 'logs in', suite: 'auth', status: 'passed', durationMilliseconds: 1.5 },
              { name: 'logs out', suite: 'auth', classname: 'tests.test_auth', status: 'passed', flaky: true },
              { name: 'remembers me «é»', status: 'skipped' },
            ],
            truncated: true,
          },
          flakyTests: ['auth › logs out'],
          reportProblem: 'reports/unit.xml was not written',
          firstAttempt: { exitCode: 1, durationMilliseconds: 900, outputTail: 'not ok 2 - logs out', failedTests: ['auth › logs out'] },
        });
        const lint = buildGateResult('lint', { status: 'failed', attempts: 2, exitCode: null, lintWarnings: 3 });
        const coverage = buildGateResult('coverage', { coverage: { total: { lines: 87.5, branches: 0 }, changedFiles: [{ path: 'src/auth.py', coverage: { lines: 100 } }] } });
        await store.saveGateResults('2024-01-15-overnight', 'PROJ-142', [flaky, lint, coverage]);
        expect(await store.listGateResults('2024-01-15-overnight', 'PROJ-142')).toStrictEqual([flaky, lint, coverage]);
      });
    });

    it('hands out copies: changing a returned record does not change the store', async () => {
      await createBatchWith('2024-01-15-overnight', ['PROJ-142']);
      const tickets = await store.listBatchTickets('2024-01-15-overnight');
      tickets[0]!.title = 'changed';
      const run = await store.getRun('2024-01-15-overnight', 'PROJ-142');
      run!.state = 'failed';
      expect((await store.listBatchTickets('2024-01-15-overnight'))[0]?.title).toBe('Ticket PROJ-142');
      expect((await store.getRun('2024-01-15-overnight', 'PROJ-142'))?.state).toBe('queued');
    });

    it('keeps batches apart', async () => {
      await createBatchWith('2024-01-15-overnight', ['PROJ-142']);
      await createBatchWith('2024-01-16-overnight', ['PROJ-142'], { createdAt: '2024-01-16T18:00:00.000Z' });
      await moveRun('2024-01-16-overnight', 'PROJ-142', { type: 'start' }, AT);
      await store.saveCheckpoint(buildCheckpoint('2024-01-16-overnight', 'PROJ-142', 'C0'));
      expect((await store.getRun('2024-01-15-overnight', 'PROJ-142'))?.state).toBe('queued');
      expect(await store.listRunTransitions('2024-01-15-overnight')).toEqual([]);
      expect(await store.listCheckpoints('2024-01-15-overnight')).toEqual([]);
      expect(await store.listRuns('2024-01-16-overnight')).toHaveLength(1);
    });
  });
}
