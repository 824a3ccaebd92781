import type { Command } from 'commander';
import { UserFacingError } from '../../runtime/user-facing-error.js';
import { loadScenario, ScenarioError } from '../../testing/model-server/scenario.js';
import { startModelServer } from '../../testing/model-server/start-model-server.js';

/** `nightshift model-server`: rehearse a pipeline against a scripted model, spending no tokens. */
export function registerModelServerCommand(program: Command): void {
  program
    .command('model-server')
    .description('Serve a scripted model over the vendors\' wire protocols, answering from a scenario file')
    .requiredOption('--scenario <file>', 'the scenario: abstract actions per ticket and stage (YAML or JSON)')
    .option('--port <number>', 'port to listen on (default: a free one)', (value) => Number.parseInt(value, 10))
    .option('--request-log <file>', 'append every request as a JSON line to this file')
    .addHelpText(
      'after',
      `
Point the agent at it in nightshift.yaml:
  agent:
    kind: claude-code
    base_url: http://127.0.0.1:<port>
    api_key_env: ANY_VARIABLE_YOU_SET

Scenario format (see README.md, "Rehearse without spending tokens"):
  tickets:
    PROJ-142:
      C0: [{ report: { summary: "…", files: ["src/auth.py"] } }]
      C1: [{ report: { plan: ["…"], risks: [], decision_needed: null } }]
      C2:
        - write: { path: src/auth.py, content: "…" }
        - run: { command: "pytest" }
        - report: { summary: "…", changes: ["Add login endpoint"] }`,
    )
    .action(async (options: { scenario: string; port?: number; requestLog?: string }) => {
      const scenario = await loadScenario(options.scenario).catch((error: unknown) => {
        if (error instanceof ScenarioError) throw new UserFacingError(`invalid scenario ${error.sourceName}`, 'invalid-input', error.problems);
        throw error;
      });
      const server = await startModelServer({
        scenario,
        ...(options.port === undefined ? {} : { port: options.port }),
        ...(options.requestLog === undefined ? {} : { requestLogPath: options.requestLog }),
      });
      process.stdout.write(`Scripted model server listening at ${server.url} (Ctrl-C to stop)\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await server.close();
    });
}
