import { stringify } from 'yaml';
import type { Clock } from '../ports/clock.js';
import { openRuntime, type Runtime } from '../runtime/open-runtime.js';
import { createGitFixture, type GitFixture } from './git-fixture.js';
import type { ScenarioDocument } from './model-server/scenario.js';
import { startModelServer, type RunningModelServer } from './model-server/start-model-server.js';

/** The variable the fixture's config names for the agent's key; its value is fake. */
const MODEL_KEY_VARIABLE = 'NIGHTSHIFT_TEST_MODEL_KEY';

export interface NightFixture {
  repository: GitFixture;
  server: RunningModelServer;
  /** Opens the runtime the way the CLI does, with the real Claude Code CLI as the agent. */
  openRuntime(environment?: Record<string, string>, clock?: Clock): Promise<Runtime>;
  cleanup(): Promise<void>;
}

/**
 * A real repository with tickets and a nightshift.yaml whose agent is the real
 * Claude Code CLI talking to a scripted model server: the whole night, locally.
 */
export async function createNightFixture(request: {
  files: Record<string, string>;
  tickets: Record<string, string>;
  scenario: ScenarioDocument;
  /** Gate name → command, or `{ command, report, format }` for a check that writes a report. */
  gates?: Record<string, string | { command: string; report?: string; format?: string }>;
  /** More of the config's `gates` section, e.g. `{ rerun_failed: false, concurrency: 2 }`. */
  gateSettings?: Record<string, unknown>;
  batch?: Record<string, unknown>;
  generation?: Record<string, unknown>;
  budget?: Record<string, unknown>;
  agent?: Record<string, unknown>;
  /** The config's `security` section, e.g. an `audit_command` pointed at a fake registry. */
  security?: Record<string, unknown>;
}): Promise<NightFixture> {
  const server = await startModelServer({ scenario: request.scenario });
  const config = {
    agent: { kind: 'claude-code', model: 'claude-sonnet-4-5', base_url: server.url, api_key_env: MODEL_KEY_VARIABLE, ...request.agent },
    batch: { max_tickets: 20, timeout_per_ticket: '10m', parallel_agents: 1, ...request.batch },
    gates: { timeout: '2m', ...request.gateSettings, commands: request.gates ?? {} },
    ...(request.generation === undefined ? {} : { generation: request.generation }),
    ...(request.budget === undefined ? {} : { budget: request.budget }),
    ...(request.security === undefined ? {} : { security: request.security }),
  };
  const ticketFiles = Object.fromEntries(Object.entries(request.tickets).map(([name, text]) => [`tickets/${name}`, text]));
  const repository = createGitFixture({ files: { ...request.files, ...ticketFiles, 'nightshift.yaml': stringify(config) } });
  return {
    repository,
    server,
    openRuntime: (environment = {}, clock) =>
      openRuntime({
        repositoryRoot: repository.root,
        environment: { ...process.env, [MODEL_KEY_VARIABLE]: 'scripted', ...environment },
        ...(clock === undefined ? {} : { clock }),
      }),
    cleanup: async () => {
      await server.close();
      repository.cleanup();
    },
  };
}
