import type { Agent, AgentCapabilities, AgentEvent, AgentStageRequest, AgentStageResult } from '../src/ports/agent.js';

/**
 * An {@link Agent} for the overhead benchmark that wraps the instant agent and, before
 * the first stage of every `ticketsPerChunk`-th ticket, pauses Nightshift to run the next
 * chunk of the bash baseline. Nightshift and the baseline thus alternate every few
 * seconds inside one 200-ticket batch, so a slow spell of the disk (these machines have
 * many) lands on both sides instead of on whichever ran then. The pauses are timed and
 * subtracted from Nightshift's time. Chunks not run by the end (a ticket that never
 * started) are run by {@link runRemainingChunks}.
 */
export class BaselineInterleavingAgent implements Agent {
  readonly name: string;
  readonly capabilities: AgentCapabilities;
  /** Wall time spent running baseline chunks inside Nightshift's run. */
  pausedMilliseconds = 0;
  private ticketsStarted = 0;
  private chunksRun = 0;

  constructor(
    private readonly inner: Agent,
    private readonly settings: {
      ticketsPerChunk: number;
      chunkCount: number;
      /** Runs chunk `index` of the baseline to completion (synchronously) and returns its wall time. */
      runChunk: (index: number) => number;
    },
  ) {
    this.name = inner.name;
    this.capabilities = inner.capabilities;
  }

  checkAvailable(): ReturnType<Agent['checkAvailable']> {
    return this.inner.checkAvailable();
  }

  async runStage(request: AgentStageRequest, onEvent: (event: AgentEvent) => void): Promise<AgentStageResult> {
    if (request.stage === 'C0' && request.attempt === 1) {
      if (this.ticketsStarted % this.settings.ticketsPerChunk === 0) this.runNextChunk();
      this.ticketsStarted += 1;
    }
    return this.inner.runStage(request, onEvent);
  }

  /** Runs the baseline chunks no ticket start triggered; call after Nightshift's run (not timed as Nightshift). */
  runRemainingChunks(): void {
    while (this.chunksRun < this.settings.chunkCount) this.runNextChunk();
  }

  private runNextChunk(): void {
    if (this.chunksRun >= this.settings.chunkCount) return;
    const started = performance.now();
    this.settings.runChunk(this.chunksRun);
    this.chunksRun += 1;
    this.pausedMilliseconds += performance.now() - started;
  }
}
