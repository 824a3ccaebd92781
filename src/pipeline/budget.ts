import type { AgentUsage } from '../ports/agent.js';

/**
 * Says why usage is over a cap, or undefined when it is within. Tokens count input and
 * output together; cost is what the agent reported, in US dollars.
 */
export function budgetProblem(scope: 'ticket' | 'batch', usage: AgentUsage, caps: { tokens?: number | undefined; costUsd?: number | undefined }): string | undefined {
  const tokens = usage.inputTokens + usage.outputTokens;
  if (caps.tokens !== undefined && tokens > caps.tokens) {
    return `budget: the ${scope} used ${tokens.toLocaleString('en-US')} tokens, over its cap of ${caps.tokens.toLocaleString('en-US')}`;
  }
  const cost = usage.costUsd ?? 0;
  if (caps.costUsd !== undefined && cost > caps.costUsd) {
    return `budget: the ${scope} cost $${cost.toFixed(2)}, over its cap of $${caps.costUsd.toFixed(2)}`;
  }
  return undefined;
}
