import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatConfigProblem } from './config-problem.js';
import { DEFAULT_CONFIG } from './nightshift-config.js';
import { parseConfigText } from './parse-config-text.js';

const FULL = `tracker: { kind: files, directory: tickets/, ready_label: agent-ok }
agent:
  kind: command
  binary: aider
  model: local-model
  base_url: http://127.0.0.1:8787
  api_key_env: MY_MODEL_KEY
  extra_args: ["--yes"]
  environment_allow: [HTTPS_PROXY]
  command: "aider --message-file {prompt_file}"
  sandbox: bubblewrap
batch: { max_tickets: 10, timeout_per_ticket: 1h, parallel_agents: 2, name_suffix: nightly }
repository: { base_branch: develop, branch_prefix: bots/agent/, author: { name: Night Bot, email: bot@example.com } }
gates:
  timeout: 90s
  commands: { test: npm test, lint: npm run lint, types: npx tsc --noEmit }
code_host: { kind: local }
generation: { stall_timeout: 2m, max_attempts: 4, max_rate_limits: 5, rate_limit_wait: 30m, remove_worktrees: false, keep_agent_homes: true }
budget: { tokens_per_ticket: 500000, cost_per_ticket: 2.5, tokens_per_batch: 9000000, cost_per_batch: 40 }
escalation: { on_agent_decision: true, on_complexity_above_estimate: false, max_files_outside_estimate: 5, protected_paths: ["infra/**"] }
`;

const messages = (text: string) => {
  const result = parseConfigText(text, 'nightshift.yaml');
  return { errors: result.errors.map(formatConfigProblem), warnings: result.warnings.map(formatConfigProblem), config: result.config };
};

