import { batchIdFor } from '../domain/batch-id.js';
import { buildBatchManifest, formatBatchManifest } from '../domain/batch-manifest.js';
import { planBatch, type BatchPlan } from '../domain/batch-plan.js';
import { newTicketRun } from '../domain/ticket-run.js';
import type { TicketProblem } from '../ports/ticket-source.js';
import type { PipelineDependencies } from './pipeline-dependencies.js';
import { intakeRefusalsPath } from './review.js';

/** Tracker statuses of tickets Nightshift already handed to reviewers or humans. */
export const IN_FLIGHT_TICKET_STATUSES = ['in-progress', 'in-review', 'partial', 'escalated'] as const;

export interface IntakeReport {
  batchId: string;
  /** Where the manifest was written, or undefined on a dry run or an empty batch. */
  manifestPath?: string;
  manifestText: string;
  plan: BatchPlan;
  /** Tickets already in flight (an MR in review, an open escalation), left out. */
  inFlight: { ticketId: string; status: string }[];
  problems: TicketProblem[];
  dryRun: boolean;
}

/**
 * Stage 1 of the seed: collect ready tickets, validate readiness, prioritize and
 * order them, cut at `max_tickets`, write the manifest and create the batch.
 * Refused tickets are told why through their tracker. A dry run writes nothing.
 */
export async function runIntake(dependencies: PipelineDependencies, request: { dryRun: boolean }): Promise<IntakeReport> {
  const { store, ticketSource, artifacts, clock, settings } = dependencies;
  const listing = await ticketSource.listTickets();
  const inFlight: IntakeReport['inFlight'] = [];
  for (const ticket of listing.tickets) {
    const status = ticket.status?.toLowerCase();
    if (status !== undefined && (IN_FLIGHT_TICKET_STATUSES as readonly string[]).includes(status)) inFlight.push({ ticketId: ticket.id, status });
  }
  const now = clock.now();
  const plan = planBatch({
    tickets: listing.tickets,
    readyLabel: settings.readyLabel,
    maxTickets: settings.maxTickets,
    excludedTicketIds: new Set(inFlight.map((ticket) => ticket.ticketId)),
  });
  const batchId = await uniqueBatchId(dependencies, batchIdFor(now, settings.batchNameSuffix));
  const manifest = buildBatchManifest({
    batchId,
    createdAt: now,
    config: { maxTickets: settings.maxTickets, timeoutPerTicketMinutes: settings.timeoutPerTicketMinutes, parallelAgents: settings.parallelAgents },
    tickets: plan.selected,
  });
  const createdAt = manifest.createdAt;
  const manifestText = formatBatchManifest(manifest);
  const report: IntakeReport = { batchId, manifestText, plan, inFlight, problems: listing.problems, dryRun: request.dryRun };
  if (request.dryRun) return report;

  for (const refusal of plan.refused) {
    await ticketSource.recordRefusal(refusal.ticketId, {
      checkedAt: createdAt,
      batchId,
      missingRequired: refusal.reasons,
      missingRecommended: refusal.missingRecommended,
    });
  }
  for (const ticket of plan.selected) await ticketSource.clearRefusal(ticket.id);
  if (plan.selected.length === 0) return report;

  const manifestRelativePath = `batches/${batchId}/manifest.yaml`;
  await artifacts.writeText(
    intakeRefusalsPath(batchId),
    `${JSON.stringify(plan.refused.map((refusal) => ({ ticketId: refusal.ticketId, reasons: refusal.reasons })), null, 2)}\n`,
  );
  report.manifestPath = await artifacts.writeText(manifestRelativePath, manifestText);
  await store.createBatch(
    {
      id: batchId,
      state: 'pending',
      createdAt,
      config: manifest.config,
      manifestPath: manifestRelativePath,
    },
    plan.selected,
    plan.selected.map((ticket) => newTicketRun(batchId, ticket.id, createdAt)),
  );
  return report;
}

/** A second batch on the same day gets `-2`, `-3` … so no batch is ever overwritten. */
async function uniqueBatchId(dependencies: PipelineDependencies, candidate: string): Promise<string> {
  if ((await dependencies.store.getBatch(candidate)) === undefined) return candidate;
  for (let counter = 2; ; counter += 1) {
    const next = `${candidate}-${counter}`;
    if ((await dependencies.store.getBatch(next)) === undefined) return next;
  }
}
