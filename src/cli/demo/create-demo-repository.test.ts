import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../config/load-config.js';
import { runCli } from '../../testing/run-cli.js';
import { demoConfigText } from './create-demo-repository.js';
import { scriptedCommandTemplate } from './run-demo.js';

const directories: string[] = [];
afterEach(() => directories.splice(0).forEach((directory) => rmSync(directory, { recursive: true, force: true })));

describe('the demo with another agent (nightshift demo --agent <kind>)', () => {
  it('writes the requested agent kind into nightshift.yaml, with a model the scripted server plays well with', () => {
    const codex = parseConfigText(demoConfigText('http://127.0.0.1:4000', { kind: 'codex' }), 'nightshift.yaml');
    expect(codex.errors).toEqual([]);
    expect(codex.config?.agent).toMatchObject({ kind: 'codex', model: 'gpt-5.5', baseUrl: 'http://127.0.0.1:4000', apiKeyEnvironmentVariable: 'NIGHTSHIFT_DEMO_MODEL_KEY' });
    expect(parseConfigText(demoConfigText('http://127.0.0.1:4000'), 'nightshift.yaml').config?.agent).toMatchObject({ kind: 'claude-code', model: 'claude-sonnet-4-5' });
    const pi = parseConfigText(demoConfigText('http://127.0.0.1:4000', { kind: 'pi' }), 'nightshift.yaml').config?.agent;
    expect(pi?.kind).toBe('pi');
    expect(pi?.model).toBeUndefined();
  });

  it('gives an acp agent its command, which the configuration requires', () => {
    const acp = parseConfigText(demoConfigText('http://127.0.0.1:4000', { kind: 'acp', acpCommand: ['/opt/bin/claude-agent-acp'] }), 'nightshift.yaml');
    expect(acp.errors).toEqual([]);
    expect(acp.config?.agent).toMatchObject({ kind: 'acp', acpCommand: ['/opt/bin/claude-agent-acp'], model: 'claude-sonnet-4-5' });
  });

  it('gives a command agent the scripted command agent, which plays the scenario file itself', () => {
    const template = scriptedCommandTemplate('/tmp/demo/scenario.yaml');
    const command = parseConfigText(demoConfigText('http://127.0.0.1:4000', { kind: 'command', commandTemplate: template }), 'nightshift.yaml').config?.agent;
    expect(command).toMatchObject({ kind: 'command', commandTemplate: template });
    expect(template).toMatch(/scripted-command-agent\.ts' \{prompt_file\} '\/tmp\/demo\/scenario\.yaml'$/);
    expect(template).toContain('--import');
  });

  it('refuses an agent kind that is not registered with exit 2, before creating anything', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'nightshift-demo-agent-'));
    directories.push(parent);
    const outcome = await runCli(['demo', '--agent', 'no-such-agent', '--directory', join(parent, 'demo')]);
    expect(outcome.exitCode).toBe(2);
    expect(outcome.stderr).toMatch(/--agent "no-such-agent" is not a registered agent kind; use one of: claude-code, .*command/);
    expect(existsSync(join(parent, 'demo'))).toBe(false);
  });
});