describe('parseConfigText', () => {
  it('reads every key into the normalized configuration', () => {
    const result = parseConfigText(FULL, 'nightshift.yaml');
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result.config).toEqual({
      tracker: { kind: 'files', directory: 'tickets', readyLabel: 'agent-ok' },
      agent: {
        kind: 'command',
        binary: 'aider',
        model: 'local-model',
        baseUrl: 'http://127.0.0.1:8787',
        apiKeyEnvironmentVariable: 'MY_MODEL_KEY',
        extraArguments: ['--yes'],
        environmentAllowList: ['HTTPS_PROXY'],
        commandTemplate: 'aider --message-file {prompt_file}',
        sandbox: 'bubblewrap',
        stages: {},
        failover: [],
      },
      batch: { maxTickets: 10, timeoutPerTicketMinutes: 60, parallelAgents: 2, nameSuffix: 'nightly' },
      repository: { baseBranch: 'develop', branchPrefix: 'bots/agent/', author: { name: 'Night Bot', email: 'bot@example.com' } },
      gates: {
        timeoutMinutes: 1.5,
        commands: [
          { name: 'test', command: 'npm test' },
          { name: 'lint', command: 'npm run lint' },
          { name: 'types', command: 'npx tsc --noEmit' },
        ],
        concurrency: 2,
        rerunFailed: true,
      },
      codeHost: { kind: 'local' },
      generation: { stallTimeoutMinutes: 2, maxAttemptsPerStage: 4, maxRateLimits: 5, defaultRateLimitWaitMinutes: 30, removeWorktrees: false, keepAgentHomes: true },
      budget: { tokensPerTicket: 500000, costPerTicketUsd: 2.5, tokensPerBatch: 9000000, costPerBatchUsd: 40 },
      escalation: { onAgentDecision: true, onComplexityAboveEstimate: false, maxFilesOutsideEstimate: 5, protectedPaths: ['infra/**'] },
      security: DEFAULT_CONFIG.security,
    });
  });

  it("fills the seed's defaults for everything left out", () => {
    const result = parseConfigText('gates:\n  commands: { test: npm test }\n', 'nightshift.yaml');
    expect(result.errors).toEqual([]);
    expect(result.config).toEqual({ ...DEFAULT_CONFIG, gates: { ...DEFAULT_CONFIG.gates, commands: [{ name: 'test', command: 'npm test' }] } });
    expect(result.config?.batch).toEqual({ maxTickets: 20, timeoutPerTicketMinutes: 30, parallelAgents: 3, nameSuffix: 'overnight' });
  });

  it('treats an empty file and empty sections as defaults', () => {
    expect(parseConfigText('', 'nightshift.yaml').config).toEqual(DEFAULT_CONFIG);
    expect(parseConfigText('# nothing\nagent:\nbatch:\n  model:\n', 'nightshift.yaml').errors).toEqual([]);
    expect(parseConfigText('agent:\n  model:\n', 'nightshift.yaml').config?.agent.model).toBeUndefined();
  });

  it.each([
    ['45', 45],
    ['"90s"', 1.5],
    ['1h30m', 90],
  ])('reads timeout_per_ticket %s as %d minutes', (written, minutes) => {
    expect(parseConfigText(`batch:\n  timeout_per_ticket: ${written}\n`, 'n.yaml').config?.batch.timeoutPerTicketMinutes).toBe(minutes);
  });

  it('defaults agent.sandbox to auto and names the choices when it is something else', () => {
    expect(parseConfigText('agent: { kind: codex }\n', 'nightshift.yaml').config?.agent.sandbox).toBe('auto');
    expect(messages('agent: { sandbox: firejail }\n').errors).toEqual([expect.stringMatching(/agent\.sandbox.*one of: auto, bubblewrap, off/)]);
  });

  it('points at the key, says what was expected and what was found', () => {
    const text = 'tracker:\n  kind: files\nagent:\n  kind: claude-code\nbatch:\n  max_tickets: 20\n  parallel_agents: three\n';
    expect(messages(text).errors).toEqual(['nightshift.yaml:7:3 batch.parallel_agents: expected a whole number from 1 to 32, got "three"']);
    expect(messages(text).config).toBeUndefined();
  });

  it.each([
    ['batch: { max_tickets: 0 }', 'batch.max_tickets: expected a whole number from 1 to 500, got 0'],
    ['batch: { max_tickets: 2.5 }', 'batch.max_tickets: expected a whole number from 1 to 500, got 2.5'],
    ['batch: { max_tickets: "20" }', 'batch.max_tickets: expected a whole number from 1 to 500, got "20"'],
    ['batch: { timeout_per_ticket: soon }', 'batch.timeout_per_ticket: expected a duration like 30m, 1h, 90s or a number of minutes, at most 24h, got "soon"'],
    ['batch: { timeout_per_ticket: 2d }', 'got "2d"'],
    ['batch: { name_suffix: Over Night }', 'batch.name_suffix: expected lowercase letters, digits and dashes (at most 40), like overnight, got "Over Night"'],
    ['tracker: { kind: jira }', 'tracker.kind: expected one of: files (the only tracker supported so far), got "jira"'],
    ['tracker: { directory: /etc }', 'tracker.directory: expected a directory inside the repository (relative, without ".."), like tickets, got "/etc"'],
    ['tracker: { directory: ../elsewhere }', 'tracker.directory: expected a directory inside the repository'],
    ['tracker: { ready_label: "" }', 'tracker.ready_label: expected a label name, like ready-for-agent, got ""'],
    ['tracker: files', 'tracker: expected a mapping of tracker settings, got "files"'],
    ['agent: { kind: devin }', 'agent.kind: expected one of: claude-code, codex, opencode, gemini, qwen, pi, acp, command, got "devin"'],
    ['agent: { base_url: "localhost:8787" }', 'agent.base_url: expected an http(s) URL'],
    ['agent: { api_key_env: "MY KEY" }', 'agent.api_key_env: expected an environment variable name'],
    ['agent: { extra_args: --verbose }', 'agent.extra_args: expected a list of command-line arguments, got "--verbose"'],
    ['agent: { environment_allow: ["$(id)"] }', 'agent.environment_allow.0: expected an environment variable name, like HTTPS_PROXY, got "$(id)"'],
    ['repository: { base_branch: "main..x" }', 'repository.base_branch: expected a valid git branch name, like main, got "main..x"'],
    ['repository: { base_branch: "-x" }', 'repository.base_branch: expected a valid git branch name'],
    ['repository: { author: { email: nobody } }', 'repository.author.email: expected an email address, like nightshift@localhost, got "nobody"'],
    ['repository: { author: { name: "a <b>" } }', 'repository.author.name: expected a commit author name without "<", ">" or line breaks'],
    ['gates: { commands: [npm test] }', 'gates.commands: expected a mapping of gate name to command, like { test: npm test }, got a list (["npm test"])'],
    ['gates: { commands: { test: "" } }', 'gates.commands.test: expected a shell command, like npm test, got ""'],
    ['code_host: { kind: github }', 'code_host.kind: expected one of: local (the only code host supported so far), got "github"'],
    ['- just\n- a list', 'nightshift.yaml:1:1: expected a mapping of settings (key: value lines), got a list (["just","a list"])'],
  ])('refuses %s', (text, expected) => {
    const result = messages(`${text}\n`);
    expect(result.config).toBeUndefined();
    expect(result.errors.join('\n')).toContain(expected);
  });

  it.each([
    ['repository: { branch_prefix: agent }', 'repository.branch_prefix: expected a safe git ref prefix ending in "/", like agent/, got "agent"'],
    ['repository: { branch_prefix: "../agent/" }', 'got "../agent/"'],
    ['repository: { branch_prefix: "agent bot/" }', 'got "agent bot/"'],
    ['repository: { branch_prefix: "a.lock/" }', '".lock"'],
    ['agent: { kind: command }', 'nightshift.yaml:1:1 agent.command: required when agent.kind is command'],
    ['gates: { commands: { "run tests": npm test } }', 'gates.commands.run tests: gate name "run tests" is not safe'],
    ['gates: { commands: { test: a, Test: b } }', 'gate name "Test" repeats "test": gate names must be unique'],
  ])('applies the cross-field rule to %s', (text, expected) => {
    const result = messages(`${text}\n`);
    expect(result.config).toBeUndefined();
    expect(result.errors.join('\n')).toContain(expected);
  });

  it('reports malformed YAML with its line and column', () => {
    const result = messages('batch:\n  max_tickets: [1, 2\n  parallel_agents: 3\n');
    expect(result.config).toBeUndefined();
    expect(result.errors[0]).toMatch(/^nightshift\.yaml:\d+:\d+: malformed YAML: /);
    expect(messages('a: 1\na: 2\n').errors[0]).toMatch(/^nightshift\.yaml:2:1: malformed YAML: Map keys must be unique/);
    expect(messages('a: 1\n---\nb: 2\n').errors.length).toBeGreaterThan(0);
    expect(messages('tracker: *nowhere\n').errors.length).toBeGreaterThan(0);
  });

  it('warns about unknown keys with a suggestion, and still loads', () => {
    const result = messages('batch:\n  paralel_agents: 3\n  maxTickets: 4\nmax_tickets: 5\ngatess: {}\nfoo: 1\ngates: { commands: { test: npm test } }\n');
    expect(result.errors).toEqual([]);
    expect(result.config?.batch.parallelAgents).toBe(3);
    expect(result.warnings).toEqual([
      'nightshift.yaml:2:3 batch.paralel_agents: unknown key "paralel_agents" (ignored); did you mean "parallel_agents"?',
      'nightshift.yaml:3:3 batch.maxTickets: unknown key "maxTickets" (ignored); did you mean "max_tickets"?',
      'nightshift.yaml:4:1 max_tickets: unknown key "max_tickets" (ignored); did you mean "batch.max_tickets"?',
      'nightshift.yaml:5:1 gatess: unknown key "gatess" (ignored); did you mean "gates"?',
      'nightshift.yaml:6:1 foo: unknown key "foo" (ignored); known keys here: tracker, agent, batch, repository, gates, generation, budget, escalation, security, code_host',
    ]);
  });

  it('warns when the settings are doubtful but workable', () => {
    const result = messages(
      'batch: { max_tickets: 2, parallel_agents: 4 }\nagent: { command: "x {prompt_file}", extra_args: [--dangerously-skip-permissions], environment_allow: [GITHUB_TOKEN] }\n',
    );
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([
      'nightshift.yaml:2:10 agent.command: ignored: agent.command is only used when agent.kind is command (it is claude-code)',
      expect.stringContaining('nightshift.yaml:2:51 agent.extra_args.0: "--dangerously-skip-permissions" lifts the agent\'s permission checks'),
      expect.stringContaining('agent.environment_allow.0: GITHUB_TOKEN looks like a secret'),
      expect.stringContaining('nightshift.yaml gates.commands: no gate commands'),
      'nightshift.yaml:1:26 batch.parallel_agents: parallel_agents (4) is more than max_tickets (2): at most 2 agents will ever run at once',
    ]);
  });
});

