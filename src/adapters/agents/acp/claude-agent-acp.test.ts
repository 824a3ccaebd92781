import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeAgentContract } from '../../../testing/contracts/agent.js';
import { AcpAgent } from './acp-agent.js';

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const claudeAgentAcp = join(repositoryRoot, 'node_modules', '.bin', 'claude-agent-acp');

/** The contract alone (about 40 s: Claude Code starts in about two seconds per run); the agent's own cases are in acp-agent.test.ts. */
describeAgentContract('acp (claude-agent-acp)', {
  capabilities: { resumeSession: true, readOnlyMode: true, structuredOutput: false, reportsCost: true },
  talksToModel: true,
  createAgent: (context) =>
    new AcpAgent({
      command: [claudeAgentAcp],
      baseUrl: context.modelServerUrl,
      apiKey: 'sk-ant-scripted-contract',
      environmentAllowList: context.environmentAllowList,
      parentEnvironment: context.parentEnvironment,
      sandbox: context.sandbox,
      maxRetries: 0,
    }),
});
