/**
 * What `nightshift init` writes into a repository: a commented `nightshift.yaml` that
 * names every key with what it does and its default, and one example ticket in the
 * seed's format. Both are tested to load without a single error or warning, so a new
 * user's first run is clean.
 */

/** The example ticket's file name, inside the ticket directory (`tracker.directory`). */
export const EXAMPLE_TICKET_FILE_NAME = 'EXAMPLE-1.md';

/** Where the example ticket goes with the default ticket directory. */
export const EXAMPLE_TICKET_PATH = `tickets/${EXAMPLE_TICKET_FILE_NAME}`;

/** The commented starter configuration. */
export const STARTER_CONFIG_TEXT = `# nightshift.yaml: how Nightshift runs coding agents on this repository's tickets.
# Every key is optional: a key left out takes the default named in its comment.
# Durations are written 30m, 1h, 90s, or as a plain number of minutes.

tracker:
  # Where tickets come from. "files": Markdown tickets in a directory of this repository. Default: files
  kind: files
  # The directory of *.md tickets, relative to this file. Default: tickets
  directory: tickets
  # Only tickets carrying this label are considered for a batch. Default: ready-for-agent
  ready_label: ready-for-agent

agent:
  # The coding agent: claude-code (the Claude Code CLI) or command (any CLI, see "command"). Default: claude-code
  kind: claude-code
  # The agent's executable. Default: the agent's usual name, found in node_modules/.bin or on PATH
  # binary: claude
  # The model the agent asks for. Default: the agent's own default model
  # model: claude-sonnet-4-5
  # Where the model is served, e.g. by "nightshift model-server" for a rehearsal. Default: the vendor's endpoint
  # base_url: http://127.0.0.1:8787
  # The name of Nightshift's environment variable whose value becomes the agent's API key. Default: none
  # api_key_env: ANTHROPIC_API_KEY
  # Extra command-line arguments for the agent. Default: []
  extra_args: []
  # Environment variables the agent may see beyond the built-in allow-list; never tokens. Default: []
  environment_allow: []
  # For kind: command only, and then required: the shell command; {prompt_file} becomes the prompt's path. No default
  # command: "aider --message-file {prompt_file}"
  # For kind: acp only, and then required: the Agent Client Protocol agent's command line. No default
  # acp_command: ["claude-agent-acp"]
  # The agent CLI's own retries of a failed model call (Nightshift retries stages itself). Default: the adapter's (2)
  # max_retries: 2
  # The OS sandbox around every agent process: bubblewrap (bwrap) keeps its reads and writes to its worktree and
  # private directory; auto uses it when bwrap works here and warns otherwise, off never. Default: auto
  sandbox: auto
  # Per-stage overrides, e.g. a cheaper model for scoping and planning. Default: none
  stages:
    # C0: { model: claude-haiku-4-5 }
    # C1: { model: claude-haiku-4-5 }
    # C2: { model: claude-sonnet-4-5 }
  # Agents that take over new stages, in order, while this one is rate-limited. Default: []
  failover: []

batch:
  # The most tickets one batch takes (the seed's target is 10 to 20). Default: 20
  max_tickets: 20
  # How long an agent may work on one ticket before it is stopped. Default: 30m
  timeout_per_ticket: 30m
  # How many agents work at once, each in its own git worktree. Default: 3
  parallel_agents: 3
  # Batch ids are <date>-<suffix>, e.g. 2024-01-15-overnight. Default: overnight
  name_suffix: overnight

repository:
  # The branch agents start from and merge requests target. Default: main
  base_branch: main
  # Agent branches are <prefix><ticket-id>, e.g. agent/PROJ-142; must end in "/". Default: agent/
  branch_prefix: agent/
  # The author of the agents' commits. Default: Nightshift <nightshift@localhost>
  author:
    name: Nightshift
    email: nightshift@localhost

gates:
  # How long each gate command may run. Default: 10m
  timeout: 10m
  # How many merge requests are checked at once. Default: 2
  concurrency: 2
  # Run a failed check once more; a pass on the re-run is reported as flaky, not as a pass. Default: true
  rerun_failed: true
  # The checks run on every agent branch, in this order: name: shell command. Default: none
  commands:
    test: npm test
    lint: npm run lint

security:
  # Changed paths a reviewer should look at twice. Default: CI files, auth, migrations, lock files, Dockerfiles, CODEOWNERS, .npmrc
  # risky_paths: [".github/workflows/**", "**/migrations/**", "**/Dockerfile"]
  # The dependency audit run when a manifest or lock file changed; "" turns it off. Default: npm audit --json
  audit_command: npm audit --json
  # Flag eval, shell commands built from strings, TLS checks turned off and SQL built by concatenation. Default: true
  dangerous_patterns: true

code_host:
  # Where branches and merge requests go. "local": branches in this repository. Default: local
  kind: local

generation:
  # An agent that prints nothing for this long is stopped and its stage retried. Default: 5m
  stall_timeout: 5m
  # Tries per stage when the agent crashes or the model is unreachable (backoff 10s, 20s, 40s … at most 5m). Default: 3
  max_attempts: 3
  # More rate limits than this in one batch abort it; its unfinished tickets wait for the next batch. Default: 3
  max_rate_limits: 3
  # How long to pause when the provider does not say when its rate limit resets. Default: 1h
  rate_limit_wait: 1h
  # Remove a ticket's worktree once its branch and merge request are recorded. Default: true
  remove_worktrees: true
  # Keep each agent's private home (its settings and its own, unmasked transcripts) after its ticket's generation ends. Default: false
  keep_agent_homes: false

budget:
  # Caps from the usage agents report; a ticket over its cap stops, a batch over its cap starts no new ticket.
  # Tokens (input + output) one ticket may use. Default: no cap
  # tokens_per_ticket: 2000000
  # US dollars one ticket may cost. Default: no cap
  # cost_per_ticket: 5
  # Tokens the whole batch may use. Default: no cap
  # tokens_per_batch: 20000000
  # US dollars the whole batch may cost. Default: no cap
  # cost_per_batch: 50

escalation:
  # Escalate when the agent reports a decision it cannot make (architecture, several approaches, missing information). Default: true
  on_agent_decision: true
  # Escalate when the agent re-estimates the complexity above the ticket's. Default: true
  on_complexity_above_estimate: true
  # Escalate when the plan needs more than this many files outside estimated_files. Default: 3
  max_files_outside_estimate: 3
  # Changes to these paths need a human decision first. Default: CI files, auth, migrations, secrets, lock files
  protected_paths: [".github/workflows/**", ".gitlab-ci.yml", ".circleci/**", "**/auth/**", "**/*auth*.*", "**/migrations/**", "**/*.pem", "**/*.key", "**/.env*", "**/secrets/**", "**/package-lock.json", "**/yarn.lock", "**/pnpm-lock.yaml", "**/Cargo.lock", "**/poetry.lock", "**/go.sum"]
`;

/** The example ticket: ready in every respect except the label, so no batch takes it by surprise. */
export const EXAMPLE_TICKET_TEXT = `---
id: EXAMPLE-1
title: Add a --version flag to the command line
# Add ready-for-agent to the labels when the ticket is ready for an agent.
labels: [example]
# high, medium or low (default medium)
priority: medium
# small, medium or large
complexity: small
# Globs of the files the change should touch
estimated_files: ["src/cli/*", "tests/cli/*"]
# Ids of tickets that must be completed first
dependencies: []
---

People filing bug reports do not know which version they run. The command line
should print it.

## Acceptance Criteria
- \`--version\` prints the version from package.json and exits with status 0
- \`-V\` is an alias of \`--version\`

## Open Questions
- None

## Test Cases
- running with \`--version\` prints \`1.2.3\` when package.json says 1.2.3
- running with \`-V\` prints the same as \`--version\`

## Agent Readiness
- [x] Acceptance criteria clear
- [x] No open questions
- [x] Dependencies: None
- [x] Estimated files: src/cli/*, tests/cli/*
- [x] Complexity: Small
`;
