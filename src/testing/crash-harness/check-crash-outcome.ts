import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteStore } from '../../adapters/stores/sqlite/sqlite-store.js';
import { isTerminalTicketRunState, type TicketRunState } from '../../domain/ticket-run.js';
import type { BatchRecord, MergeRequestRecord } from '../../ports/store.js';
import type { LoggedRequest } from '../model-server/start-model-server.js';
import type { CrashTicketExpectation } from './crash-night-scenario.js';
import { findProcessesInside } from './find-processes-inside.js';

/** Effects a resumed run made a second time; every count must be zero. */
export interface CrashDuplicates {
  /** Commits beyond the one each MR branch must hold. */
  commits: number;
  /** MR records (store) or MR files (code host) beyond one per ticket. */
  mergeRequests: number;
  /** Checkpoints beyond one per batch, ticket and stage. */
  checkpoints: number;
  /** Follow-up tickets beyond one per partial ticket. */
  followUps: number;
  escalations: number;
  /** Batches that took a ticket again although an earlier batch, not aborted, had not given it up (failed, timed out, skipped). */
  batches: number;
}

/** Everything the checks found: problems in words, and the duplicates counted. */
export interface CrashOutcome {
  problems: string[];
  duplicates: CrashDuplicates;
}

const NIGHTSHIFT_DIRECTORY = '.nightshift';
/** Run states after which a later batch may rightly take the ticket again: no effect of it is repeated. */
const GIVEN_UP_STATES: readonly TicketRunState[] = ['failed', 'timed_out', 'skipped'];
const BASE_BRANCH = 'main';
const BRANCH_PREFIX = 'agent/';

/** Duplicate counts that are all zero, to add to. */
export function noDuplicates(): CrashDuplicates {
  return { commits: 0, mergeRequests: 0, checkpoints: 0, followUps: 0, escalations: 0, batches: 0 };
}

/** The total of every duplicate count. */
export function countDuplicates(duplicates: CrashDuplicates): number {
  return Object.values(duplicates).reduce((sum, count) => sum + count, 0);
}

/**
 * Reads the repository and `.nightshift/nightshift.db` after the last run of a crash trial
 * and checks what durability promises: each ticket reached the end its script leads to
 * (in the last batch that took it; an earlier batch may only have been aborted); one commit
 * per MR branch; one MR per ticket in the store and in the code host's directory; one
 * checkpoint per stage; one follow-up and one escalation where due; no stage asked again
 * after its checkpoint (when the model server's requests are given); no agent left
 * running, nor its record in `.nightshift/agent-processes/`.
 */
