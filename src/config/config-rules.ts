import { explainUnsafeBranchPrefix } from '../domain/branch-name.js';
import type { NightshiftConfig } from './nightshift-config.js';

/**
 * Third step of schema → normalize → rules: checks that need more than one key, or the
 * normalized values. A rule problem names the key path it is about (in the file's
 * snake_case) so the parser can point at the line.
 */
export interface ConfigRuleProblem {
  path: string[];
  message: string;
}

/** Errors stop the run; warnings are shown and the run goes on. */
export interface ConfigRuleFindings {
  errors: ConfigRuleProblem[];
  warnings: ConfigRuleProblem[];
}

const GATE_NAME = /^[a-z][a-z0-9_-]{0,39}$/;
const SECRET_LOOKING_NAME = /(TOKEN|SECRET|PASSWORD|PASSWD|PRIVATE|CREDENTIAL|API_?KEY)/i;

/** Runs every cross-field rule over a normalized configuration. */
export function checkConfigRules(config: NightshiftConfig): ConfigRuleFindings {
  const errors: ConfigRuleProblem[] = [];
  const warnings: ConfigRuleProblem[] = [];

  if (config.agent.kind === 'command' && config.agent.commandTemplate === undefined) {
    errors.push({
      path: ['agent', 'command'],
      message: 'required when agent.kind is command: a shell command template, like "aider --message-file {prompt_file}"',
    });
  }
  if (config.agent.kind === 'acp' && config.agent.acpCommand === undefined) {
    errors.push({
      path: ['agent', 'acp_command'],
      message: 'required when agent.kind is acp: the agent command as a list, like ["claude-agent-acp"] or ["gemini", "--acp"]',
    });
  }
  if (config.agent.kind !== 'command' && config.agent.commandTemplate !== undefined) {
    warnings.push({ path: ['agent', 'command'], message: `ignored: agent.command is only used when agent.kind is command (it is ${config.agent.kind})` });
  }
  for (const [index, argument] of config.agent.extraArguments.entries()) {
    if (/dangerously|bypasspermissions/i.test(argument)) {
      warnings.push({
        path: ['agent', 'extra_args', String(index)],
        message: `${JSON.stringify(argument)} lifts the agent's permission checks; Nightshift already confines it to its worktree, so this is rarely needed`,
      });
    }
  }
  for (const [index, name] of config.agent.environmentAllowList.entries()) {
    if (SECRET_LOOKING_NAME.test(name)) {
      warnings.push({
        path: ['agent', 'environment_allow', String(index)],
        message: `${name} looks like a secret; agents should never see tracker or code-host credentials (use agent.api_key_env for the model key)`,
      });
    }
  }

  const prefix = config.repository.branchPrefix;
  const prefixProblem = explainUnsafeBranchPrefix(prefix);
  if (prefixProblem !== undefined || !prefix.endsWith('/') || prefix === '/') {
    errors.push({
      path: ['repository', 'branch_prefix'],
      message: `expected a safe git ref prefix ending in "/", like agent/, got ${JSON.stringify(prefix)}${prefixProblem === undefined ? '' : ` (${prefixProblem})`}`,
    });
  }

  const seenGateNames = new Map<string, string>();
  for (const gate of config.gates.commands) {
    if (!GATE_NAME.test(gate.name)) {
      errors.push({
        path: ['gates', 'commands', gate.name],
        message: `gate name ${JSON.stringify(gate.name)} is not safe: expected lowercase letters, digits, "-" and "_", starting with a letter (like test or type-check)`,
      });
    }
    const folded = gate.name.toLowerCase();
    const earlier = seenGateNames.get(folded);
    if (earlier !== undefined) {
      errors.push({ path: ['gates', 'commands', gate.name], message: `gate name ${JSON.stringify(gate.name)} repeats ${JSON.stringify(earlier)}: gate names must be unique` });
    } else {
      seenGateNames.set(folded, gate.name);
    }
  }
  if (config.gates.commands.length === 0) {
    warnings.push({ path: ['gates', 'commands'], message: 'no gate commands: no tests, lint or type checks will run on the agents\' branches (add e.g. { test: npm test })' });
  }

  if (config.batch.parallelAgents > config.batch.maxTickets) {
    warnings.push({
      path: ['batch', 'parallel_agents'],
      message: `parallel_agents (${config.batch.parallelAgents}) is more than max_tickets (${config.batch.maxTickets}): at most ${config.batch.maxTickets} agents will ever run at once`,
    });
  }
  if (config.batch.timeoutPerTicketMinutes < 1) {
    warnings.push({
      path: ['batch', 'timeout_per_ticket'],
      message: `a timeout_per_ticket under a minute (${config.batch.timeoutPerTicketMinutes * 60}s) leaves an agent no time to work`,
    });
  }
  return { errors, warnings };
}