describe('parseConfigText properties', () => {
  const validText = fc
    .record({
      maxTickets: fc.integer({ min: 1, max: 500 }),
      parallelAgents: fc.integer({ min: 1, max: 32 }),
      minutes: fc.integer({ min: 1, max: 1440 }),
    })
    .map(({ maxTickets, parallelAgents, minutes }) => `batch:\n  max_tickets: ${maxTickets}\n  timeout_per_ticket: ${minutes}m\n  parallel_agents: ${parallelAgents}\ngates:\n  commands: { test: npm test }\n`);

  it('never throws on random, truncated or mutated text; config is present exactly when there are no errors', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.tuple(validText, fc.nat()).map(([valid, cut]) => valid.slice(0, cut % (valid.length + 1))),
      fc.tuple(validText, fc.nat(), fc.string({ maxLength: 6 })).map(([valid, at, insert]) => {
        const position = at % (valid.length + 1);
        return valid.slice(0, position) + insert + valid.slice(position);
      }),
      fc.jsonValue().map((value) => JSON.stringify(value)),
      fc.dictionary(fc.constantFrom('tracker', 'agent', 'batch', 'repository', 'gates', 'code_host'), fc.jsonValue()).map((value) => JSON.stringify(value)),
    );
    fc.assert(
      fc.property(text, (candidate) => {
        const result = parseConfigText(candidate, 'nightshift.yaml');
        expect(result.config === undefined).toBe(result.errors.length > 0);
        for (const problem of [...result.errors, ...result.warnings]) {
          expect(problem.file).toBe('nightshift.yaml');
          expect(typeof formatConfigProblem(problem)).toBe('string');
        }
      }),
      { numRuns: 500 },
    );
  });

  it('reads any in-range batch section back exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 1, max: 32 }), fc.integer({ min: 1, max: 1440 }), (maxTickets, parallelAgents, minutes) => {
        const text = `batch: { max_tickets: ${maxTickets}, parallel_agents: ${parallelAgents}, timeout_per_ticket: ${minutes} }\n`;
        expect(parseConfigText(text, 'n.yaml').config?.batch).toEqual({ maxTickets, parallelAgents, timeoutPerTicketMinutes: minutes, nameSuffix: 'overnight' });
      }),
    );
  });
});

