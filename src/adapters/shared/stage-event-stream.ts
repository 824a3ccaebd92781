import type { AgentEvent, AgentStageResult } from '../../ports/agent.js';

/**
 * The normalized event stream of one stage run: readers emit as the CLI's output arrives,
 * and {@link StageEventStream.finish} closes it the same way for every adapter — exactly one
 * `agent-start` first (even when the CLI never started), a `rate-limit` event when the stage
 * ends rate-limited, and exactly one `agent-end` last.
 */
export class StageEventStream {
  private started = false;

  constructor(
    private readonly agentName: string,
    private readonly onEvent: (event: AgentEvent) => void,
    private readonly now: () => Date,
  ) {}

  at(): string {
    return this.now().toISOString();
  }

  /** Emits `agent-start` unless it was already emitted. */
  start(details: { sessionId?: string; model?: string } = {}): void {
    if (this.started) return;
    this.emit({ type: 'agent-start', at: this.at(), agent: this.agentName, ...details });
  }

  emit(event: AgentEvent): void {
    if (event.type === 'agent-start') {
      if (this.started) return;
      this.started = true;
    }
    this.onEvent(event);
  }

  finish(result: AgentStageResult): AgentStageResult {
    this.start(result.sessionId === undefined ? {} : { sessionId: result.sessionId });
    if (result.outcome === 'rate-limited') {
      this.emit({ type: 'rate-limit', at: this.at(), ...result.rateLimit, message: result.errorMessage ?? 'rate limited' });
    }
    this.emit({ type: 'agent-end', at: this.at(), outcome: result.outcome, ...(result.errorMessage === undefined ? {} : { errorMessage: result.errorMessage }) });
    return result;
  }
}
