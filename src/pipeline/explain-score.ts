import type { CheckStatus } from '../domain/check-outcome.js';
import type { ScoreBreakdownItem } from '../domain/quality-score.js';
import { explainQualityScore } from '../domain/score-explanation.js';
import type { TestCounts } from '../domain/test-report.js';
import type { TicketRunState } from '../domain/ticket-run.js';
import type { SecurityFinding } from '../ports/store.js';
import type { PipelineDependencies } from './pipeline-dependencies.js';
import { locateTicketLog } from './read-ticket-log.js';

/**
 * `nightshift score <ticket>`: the stored quality score of a ticket's MR with every
 * point won and lost, the checks it rests on, and the commit it was computed for.
 */

export interface ScoreExplanation {
  batchId: string;
  ticketId: string;
  title: string;
  state: TicketRunState;
  /** The commit the checks ran on and the score describes. */
  commit: string;
  qualityScore: number;
  /** Each criterion and penalty with the points it lost (`maximum − points`; the penalty itself for penalties). */
  breakdown: (ScoreBreakdownItem & { lost: number })[];
  checks: { name: string; status: CheckStatus; attempts: number; tests?: TestCounts; flakyTests?: string[]; lintWarnings?: number }[];
  securityFlags: SecurityFinding[];
  /** The explanation as lines for people (see `explainQualityScore`). */
  lines: string[];
}

/** An unknown ticket, or one whose MR has not been through the gates, is an expected failure with a reason. */
export type ScoreLookup = { ok: true; explanation: ScoreExplanation } | { ok: false; reason: string };

export async function explainTicketScore(
  dependencies: Pick<PipelineDependencies, 'store' | 'artifacts'>,
  request: { ticketId: string; batchId?: string },
): Promise<ScoreLookup> {
  const { store } = dependencies;
  const located = await locateTicketLog(dependencies, request);
  if (!located.ok) return located;
  const { batchId, ticketId } = located.location;
  const run = await store.getRun(batchId, ticketId);
  const mergeRequest = await store.getMergeRequest(batchId, ticketId);
  if (run === undefined) return { ok: false, reason: `ticket ${ticketId} has no run in batch ${batchId}` };
  if (mergeRequest?.qualityScore === undefined || mergeRequest.scoreBreakdown === undefined) {
    const why = run.reason === undefined ? '' : `: ${run.reason}`;
    const hint = run.state === 'gating' ? ': run `nightshift gates`' : mergeRequest === undefined ? ' and has no merge request' : '';
    return { ok: false, reason: `ticket ${ticketId} has no quality score in batch ${batchId}: its run is ${run.state}${why}${hint}` };
  }
  const ticket = (await store.listBatchTickets(batchId)).find((candidate) => candidate.id === ticketId);
  const gateResults = await store.listGateResults(batchId, ticketId);
  const score = { score: mergeRequest.qualityScore, breakdown: mergeRequest.scoreBreakdown };
  return {
    ok: true,
    explanation: {
      batchId,
      ticketId,
      title: ticket?.title ?? ticketId,
      state: run.state,
      commit: mergeRequest.commit,
      qualityScore: mergeRequest.qualityScore,
      breakdown: mergeRequest.scoreBreakdown.map((item) => ({ ...item, lost: item.maximum === 0 ? -item.points : item.maximum - item.points })),
      checks: gateResults.map((result) => ({
        name: result.name,
        status: result.status,
        attempts: result.attempts ?? 1,
        ...(result.tests === undefined ? {} : { tests: result.tests.counts }),
        ...(result.flakyTests === undefined ? {} : { flakyTests: result.flakyTests }),
        ...(result.lintWarnings === undefined ? {} : { lintWarnings: result.lintWarnings }),
      })),
      securityFlags: mergeRequest.securityFlags ?? [],
      lines: explainQualityScore(score),
    },
  };
}
