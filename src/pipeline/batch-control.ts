import type { AgentUsage } from '../ports/agent.js';

/**
 * What every ticket worker of one generation run shares: whether stages may start
 * (a rate-limit pause holds them all), whether the batch is stopping (the user
 * stopped it, or it was aborted), and the batch's running usage for its budget.
 */
export class BatchControl {
  private pause: { until: Date; released: Promise<void>; release: () => void } | undefined;
  private abortReason: string | undefined;
  private readonly internalStop = new AbortController();
  readonly usage: Required<AgentUsage> = { inputTokens: 0, outputTokens: 0, costUsd: 0 };

  constructor(externalSignal?: AbortSignal) {
    if (externalSignal?.aborted === true) this.internalStop.abort();
    externalSignal?.addEventListener('abort', () => this.internalStop.abort(), { once: true });
  }

  /** Aborts when the batch must stop: running agents are ended and keep their last checkpoint. */
  get signal(): AbortSignal {
    return this.internalStop.signal;
  }

  get stopping(): boolean {
    return this.internalStop.signal.aborted;
  }

  get abortedBecause(): string | undefined {
    return this.abortReason;
  }

  get pausedUntil(): Date | undefined {
    return this.pause?.until;
  }

  /** Waits out a pause; says whether the next stage may start. */
  async beforeStage(): Promise<'go' | 'stop'> {
    while (this.pause !== undefined && !this.stopping) await this.pause.released;
    return this.stopping ? 'stop' : 'go';
  }

  startPause(until: Date): void {
    if (this.pause !== undefined) return;
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    this.pause = { until, released, release };
  }

  endPause(): void {
    const pause = this.pause;
    this.pause = undefined;
    pause?.release();
  }

  /** Stops the batch for good (too many rate limits): every worker ends at once, work kept. */
  abort(reason: string): void {
    this.abortReason = reason;
    this.internalStop.abort();
    this.endPause();
  }

  addUsage(usage: AgentUsage): void {
    this.usage.inputTokens += usage.inputTokens;
    this.usage.outputTokens += usage.outputTokens;
    this.usage.costUsd += usage.costUsd ?? 0;
  }
}
