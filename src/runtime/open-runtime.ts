import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { LocalFilesArtifactStore } from '../adapters/artifacts/local-files/local-files-artifact-store.js';
import { SystemClock } from '../adapters/clocks/system/system-clock.js';
import { LocalCodeHost } from '../adapters/code-hosts/local/local-code-host.js';
import { LocalFilesProcessRegistry } from '../adapters/process-registries/local-files/local-files-process-registry.js';
import { ShellCommandRunner } from '../adapters/command-runners/shell/shell-command-runner.js';
import { GitChangedFileReader } from '../adapters/changed-file-readers/git/git-changed-file-reader.js';
import { NpmDependencyAuditor } from '../adapters/dependency-auditors/npm/npm-dependency-auditor.js';
import { SecretlintSecretScanner } from '../adapters/secret-scanners/secretlint/secretlint-secret-scanner.js';
import { SqliteStore } from '../adapters/stores/sqlite/sqlite-store.js';
import { FilesTicketSource } from '../adapters/trackers/files/files-ticket-source.js';
import { GitWorkspace } from '../adapters/workspaces/git/git-workspace.js';
import { formatConfigProblem, loadConfig } from '../config/load-config.js';
import type { NightshiftConfig } from '../config/nightshift-config.js';
import type { PipelineDependencies } from '../pipeline/pipeline-dependencies.js';
import type { Clock } from '../ports/clock.js';
import { createAgent } from './agent-registry.js';
import { confinementSettingsFor } from './confinement-settings.js';
import { UserFacingError } from './user-facing-error.js';

/** Where Nightshift keeps its state inside the target repository. */
export const NIGHTSHIFT_DIRECTORY = '.nightshift';

export interface RuntimeRequest {
  repositoryRoot: string;
  /** The process environment; read here and nowhere else in the core. */
  environment: Record<string, string | undefined>;
  /** Overrides of the configuration, e.g. the demo's model server address. */
  adjustConfig?: (config: NightshiftConfig) => NightshiftConfig;
  clock?: Clock;
}

export interface Runtime {
  repositoryRoot: string;
  nightshiftDirectory: string;
  config: NightshiftConfig;
  /** Config warnings (unknown keys …) already formatted for people. */
  warnings: string[];
  dependencies: PipelineDependencies;
  close(): Promise<void>;
}

/**
 * The one place that reads the configuration and chooses adapters. Everything it
 * refuses (not a repository, invalid config, missing base branch) is a
 * {@link UserFacingError} naming what to fix.
 */
export async function openRuntime(request: RuntimeRequest): Promise<Runtime> {
  const repositoryRoot = resolve(request.repositoryRoot);
  const nightshiftDirectory = join(repositoryRoot, NIGHTSHIFT_DIRECTORY);
  const workspace = new GitWorkspace({ repositoryRoot, worktreesDirectory: join(nightshiftDirectory, 'worktrees') });
  const repository = await workspace.checkRepository();
  if (!repository.ok) throw new UserFacingError(repository.problem, 'environment');

  const loaded = await loadConfig(repositoryRoot);
  if (loaded.errors.length > 0 || loaded.config === undefined) {
    throw new UserFacingError(`the configuration has ${loaded.errors.length} error(s)`, 'invalid-input', loaded.errors.map(formatConfigProblem));
  }
  const config = request.adjustConfig === undefined ? loaded.config : request.adjustConfig(loaded.config);
  if (!(await workspace.branchExists(config.repository.baseBranch))) {
    throw new UserFacingError(
      `the base branch "${config.repository.baseBranch}" does not exist in ${repositoryRoot}: create it or set repository.base_branch in nightshift.yaml`,
      'environment',
    );
  }

  await mkdir(nightshiftDirectory, { recursive: true });
  await writeFile(join(nightshiftDirectory, '.gitignore'), '# Nightshift state: never committed\n*\n');
  const store = await SqliteStore.open(join(nightshiftDirectory, 'nightshift.db'));
  const agentWarnings: string[] = [];
  const dependencies: PipelineDependencies = {
    store,
    ticketSource: new FilesTicketSource({ repositoryRoot, directory: config.tracker.directory, readyLabel: config.tracker.readyLabel }),
    workspace,
    codeHost: new LocalCodeHost({ directory: join(nightshiftDirectory, 'merge-requests') }),
    agent: createAgent(config.agent, request.environment, repositoryRoot, {
      defaultRateLimitWaitMinutes: config.generation.defaultRateLimitWaitMinutes,
      onWarning: (warning) => agentWarnings.push(warning),
      ...(request.clock === undefined ? {} : { now: request.clock.now.bind(request.clock) }),
    }),
    commandRunner: new ShellCommandRunner(),
    artifacts: new LocalFilesArtifactStore(nightshiftDirectory),
    clock: request.clock ?? new SystemClock(),
    processRegistry: new LocalFilesProcessRegistry(join(nightshiftDirectory, 'agent-processes')),
    secretScanner: new SecretlintSecretScanner(),
    dependencyAuditor: new NpmDependencyAuditor({ command: config.security.auditCommand }),
    changedFileReader: new GitChangedFileReader(),
    settings: {
      readyLabel: config.tracker.readyLabel,
      maxTickets: config.batch.maxTickets,
      timeoutPerTicketMinutes: config.batch.timeoutPerTicketMinutes,
      parallelAgents: config.batch.parallelAgents,
      batchNameSuffix: config.batch.nameSuffix,
      baseBranch: config.repository.baseBranch,
      branchPrefix: config.repository.branchPrefix,
      commitAuthor: config.repository.author,
      gateTimeoutMinutes: config.gates.timeoutMinutes,
      gateCommands: config.gates.commands,
      gateConcurrency: config.gates.concurrency,
      rerunFailedGates: config.gates.rerunFailed,
      agentPrivateRoot: join(nightshiftDirectory, 'agent-homes'),
      ...(config.agent.model === undefined ? {} : { agentModel: config.agent.model }),
      stallTimeoutMinutes: config.generation.stallTimeoutMinutes,
      maxAttemptsPerStage: config.generation.maxAttemptsPerStage,
      maxRateLimits: config.generation.maxRateLimits,
      defaultRateLimitWaitMinutes: config.generation.defaultRateLimitWaitMinutes,
      removeWorktrees: config.generation.removeWorktrees,
      keepAgentHomes: config.generation.keepAgentHomes,
      budget: config.budget,
      escalation: config.escalation,
      confinement: confinementSettingsFor(config, request.environment),
      security: {
        riskyPaths: config.security.riskyPaths,
        auditDependencies: config.security.auditCommand.trim() !== '',
        dangerousPatterns: config.security.dangerousPatterns,
      },
    },
  };
  return {
    repositoryRoot,
    nightshiftDirectory,
    config,
    warnings: [...loaded.warnings.map(formatConfigProblem), ...agentWarnings],
    dependencies,
    close: () => store.close(),
  };
}
