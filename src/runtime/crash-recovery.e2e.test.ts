import { describe, expect, it } from 'vitest';
import { countDuplicates } from '../testing/crash-harness/check-crash-outcome.js';
import { runCrashTrial } from '../testing/crash-harness/run-crash-trial.js';

/**
 * Seeds whose kill plans (src/testing/crash-harness/crash-kill-plan.ts) land where it
 * matters: seed 2 kills shortly after a C1 starts and 143 ms after a commit step began
 * (between the commit, the draft MR and the run's state); seed 3 kills at the very start
 * of C0 and 64 ms into C2. `npm run bench:crash -- --trials 50` runs many more.
 */
const SEEDS = [2, 3];

describe('a night whose orchestrator is killed with SIGKILL and restarted', () => {
  for (const seed of SEEDS) {
    it(`ends every ticket where its script leads, with no duplicate effect and no agent left running (seed ${seed})`, async () => {
      const result = await runCrashTrial({ seed, ticketCount: 4, parallelAgents: 3, kills: 2, maximumDelayMilliseconds: 4_000 });
      expect(result.problems).toEqual([]);
      expect(result.duplicates).toEqual({ commits: 0, mergeRequests: 0, checkpoints: 0, followUps: 0, escalations: 0, batches: 0 });
      expect(countDuplicates(result.duplicates)).toBe(0);
      expect(result.kills.filter((kill) => kill.landed).length).toBeGreaterThan(0);
    }, 180_000);
  }
});
