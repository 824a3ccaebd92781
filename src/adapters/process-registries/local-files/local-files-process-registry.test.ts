import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isProcessGoneSoon } from '../../../testing/process-liveness.js';
import { LocalFilesProcessRegistry } from './local-files-process-registry.js';

const directories: string[] = [];
afterEach(() => directories.splice(0).forEach((directory) => rmSync(directory, { recursive: true, force: true })));

function registryDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'nightshift-processes-'));
  directories.push(directory);
  return join(directory, 'agent-processes');
}

/** A stand-in for an agent: a detached process group with a child, like a real agent CLI. */
function startSleepingGroup(): number {
  const child = spawn('sh', ['-c', 'sleep 60 & sleep 60'], { detached: true, stdio: 'ignore' });
  child.unref();
  if (child.pid === undefined) throw new Error('could not start the stand-in agent');
  return child.pid;
}

describe('LocalFilesProcessRegistry', () => {
  it('ends the process group of an agent whose orchestrator died, and forgets it', async () => {
    const directory = registryDirectory();
    const registry = new LocalFilesProcessRegistry(directory);
    const agent = startSleepingGroup();
    const deadOrchestrator = 2 ** 22 + 12345;
    await registry.record({ processId: agent, orchestratorProcessId: deadOrchestrator, batchId: 'b', ticketId: 'PROJ-1', startedAt: '2024-01-15T18:00:00Z' });
    const reaped = await registry.reapOrphans();
    expect(reaped.map((record) => record.processId)).toEqual([agent]);
    expect(await isProcessGoneSoon(agent)).toBe(true);
    expect(readdirSync(directory)).toEqual([]);
  });

  it('leaves alone the agents of a live orchestrator and of this one', async () => {
    const directory = registryDirectory();
    const registry = new LocalFilesProcessRegistry(directory);
    const agent = startSleepingGroup();
    try {
      await registry.record({ processId: agent, orchestratorProcessId: process.ppid, batchId: 'b', ticketId: 'PROJ-1', startedAt: '2024-01-15T18:00:00Z' });
      await registry.record({ processId: agent + 1, orchestratorProcessId: process.pid, batchId: 'b', ticketId: 'PROJ-2', startedAt: '2024-01-15T18:00:00Z' });
      expect(await registry.reapOrphans()).toEqual([]);
      expect(readdirSync(directory).sort()).toEqual([`${agent + 1}.json`, `${agent}.json`].sort());
      await registry.release(agent);
      expect(readdirSync(directory)).toEqual([`${agent + 1}.json`]);
    } finally {
      process.kill(-agent, 'SIGKILL');
    }
  });
});
