import type { Agent, AgentCapabilities, AgentEvent, AgentStageRequest, AgentStageResult } from '../src/ports/agent.js';

/**
 * An {@link Agent} for the overhead benchmark that wraps the instant agent and pauses
 * Nightshift, before the first stage of a ticket that starts a chunk of `ticketsPerChunk`,
 * to run chunks of the bash baseline. Nightshift and the baseline thus alternate every few
 * seconds inside one 200-ticket batch, so a slow spell of the disk (these machines have
 * many) lands on both sides instead of on whichever ran then. The order is A-B-B-A —
 * baseline 0, Nightshift 0, Nightshift 1, baseline 1, baseline 2, Nightshift 2, … — so a
 * disk that slows down (or speeds up) steadily through the run favours neither side. The
 * pauses are timed and subtracted from Nightshift's time. Chunks not run by the end (the
 * last one, or a ticket that never started) are run by {@link runRemainingChunks}.
 */
export class BaselineInterleavingAgent implements Agent {
  readonly name: string;
  readonly capabilities: AgentCapabilities;
  /**
   * When each pause began and ended (`performance.now()`), in order: Nightshift's time
   * between two pauses is the work of the tickets between them, which the bench pairs with
   * the baseline chunks run at those pauses.
   */
  readonly pauses: { started: number; ended: number }[] = [];
  private ticketsStarted = 0;
  private chunksRun = 0;

  /** Wall time spent running baseline chunks inside Nightshift's run: the pauses, summed. */
  get pausedMilliseconds(): number {
    return this.pauses.reduce((sum, pause) => sum + pause.ended - pause.started, 0);
  }

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
      if (this.ticketsStarted % this.settings.ticketsPerChunk === 0) {
        // Before Nightshift's chunk k (k even): the baseline chunk that closes pair k-1, then the one that opens pair k.
        const chunk = this.ticketsStarted / this.settings.ticketsPerChunk;
        if (chunk % 2 === 0 && this.chunksRun < Math.min(chunk + 1, this.settings.chunkCount)) {
          const started = performance.now();
          while (this.chunksRun < Math.min(chunk + 1, this.settings.chunkCount)) this.runNextChunk();
          this.pauses.push({ started, ended: performance.now() });
        }
      }
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
    this.settings.runChunk(this.chunksRun);
    this.chunksRun += 1;
  }
}
