import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type AgentConfig } from '../config/nightshift-config.js';
import { runAgentDoctor } from './agent-doctor.js';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const claude: AgentConfig = { ...DEFAULT_CONFIG.agent, kind: 'claude-code', model: 'claude-sonnet-4-5' };

describe('runAgentDoctor (real Claude Code CLI against its own scripted model server)', () => {
  it('checks the agent, each per-stage variant and each failover agent, and names what is wrong', async () => {
    const report = await runAgentDoctor({
      config: {
        ...claude,
        stages: { C0: { model: 'claude-haiku-4-5' } },
        failover: [{ kind: 'claude-code', binary: join(projectRoot, 'no-such-claude'), extraArguments: [], environmentAllowList: [] }],
      },
      environment: process.env,
      repositoryRoot: projectRoot,
    });
    expect(report.checks.map((check) => [check.label, check.ok])).toEqual([
      ['claude-code (C0: model claude-haiku-4-5)', true],
      ['claude-code', true],
      ['failover 1: claude-code', false],
    ]);
    const [variant, main, failover] = report.checks;
    expect(main).toMatchObject({
      kind: 'claude-code',
      binary: { status: 'passed' },
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      smokeTest: { status: 'passed', detail: expect.stringMatching(/answered the expected JSON/) },
      readOnly: { status: 'enforced' },
    });
    expect(variant?.smokeTest.status).toBe('passed');
    expect(failover).toMatchObject({ binary: { status: 'failed', detail: expect.stringMatching(/no-such-claude/) }, smokeTest: { status: 'skipped' } });
    expect(report.ok).toBe(false);
  });

  it('says so when the agent cannot even be set up (a command agent without its command)', async () => {
    const report = await runAgentDoctor({ config: { ...DEFAULT_CONFIG.agent, kind: 'command' }, environment: process.env, repositoryRoot: projectRoot });
    expect(report.checks).toEqual([expect.objectContaining({ label: 'command', ok: false, binary: { status: 'failed', detail: expect.stringMatching(/agent\.command is not set/) } })]);
  });
});
