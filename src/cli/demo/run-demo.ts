import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { explainTicketScore, type ScoreExplanation } from '../../pipeline/explain-score.js';
import { runBatch, type NightReport } from '../../pipeline/run-batch.js';
import { quoteForShell } from '../../adapters/agents/command/command-agent.js';
import { AGENT_REGISTRY } from '../../runtime/agent-registry.js';
import { openRuntime } from '../../runtime/open-runtime.js';
import { UserFacingError } from '../../runtime/user-facing-error.js';
import { startModelServer } from '../../testing/model-server/start-model-server.js';
import { formatNightReport } from '../commands/run-command.js';
import { formatScoreExplanation } from '../commands/score-command.js';
import { ProgressDisplay, type ProgressOutput } from '../progress-display.js';
import { requireAgent } from '../require-agent.js';
import { createDemoRepository, DEMO_MODEL_KEY_VARIABLE } from './create-demo-repository.js';
import { DEMO_SCENARIO } from './demo-scenario.js';

const run = promisify(execFile);

export interface DemoResult {
  directory: string;
  repository: string;
  report: NightReport;
  /** Each gated MR's score explained (what `nightshift score` prints), in queue order. */
  scores: ScoreExplanation[];
}

/**
 * `nightshift demo`: a sample repository, eight tickets that walk every path, the
 * scripted model server, and the whole pipeline run by the real agent CLI against it.
 */
export async function runDemo(request: { directory?: string; reviewWidth?: number; output: ProgressOutput; agentKind?: string }): Promise<DemoResult> {
  const agentKind = request.agentKind ?? 'claude-code';
  requireRegisteredKind(agentKind);
  const directory = request.directory === undefined ? await mkdtemp(join(tmpdir(), 'nightshift-demo-')) : resolve(request.directory);
  const repository = join(directory, 'repository');
  const scenarioPath = join(directory, 'scenario.yaml');
  await mkdir(directory, { recursive: true });
  await writeFile(scenarioPath, `# What the scripted model answers in the demo (abstract actions per ticket and stage).\n${stringify(DEMO_SCENARIO)}`);
  const server = await startModelServer({ scenario: DEMO_SCENARIO, requestLogPath: join(directory, 'model-requests.ndjson') });
  try {
    await createDemoRepository(repository, server.url, {
      kind: agentKind,
      ...(agentKind === 'command' ? { commandTemplate: scriptedCommandTemplate(scenarioPath) } : {}),
      // The generic ACP adapter needs an agent to speak to: the pinned claude-agent-acp, installed beside Nightshift.
      ...(agentKind === 'acp' ? { acpCommand: [fileURLToPath(new URL('../../../node_modules/.bin/claude-agent-acp', import.meta.url))] } : {}),
    });
    const runtime = await openRuntime({ repositoryRoot: repository, environment: { ...process.env, [DEMO_MODEL_KEY_VARIABLE]: 'scripted-model-key' } });
    try {
      await requireAgent(runtime.dependencies.agent);
      const display = new ProgressDisplay(request.output);
      display.start(`Nightshift demo in ${directory}\nScripted model server at ${server.url}; agent: ${runtime.dependencies.agent.name}`);
      const report = await runBatch(runtime.dependencies, request.reviewWidth === undefined ? {} : { reviewWidth: request.reviewWidth }, display.listener).finally(() =>
        display.stop(),
      );
      const scores: ScoreExplanation[] = [];
      for (const item of report.review?.queue ?? []) {
        if (item.kind !== 'merge-request') continue;
        const lookup = await explainTicketScore(runtime.dependencies, { ticketId: item.ticketId, batchId: report.review!.batch.id });
        if (lookup.ok) scores.push(lookup.explanation);
      }
      return { directory, repository, report, scores };
    } finally {
      await runtime.close();
    }
  } finally {
    await server.close();
  }
}

/** Refused before anything is created: the demo runs any agent the registry knows, and only those. */
function requireRegisteredKind(kind: string): void {
  const registered = Object.keys(AGENT_REGISTRY);
  if (!registered.includes(kind)) throw new UserFacingError(`--agent ${JSON.stringify(kind)} is not a registered agent kind; use one of: ${registered.join(', ')}`, 'invalid-input');
}

/**
 * For `--agent command`: the scripted command agent, which plays the demo's scenario file
 * itself (a command agent cannot be pointed at a model server), run by this Node — with
 * the tsx loader when Nightshift runs from its TypeScript sources.
 */
export function scriptedCommandTemplate(scenarioPath: string): string {
  const extension = extname(fileURLToPath(import.meta.url));
  const script = fileURLToPath(new URL(`../../testing/model-server/scripted-command-agent${extension}`, import.meta.url));
  const loader = extension === '.ts' ? `--import ${quoteForShell(import.meta.resolve('tsx'))} ` : '';
  return `${quoteForShell(process.execPath)} ${loader}${quoteForShell(script)} {prompt_file} ${quoteForShell(scenarioPath)}`;
}

/** What `nightshift demo` prints: the night report with the review box, the scores explained, and where to look. */
export async function formatDemoOutput(result: DemoResult): Promise<string> {
  return [formatNightReport(result.report), formatDemoScores(result), await formatDemoGuide(result)].join('\n');
}

/**
 * The top MR's score, every point won and lost (the box shows only the number), and
 * the command that explains each of the others.
 */
export function formatDemoScores(result: DemoResult): string {
  const [top, ...others] = result.scores;
  if (top === undefined) return '';
  const lines = [`Why ${top.ticketId}, the top MR of the queue, scored ${top.qualityScore} (nightshift score ${top.ticketId}):`, '', formatScoreExplanation(top).trimEnd()];
  if (others.length > 0) {
    lines.push('', `The other MRs' scores, explained by nightshift score <ticket> --repo ${result.repository}:`);
    for (const explanation of others) {
      const lost = explanation.breakdown.filter((item) => item.lost > 0).map((item) => `${item.criterion} −${item.lost}`);
      lines.push(`  ${explanation.ticketId}  ${explanation.qualityScore}${lost.length === 0 ? '' : `  (${lost.join(', ')})`}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Where to look after the demo: the manifest, branches, logs, summaries and the scenario. */
export async function formatDemoGuide(result: DemoResult): Promise<string> {
  const batchId = result.report.intake?.batchId ?? result.report.review?.batch.id ?? '<batch>';
  const { stdout } = await run('git', ['branch', '--list', 'agent/*', '--format=%(refname:short)'], { cwd: result.repository });
  const branches = stdout.split('\n').filter((line) => line.length > 0);
  const state = join(result.repository, '.nightshift');
  return [
    'Where to look:',
    `  Repository         ${result.repository}`,
    `  Batch manifest     ${join(state, 'batches', batchId, 'manifest.yaml')}`,
    `  Branches           ${branches.join(', ') || '(none)'}`,
    `  Commit trailers    git -C ${result.repository} log -1 ${branches[0] ?? 'agent/DEMO-101'}`,
    `  Ticket logs        ${join(state, 'batches', batchId, 'logs')}/<ticket>.ndjson`,
    `  Review summaries   ${join(state, 'batches', batchId, 'reviews')}/<ticket>.md`,
    `  Draft MRs          ${join(state, 'merge-requests')}`,
    `  Refused ticket     ${join(result.repository, 'tickets', 'DEMO-105.md')} (see its readiness block)`,
    `  Model scenario     ${join(result.directory, 'scenario.yaml')}`,
    `  Model requests     ${join(result.directory, 'model-requests.ndjson')}`,
    `  Again, by hand     nightshift review --repo ${result.repository}`,
    '',
  ].join('\n');
}
