import { resolve } from 'node:path';
import type { Command } from 'commander';
import { formatConfigProblem, loadConfig } from '../../config/load-config.js';
import { DEFAULT_CONFIG, type AgentConfig, type AgentKind } from '../../config/nightshift-config.js';
import { runAgentDoctor, type AgentDoctorCheck, type AgentDoctorReport } from '../../runtime/agent-doctor.js';
import { AGENT_REGISTRY } from '../../runtime/agent-registry.js';
import { UserFacingError } from '../../runtime/user-facing-error.js';
import { EXIT_CODES } from '../exit-codes.js';
import { printJson, type RepositoryOptions } from '../with-runtime.js';

/** `nightshift agents …`: look at the coding agents Nightshift drives. */
export function registerAgentsCommand(program: Command): void {
  const agents = program.command('agents').description('Check the coding agents Nightshift drives');
  agents
    .command('doctor')
    .description('For each configured agent (and its per-stage variants and failover agents): find the binary, print its version, and run a one-turn smoke test against a scripted model')
    .option('--kind <kinds...>', `check these agent kinds with default settings instead of nightshift.yaml's (registered: ${registeredKinds().join(', ')})`)
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      `
Each agent gets three checks:
  binary      found, and its version (the agent's --version)
  smoke test  one C0 turn in a throw-away git worktree, against a scripted model
              server started for the check: the agent must hand back the JSON it was given
  read-only   a write attempted at a read-only stage must not land (agents without a
              read-only mode say so; the pipeline's after-stage checks guard them)

The agent's model address is pointed at the scripted server, so no token is spent. A
"command" agent runs its command as configured; it may use $NIGHTSHIFT_MODEL_BASE_URL and
$NIGHTSHIFT_SCENARIO_FILE to rehearse against the scripted model.
Exit codes: 0 every agent passed; 2 bad config or unknown --kind; 3 an agent is not ready.`,
    )
    .action(async (options: { kind?: string[]; json?: boolean }, command: Command) => {
      const repositoryRoot = resolve(command.optsWithGlobals<RepositoryOptions>().repo ?? process.cwd());
      const configs = options.kind === undefined ? [await configuredAgent(repositoryRoot)] : options.kind.map(defaultAgentOfKind);
      const checks: AgentDoctorCheck[] = [];
      for (const config of configs) {
        if (options.json !== true) process.stderr.write(`Checking ${config.kind}…\n`);
        checks.push(...(await runAgentDoctor({ config, environment: process.env, repositoryRoot })).checks);
      }
      const report: AgentDoctorReport = { checks, ok: checks.every((check) => check.ok) };
      if (options.json === true) printJson(report);
      else process.stdout.write(formatDoctorReport(report));
      process.exitCode = report.ok ? EXIT_CODES.ok : EXIT_CODES.environment;
    });
}

/** The report for people: one block per agent, a mark per check, and a verdict. */
export function formatDoctorReport(report: AgentDoctorReport): string {
  const mark = (status: string): string => (status === 'passed' || status === 'enforced' ? '✓' : status === 'failed' || status === 'not-enforced' ? '✗' : '–');
  const lines = ['Nightshift agents doctor (scripted model server: no token is spent)', ''];
  for (const check of report.checks) {
    lines.push(`${check.ok ? '✓' : '✗'} ${check.label}`);
    lines.push(`    binary      ${mark(check.binary.status)} ${check.binary.status === 'passed' ? `found: ${check.version ?? 'unknown version'}` : check.binary.detail}`);
    lines.push(`    smoke test  ${mark(check.smokeTest.status)} ${check.smokeTest.status}: ${check.smokeTest.detail}`);
    lines.push(`    read-only   ${mark(check.readOnly.status)} ${check.readOnly.status}: ${check.readOnly.detail}`);
    lines.push(`    sandbox     ${check.sandbox.status === 'active' ? '✓' : check.sandbox.status === 'failed' ? '✗' : '–'} ${check.sandbox.status}: ${check.sandbox.detail}`);
  }
  const failing = report.checks.filter((check) => !check.ok).length;
  lines.push('', failing === 0 ? `All ${report.checks.length} agent(s) ready.` : `${failing} of ${report.checks.length} agent(s) not ready.`, '');
  return lines.join('\n');
}

async function configuredAgent(repositoryRoot: string): Promise<AgentConfig> {
  const loaded = await loadConfig(repositoryRoot);
  if (loaded.errors.length > 0 || loaded.config === undefined) {
    throw new UserFacingError(`the configuration has ${loaded.errors.length} error(s)`, 'invalid-input', loaded.errors.map(formatConfigProblem));
  }
  for (const warning of loaded.warnings) process.stderr.write(`warning: ${formatConfigProblem(warning)}\n`);
  return loaded.config.agent;
}

function defaultAgentOfKind(kind: string): AgentConfig {
  if (!registeredKinds().includes(kind)) throw new UserFacingError(`--kind ${JSON.stringify(kind)} is not a registered agent kind; use one of: ${registeredKinds().join(', ')}`, 'invalid-input');
  return { ...DEFAULT_CONFIG.agent, kind: kind as AgentKind };
}

/** Read at run time: every kind with a line in the registry can be checked. */
function registeredKinds(): string[] {
  return Object.keys(AGENT_REGISTRY);
}
