import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeAgentContract } from '../../../testing/contracts/agent.js';
import { AcpAgent } from './acp-agent.js';

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const gemini = join(repositoryRoot, 'node_modules', '.bin', 'gemini');

describeAgentContract('acp (gemini --acp)', {
  capabilities: { resumeSession: false, readOnlyMode: true, structuredOutput: false, reportsCost: false },
  talksToModel: true,
  // The Gemini CLI loads for about 3 s of CPU before its first model call; on a busy two-core machine 5 s was not always enough.
  timeoutCaseMilliseconds: 10_000,
  createAgent: (context) =>
    new AcpAgent({
      command: [gemini, '--acp'],
      model: 'gemini-2.5-flash',
      baseUrl: context.modelServerUrl,
      apiKey: 'scripted-gemini-key',
      environmentAllowList: context.environmentAllowList,
      parentEnvironment: context.parentEnvironment,
      sandbox: context.sandbox,
      maxRetries: 0,
    }),
});
