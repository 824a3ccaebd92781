import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentProcessRecord, AgentProcessRegistry } from '../../../ports/agent-process-registry.js';

/**
 * One small JSON file per running agent under `.nightshift/agent-processes/`. A file
 * outlives a crashed orchestrator, which is the point: the next run reads it, sees the
 * orchestrator is gone, and ends the agent's whole process group.
 */
export class LocalFilesProcessRegistry implements AgentProcessRegistry {
  constructor(
    private readonly directory: string,
    private readonly isAlive: (processId: number) => boolean = isProcessAlive,
    private readonly killGroup: (processId: number) => void = killProcessGroup,
  ) {}

  /**
   * Written synchronously, before the promise is even returned: the record must be on
   * disk before anything else happens, or a crash right after the spawn leaves an agent
   * no restart can find.
   */
  record(process: AgentProcessRecord): Promise<void> {
    mkdirSync(this.directory, { recursive: true });
    const path = this.pathOf(process.processId);
    const temporary = `${path}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(process)}\n`);
    renameSync(temporary, path);
    return Promise.resolve();
  }

  async release(processId: number): Promise<void> {
    await rm(this.pathOf(processId), { force: true });
  }

  async reapOrphans(): Promise<AgentProcessRecord[]> {
    let names: string[];
    try {
      names = await readdir(this.directory);
    } catch {
      return [];
    }
    const reaped: AgentProcessRecord[] = [];
    for (const name of names.filter((candidate) => /^[0-9]+\.json$/.test(candidate))) {
      const record = await this.read(join(this.directory, name));
      if (record === undefined) {
        await rm(join(this.directory, name), { force: true });
        continue;
      }
      if (record.orchestratorProcessId !== process.pid && this.isAlive(record.orchestratorProcessId)) continue;
      if (record.orchestratorProcessId === process.pid) continue;
      if (this.isAlive(record.processId)) {
        this.killGroup(record.processId);
        reaped.push(record);
      }
      await rm(join(this.directory, name), { force: true });
    }
    return reaped;
  }

  private pathOf(processId: number): string {
    if (!Number.isInteger(processId) || processId <= 0) throw new Error(`not a process id: ${processId}`);
    return join(this.directory, `${processId}.json`);
  }

  private async read(path: string): Promise<AgentProcessRecord | undefined> {
    try {
      const value = JSON.parse(await readFile(path, 'utf8')) as Partial<AgentProcessRecord>;
      if (typeof value.processId !== 'number' || typeof value.orchestratorProcessId !== 'number') return undefined;
      return value as AgentProcessRecord;
    } catch {
      return undefined;
    }
  }
}

function isProcessAlive(processId: number): boolean {
  try {
    process.kill(processId, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function killProcessGroup(processId: number): void {
  for (const target of [-processId, processId]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}
