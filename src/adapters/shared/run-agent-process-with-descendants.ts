import { runAgentProcess, type AgentProcessOutcome, type AgentProcessRequest } from './run-agent-process.js';
import { DescendantProcessGroups } from './descendant-process-groups.js';

/**
 * {@link runAgentProcess} for an agent that starts its commands in process groups of their
 * own (the Gemini CLI and OpenCode do, for every shell command): those groups are ended too,
 * after the agent exits and when a timeout or an abort ends it. The timeout and the caller's abort go
 * through one signal of ours, so the agent's descendants are looked up right before it is
 * ended: a command started a moment ago is not missed, and once the agent is gone its
 * commands can no longer be traced back to it.
 */
export async function runAgentProcessWithDescendants(request: AgentProcessRequest): Promise<AgentProcessOutcome> {
  const descendants = new DescendantProcessGroups();
  const grace = request.killGraceMilliseconds ?? 3_000;
  const stop = new AbortController();
  let timedOut = false;
  const stopNow = (): void => {
    if (stop.signal.aborted) return;
    descendants.scan();
    stop.abort();
  };
  const timeoutTimer = setTimeout(() => {
    if (stop.signal.aborted) return;
    timedOut = true;
    stopNow();
  }, request.timeoutMilliseconds);
  if (request.signal?.aborted === true) stopNow();
  else request.signal?.addEventListener('abort', stopNow, { once: true });
  const outcome = await runAgentProcess({
    ...request,
    // Only a backstop: our own timer ends the run first.
    timeoutMilliseconds: request.timeoutMilliseconds + 2 * grace,
    signal: stop.signal,
    onStart: (processId) => {
      descendants.watch(processId);
      request.onStart?.(processId);
    },
  }).finally(() => {
    clearTimeout(timeoutTimer);
    request.signal?.removeEventListener('abort', stopNow);
  });
  await descendants.endLeftovers(grace);
  if (timedOut) return { ...outcome, timedOut: true, cancelled: false };
  return outcome;
}
