import { stringify } from 'yaml';
import { createGitFixture, type GitFixture } from '../git-fixture.js';
import type { CrashNight } from './crash-night-scenario.js';

/** The variable the crash repository's config names for the agent's key; its value is fake. */
export const CRASH_MODEL_KEY_VARIABLE = 'NIGHTSHIFT_CRASH_MODEL_KEY';

/** A gate that always passes: the crash test is about durability, not about checks. */
export const TRIVIAL_GATE = 'node -e "process.exit(0)"';

/**
 * A real repository holding the crash night's tickets and a nightshift.yaml whose agent
 * is the real Claude Code CLI talking to the scripted model server at `modelServerUrl`.
 * The server belongs to the caller: it must outlive every killed orchestrator.
 */
export function createCrashRepository(request: { night: CrashNight; modelServerUrl: string; parallelAgents: number }): GitFixture {
  const config = {
    agent: { kind: 'claude-code', model: 'claude-sonnet-4-5', base_url: request.modelServerUrl, api_key_env: CRASH_MODEL_KEY_VARIABLE },
    batch: { max_tickets: 50, timeout_per_ticket: '10m', parallel_agents: request.parallelAgents },
    gates: { timeout: '2m', commands: { check: TRIVIAL_GATE } },
  };
  return createGitFixture({ files: { ...request.night.files, 'nightshift.yaml': stringify(config) } });
}
