import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeAgentContract } from '../../../testing/contracts/agent.js';
import { AcpAgent } from './acp-agent.js';

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const codexAcp = join(repositoryRoot, 'node_modules', '.bin', 'codex-acp');

/** A model the pinned Codex knows with plain tools (`exec_command`, `apply_patch`), as for the codex adapter. */
const SCRIPTED_MODEL = 'gpt-5.5';

describeAgentContract('acp (codex-acp)', {
  capabilities: { resumeSession: true, readOnlyMode: true, structuredOutput: false, reportsCost: false },
  talksToModel: true,
  createAgent: (context) =>
    new AcpAgent({
      command: [codexAcp],
      model: SCRIPTED_MODEL,
      baseUrl: context.modelServerUrl,
      apiKey: 'sk-scripted-contract',
      environmentAllowList: context.environmentAllowList,
      parentEnvironment: context.parentEnvironment,
      maxRetries: 0,
    }),
});
