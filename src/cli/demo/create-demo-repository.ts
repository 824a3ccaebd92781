import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { DEMO_REPOSITORY_FILES } from './demo-repository.js';
import { DEMO_TICKET_FILES } from './demo-tickets.js';

const run = promisify(execFile);

/** The environment variable the demo's config names for the agent's (fake) model key. */
export const DEMO_MODEL_KEY_VARIABLE = 'NIGHTSHIFT_DEMO_MODEL_KEY';

/** Which agent the demo runs: any registered kind; a `command` agent needs its command template, an `acp` agent its command. */
export interface DemoAgentChoice {
  kind: string;
  commandTemplate?: string;
  acpCommand?: string[];
}

/**
 * Model names the scripted model server plays well with, per agent kind: Codex needs a slug
 * it knows, Gemini one that skips its "auto" routing. Other kinds use their adapter's default.
 */
const DEMO_MODELS: Record<string, string> = { 'claude-code': 'claude-sonnet-4-5', acp: 'claude-sonnet-4-5', codex: 'gpt-5.5', gemini: 'gemini-2.5-flash' };

/**
 * Creates the demo's git repository: the sample library, its backlog under
 * `tickets/`, and a `nightshift.yaml` whose agent talks to the scripted model server.
 */
export async function createDemoRepository(root: string, modelServerUrl: string, agent: DemoAgentChoice = { kind: 'claude-code' }): Promise<void> {
  await mkdir(root, { recursive: true });
  const git = (...args: string[]) => run('git', args, { cwd: root });
  await git('init', '--quiet', '--initial-branch', 'main');
  await git('config', 'user.name', 'Demo Developer');
  await git('config', 'user.email', 'developer@demo.invalid');
  await writeFiles(root, DEMO_REPOSITORY_FILES);
  await git('add', '-A');
  await git('commit', '--quiet', '-m', 'Initial commit of string-kit');
  await writeFiles(
    join(root, 'tickets'),
    DEMO_TICKET_FILES,
  );
  await writeFile(join(root, 'nightshift.yaml'), demoConfigText(modelServerUrl, agent));
  await git('add', '-A');
  await git('commit', '--quiet', '-m', 'Add the backlog and the Nightshift configuration');
}

/**
 * The demo's nightshift.yaml: the seed's batch defaults except four agents at once (the
 * seed's three would add a wave for the demo's seventh ticket), the library's own checks as gates.
 */
export function demoConfigText(modelServerUrl: string, agent: DemoAgentChoice = { kind: 'claude-code' }): string {
  const model = DEMO_MODELS[agent.kind];
  const config = {
    tracker: { kind: 'files', directory: 'tickets', ready_label: 'ready-for-agent' },
    agent: {
      kind: agent.kind,
      ...(model === undefined ? {} : { model }),
      base_url: modelServerUrl,
      api_key_env: DEMO_MODEL_KEY_VARIABLE,
      ...(agent.commandTemplate === undefined ? {} : { command: agent.commandTemplate }),
      ...(agent.acpCommand === undefined ? {} : { acp_command: agent.acpCommand }),
    },
    batch: { max_tickets: 20, timeout_per_ticket: '30m', parallel_agents: 4 },
    repository: { base_branch: 'main', branch_prefix: 'agent/' },
    gates: { timeout: '5m', commands: { test: 'node --test', lint: 'node scripts/lint.js' } },
  };
  return `# Nightshift demo configuration: the agent talks to the scripted model server.\n${stringify(config)}`;
}

async function writeFiles(root: string, files: Record<string, string>): Promise<void> {
  for (const [relativePath, content] of Object.entries(files)) {
    const path = join(root, relativePath);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
  }
}
