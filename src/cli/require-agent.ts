import type { Agent } from '../ports/agent.js';
import { UserFacingError } from '../runtime/user-facing-error.js';

/** Stops before any ticket is touched when the configured agent cannot run at all. */
export async function requireAgent(agent: Agent): Promise<void> {
  const availability = await agent.checkAvailable();
  if (!availability.ok) throw new UserFacingError(`the agent "${agent.name}" cannot run: ${availability.problem}`, 'environment');
}
