/**
 * Remembers which agent processes are running, outside the orchestrator's memory, so
 * that after a crash (kill -9, reboot of the orchestrator alone) the next run can end
 * the agents the dead orchestrator left behind.
 */
export interface AgentProcessRegistry {
  record(process: AgentProcessRecord): Promise<void>;
  release(processId: number): Promise<void>;
  /** Ends the process groups of agents whose orchestrator is gone; returns what it ended. */
  reapOrphans(): Promise<AgentProcessRecord[]>;
}

export interface AgentProcessRecord {
  processId: number;
  /** The orchestrator that started it; while that one lives, its agents are not orphans. */
  orchestratorProcessId: number;
  batchId: string;
  ticketId: string;
  startedAt: string;
}