export async function checkCrashOutcome(request: {
  repositoryRoot: string;
  expectations: readonly CrashTicketExpectation[];
  /** The scripted model server's request log, to prove no completed stage was asked again. */
  modelRequests?: readonly LoggedRequest[];
}): Promise<CrashOutcome> {
  const { repositoryRoot, expectations } = request;
  const problems: string[] = [];
  const duplicates = noDuplicates();
  const git = (gitArguments: string[]): string => execFileSync('git', gitArguments, { cwd: repositoryRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  const branchExists = (branch: string): boolean => {
    try {
      git(['show-ref', '--verify', '--quiet', `refs/heads/${branch}`]);
      return true;
    } catch {
      return false;
    }
  };

  const databasePath = join(repositoryRoot, NIGHTSHIFT_DIRECTORY, 'nightshift.db');
  if (!existsSync(databasePath)) return { problems: [`${databasePath} does not exist: no run got as far as opening the store`], duplicates };
  const store = await SqliteStore.open(databasePath);
  const mergeRequestsByTicket = new Map<string, MergeRequestRecord[]>();
  try {
    const batches = await store.listBatches();
    const latest = batches.at(-1);
    if (latest === undefined) problems.push('no batch was ever created');
    else if (latest.state !== 'completed') problems.push(`the last batch ${latest.id} is ${latest.state}, expected completed`);

    const runsByBatch = new Map(await Promise.all(batches.map(async (batch) => [batch.id, await store.listRuns(batch.id)] as const)));
    for (const expectation of expectations) {
      const { ticketId } = expectation;
      const taking = batches.filter((batch) => runsByBatch.get(batch.id)?.some((run) => run.ticketId === ticketId));
      const last = taking.at(-1);
      if (last === undefined) {
        problems.push(`${ticketId} is in no batch`);
        continue;
      }
      for (const earlier of taking.slice(0, -1).filter((batch) => batch.state !== 'aborted')) {
        const earlierRun = runsByBatch.get(earlier.id)?.find((candidate) => candidate.ticketId === ticketId);
        const ended = `${earlierRun?.state ?? 'unknown'}${earlierRun?.reason === undefined ? '' : ` (${earlierRun.reason})`}`;
        if (earlierRun !== undefined && GIVEN_UP_STATES.includes(earlierRun.state)) {
          problems.push(`${ticketId} ended ${ended} in batch ${earlier.id}, then batch ${last.id} took it again`);
        } else {
          duplicates.batches += 1;
          problems.push(`${ticketId} was taken again by batch ${last.id} although it ended ${ended} in batch ${earlier.id} (${earlier.state})`);
        }
      }
      const run = runsByBatch.get(last.id)?.find((candidate) => candidate.ticketId === ticketId);
      if (run !== undefined && !isTerminalTicketRunState(run.state)) problems.push(`${ticketId} is still ${run.state} in batch ${last.id}`);
      else if (run !== undefined && run.state !== expectation.runState) {
        problems.push(`${ticketId} ended ${run.state} in batch ${last.id}${run.reason === undefined ? '' : ` (${run.reason})`}, expected ${expectation.runState}`);
      }

      for (const batch of taking) {
        const checkpoints = await store.listCheckpoints(batch.id, ticketId);
        for (const stage of new Set(checkpoints.map((checkpoint) => checkpoint.stage))) {
          const count = checkpoints.filter((checkpoint) => checkpoint.stage === stage).length;
          if (count > 1) {
            duplicates.checkpoints += count - 1;
            problems.push(`${ticketId} has ${count} ${stage} checkpoints in batch ${batch.id}`);
          }
        }
        if (batch === last) {
          const stages = [...new Set(checkpoints.map((checkpoint) => checkpoint.stage))];
          if (stages.join(',') !== expectation.stages.join(',')) problems.push(`${ticketId} has checkpoints ${stages.join(', ') || 'none'} in batch ${batch.id}, expected ${expectation.stages.join(', ')}`);
          problems.push(...stagesAskedAgain(ticketId, checkpoints, request.modelRequests));
        }
        const escalations = (await store.listEscalations({ batchId: batch.id })).filter((escalation) => escalation.ticketId === ticketId).length;
        if (escalations > 1) {
          duplicates.escalations += escalations - 1;
          problems.push(`${ticketId} has ${escalations} escalations in batch ${batch.id}`);
        }
        if (batch === last && expectation.escalation && escalations === 0) problems.push(`${ticketId} has no escalation in batch ${batch.id}`);
        const mergeRequest = await store.getMergeRequest(batch.id, ticketId);
        if (mergeRequest !== undefined) mergeRequestsByTicket.set(ticketId, [...(mergeRequestsByTicket.get(ticketId) ?? []), mergeRequest]);
      }
    }
    problems.push(...checkBatchTotals(batches, runsByBatch, expectations));
  } finally {
    await store.close();
  }

  const mergeRequestFiles = readMergeRequestFiles(join(repositoryRoot, NIGHTSHIFT_DIRECTORY, 'merge-requests'));
  const followUps = readFollowUpOrigins(join(repositoryRoot, 'tickets'));
  for (const expectation of expectations) {
    const { ticketId } = expectation;
    const branch = `${BRANCH_PREFIX}${ticketId}`;
    const records = mergeRequestsByTicket.get(ticketId) ?? [];
    const files = mergeRequestFiles.filter((file) => file.sourceBranch === branch).length;
    if (records.length > 1) {
      duplicates.mergeRequests += records.length - 1;
      problems.push(`${ticketId} has ${records.length} MR records in the store`);
    }
    if (files > 1) {
      duplicates.mergeRequests += files - 1;
      problems.push(`${branch} has ${files} MR files in ${NIGHTSHIFT_DIRECTORY}/merge-requests`);
    }
    if (expectation.mergeRequest && (records.length === 0 || files === 0)) problems.push(`${ticketId} has ${records.length} MR record(s) and ${files} MR file(s), expected one of each`);
    if (!expectation.mergeRequest && (records.length > 0 || files > 0)) problems.push(`${ticketId} has an MR, expected none`);

    const mergeRequest = records.at(-1);
    if (mergeRequest !== undefined && branchExists(branch)) {
      const commits = Number(git(['rev-list', '--count', `${mergeRequest.targetBranch}..${branch}`]));
      if (commits > 1) {
        duplicates.commits += commits - 1;
        problems.push(`${branch} has ${commits} commits over ${mergeRequest.targetBranch}, expected 1`);
      }
      if (commits === 0) problems.push(`${branch} has no commit over ${mergeRequest.targetBranch}`);
      const head = git(['rev-parse', branch]);
      if (head !== mergeRequest.commit) problems.push(`${ticketId}'s MR records commit ${mergeRequest.commit.slice(0, 10)}, but ${branch} is at ${head.slice(0, 10)}`);
      const checkpoint = git(['log', '-1', '--format=%(trailers:key=Checkpoint,valueonly)', branch]);
      const expectedCheckpoint = expectation.runState === 'partial' ? 'C2-partial' : 'C2-complete';
      if (checkpoint !== expectedCheckpoint) problems.push(`${branch}'s commit says Checkpoint: ${checkpoint || '(none)'}, expected ${expectedCheckpoint}`);
    } else if (mergeRequest !== undefined) {
      problems.push(`${ticketId}'s MR names branch ${branch}, which does not exist`);
    }
    if (expectation.stackedOn !== undefined && mergeRequest !== undefined) {
      const dependencyBranch = `${BRANCH_PREFIX}${expectation.stackedOn}`;
      if (mergeRequest.targetBranch !== dependencyBranch) problems.push(`${ticketId}'s MR targets ${mergeRequest.targetBranch}, expected ${dependencyBranch} (stacked)`);
    }
    if (!expectation.mergeRequest && branchExists(branch)) {
      const commits = Number(git(['rev-list', '--count', `${BASE_BRANCH}..${branch}`]));
      if (commits > 0) problems.push(`${branch} has ${commits} commit(s) although ${ticketId} must end without an MR`);
    }

    const filed = followUps.filter((origin) => origin === ticketId).length;
    if (filed > 1) {
      duplicates.followUps += filed - 1;
      problems.push(`${ticketId} has ${filed} follow-up tickets`);
    }
    if (expectation.followUp && filed === 0) problems.push(`${ticketId} has no follow-up ticket`);
    if (!expectation.followUp && filed > 0) problems.push(`${ticketId} has a follow-up ticket, expected none`);
    const status = readTicketStatus(join(repositoryRoot, 'tickets', `${ticketId}.md`));
    if (status !== expectation.trackerStatus) problems.push(`${ticketId}'s tracker status is ${status ?? '(none)'}, expected ${expectation.trackerStatus}`);
  }

  problems.push(...checkNoAgentLeft(repositoryRoot));
  return { problems, duplicates };
}

/** A stage whose checkpoint was stored must never reach the model again (side requests aside). */
function stagesAskedAgain(ticketId: string, checkpoints: readonly { stage: string; createdAt: string }[], requests: readonly LoggedRequest[] | undefined): string[] {
  if (requests === undefined) return [];
  return checkpoints.flatMap((checkpoint) => {
    const later = requests.filter(
      (logged) => logged.ticketId === ticketId && logged.stage === checkpoint.stage && logged.answered !== 'side-request' && Date.parse(logged.at) > Date.parse(checkpoint.createdAt),
    );
    return later.length === 0 ? [] : [`${ticketId} ${checkpoint.stage} was asked again ${later.length} time(s) after its checkpoint of ${checkpoint.createdAt}`];
  });
}

/** The batches hold no ticket the night did not plan. */
function checkBatchTotals(batches: readonly BatchRecord[], runsByBatch: ReadonlyMap<string, readonly { ticketId: string }[]>, expectations: readonly CrashTicketExpectation[]): string[] {
  const known = new Set(expectations.map((expectation) => expectation.ticketId));
  return batches.flatMap((batch) =>
    (runsByBatch.get(batch.id) ?? []).filter((run) => !known.has(run.ticketId)).map((run) => `batch ${batch.id} took ${run.ticketId}, which is not one of the night's tickets`),
  );
}

/** No agent record left in the registry, and no process still working inside the repository. */
function checkNoAgentLeft(repositoryRoot: string): string[] {
  const problems: string[] = [];
  const registry = join(repositoryRoot, NIGHTSHIFT_DIRECTORY, 'agent-processes');
  const records = existsSync(registry) ? readdirSync(registry).filter((name) => name.endsWith('.json')) : [];
  if (records.length > 0) problems.push(`${records.length} agent process record(s) left in ${NIGHTSHIFT_DIRECTORY}/agent-processes: ${records.join(', ')}`);
  for (const survivor of findProcessesInside(repositoryRoot)) problems.push(`process ${survivor.pid} still runs in ${survivor.cwd}: ${survivor.command}`);
  return problems;
}

function readMergeRequestFiles(directory: string): { sourceBranch: string }[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory)
    .filter((name) => name.endsWith('.json'))
    .map((name) => JSON.parse(readFileSync(join(directory, name), 'utf8')) as { sourceBranch: string });
}

/** The original ticket of every follow-up draft in the ticket directory (its `follow_up_of`). */
function readFollowUpOrigins(directory: string): string[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory)
    .filter((name) => name.endsWith('.md'))
    .flatMap((name) => {
      const match = /^follow_up_of:\s*"?([^"\n]+?)"?\s*$/m.exec(readFileSync(join(directory, name), 'utf8'));
      return match?.[1] === undefined ? [] : [match[1]];
    });
}

function readTicketStatus(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  return /^status:\s*"?([^"\n]+?)"?\s*$/m.exec(readFileSync(path, 'utf8'))?.[1];
}