describe('agent stages, failover, gate reports and security', () => {
  it('reads per-stage overrides, the failover list, object-form gate commands and the security section', () => {
    const result = parseConfigText(
      [
        'agent:',
        '  kind: claude-code',
        '  max_retries: 0',
        '  stages: { C0: { model: small-model }, C1: { model: small-model, extra_args: [--fast] } }',
        '  failover: [{ kind: codex, model: gpt-5, api_key_env: OPENAI_KEY }, { kind: acp, acp_command: [gemini, --acp] }]',
        'gates:',
        '  concurrency: 3',
        '  rerun_failed: false',
        '  commands:',
        '    test: { command: npm test, report: reports/junit.xml }',
        '    cover: { command: npm run cover, report: coverage/coverage-summary.json, format: coverage-json }',
        'security: { risky_paths: ["infra/**"], audit_command: "", dangerous_patterns: false }',
        '',
      ].join('\n'),
      'nightshift.yaml',
    );
    expect(result.errors).toEqual([]);
    expect(result.config?.agent).toMatchObject({
      maxRetries: 0,
      stages: { C0: { model: 'small-model' }, C1: { model: 'small-model', extraArguments: ['--fast'] } },
      failover: [
        { kind: 'codex', model: 'gpt-5', apiKeyEnvironmentVariable: 'OPENAI_KEY', extraArguments: [], environmentAllowList: [] },
        { kind: 'acp', acpCommand: ['gemini', '--acp'], extraArguments: [], environmentAllowList: [] },
      ],
    });
    expect(result.config?.gates).toEqual({
      timeoutMinutes: 10,
      concurrency: 3,
      rerunFailed: false,
      commands: [
        { name: 'test', command: 'npm test', reportPath: 'reports/junit.xml', reportFormat: 'auto' },
        { name: 'cover', command: 'npm run cover', reportPath: 'coverage/coverage-summary.json', reportFormat: 'coverage-json' },
      ],
    });
    expect(result.config?.security).toEqual({ riskyPaths: ['infra/**'], auditCommand: '', dangerousPatterns: false });
  });

  it('requires acp_command for an ACP agent', () => {
    expect(messages('agent: { kind: acp }\n').errors).toEqual([expect.stringMatching(/agent\.acp_command: required when agent\.kind is acp/)]);
  });
});
