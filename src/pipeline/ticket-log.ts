import { maskSecretsDeep } from '../domain/mask-secrets.js';
import type { ArtifactStore } from '../ports/artifact-store.js';

/**
 * A ticket's log: one JSON line per agent event and pipeline step, under
 * `.nightshift/batches/<batch>/logs/<ticket>.ndjson`, so a person can follow one
 * ticket through the night. Writes are chained so lines keep their order. Agent
 * events carry what the agent wrote and ran, so secret-like values are masked before
 * anything reaches the file.
 */
export class TicketLog {
  private pending: Promise<void> = Promise.resolve();
  private readonly queued: string[] = [];
  readonly relativePath: string;

  constructor(
    private readonly artifacts: ArtifactStore,
    readonly batchId: string,
    readonly ticketId: string,
  ) {
    this.relativePath = ticketLogPath(batchId, ticketId);
  }

  /**
   * Queues one record; call {@link flush} before relying on it being on disk. An append
   * starts on the next turn of the event loop, and records queued until it starts (or while
   * one is under way) go out together: an agent streams events in bursts and the pipeline
   * writes a few records per step, and one append per burst keeps the log cheap without
   * reordering it.
   */
  write(record: Record<string, unknown>): void {
    this.queued.push(JSON.stringify(maskSecretsDeep({ batchId: this.batchId, ticketId: this.ticketId, ...record })));
    if (this.queued.length > 1) return;
    this.pending = this.pending
      .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
      .then(() => this.artifacts.appendLine(this.relativePath, this.queued.splice(0).join('\n')));
  }

  async flush(): Promise<void> {
    await this.pending;
  }
}

/** Where a ticket's log lives, relative to `.nightshift/`; ids are validated before they get here. */
export function ticketLogPath(batchId: string, ticketId: string): string {
  return `batches/${batchId}/logs/${ticketId}.ndjson`;
}
