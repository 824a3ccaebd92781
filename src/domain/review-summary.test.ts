import { describe, expect, it } from 'vitest';
import { computeQualityScore } from './quality-score.js';
import { escapeMarkdownText, markdownCodeSpan, renderReviewSummary, type ReviewSummaryInput } from './review-summary.js';
import type { DiffFile, ParsedDiff } from './unified-diff.js';

function diffOf(...files: Array<{ path: string; oldPath?: string; status: DiffFile['status']; binary?: boolean; added: number; deleted: number }>): ParsedDiff {
  return {
    files: files.map((file) => {
      const entry: DiffFile = {
        path: file.path,
        status: file.status,
        binary: file.binary ?? false,
        deletedCount: file.deleted,
        addedLines: Array.from({ length: file.added }, (_, index) => ({ lineNumber: index + 1, text: 'line' })),
      };
      if (file.oldPath !== undefined) entry.oldPath = file.oldPath;
      return entry;
    }),
  };
}

const gateResults: ReviewSummaryInput['gateResults'] = [
  { name: 'test', status: 'passed', durationMilliseconds: 12_345 },
  { name: 'lint', status: 'failed', durationMilliseconds: 850 },
  { name: 'e2e', status: 'timed_out', durationMilliseconds: 600_000 },
];

const base: ReviewSummaryInput = {
  batchId: '2024-01-15-overnight',
  ticket: { id: 'PROJ-142', title: 'Implement user authentication', acceptanceCriteria: ['Users can log in with email and password', 'Logout invalidates the token'] },
  diff: diffOf(
    { path: 'src/auth.py', status: 'modified', added: 300, deleted: 40 },
    { path: 'tests/test_auth.py', status: 'added', added: 80, deleted: 0 },
    { path: 'src/new_name.py', oldPath: 'src/old_name.py', status: 'renamed', added: 1, deleted: 1 },
    { path: 'static/logo.png', status: 'added', binary: true, added: 0, deleted: 0 },
  ),
  scope: { summary: 'Auth lives in src/auth.py; tests in tests/.' },
  plan: { plan: ['Add a login endpoint issuing JWTs', 'Add a logout endpoint'], risks: ['Token expiry must match the session policy'] },
  implementation: {
    summary: 'Added login and logout endpoints.',
    changes: ['Add login endpoint with JWT tokens', 'Add logout endpoint with token invalidation'],
    tests_run: ['pytest tests/test_auth.py'],
    partial: false,
    remaining_work: [],
  },
  gateResults,
  score: computeQualityScore({
    gateResults,
    diff: diffOf({ path: 'src/auth.py', status: 'modified', added: 300, deleted: 40 }, { path: 'tests/test_auth.py', status: 'added', added: 80, deleted: 0 }),
    complexity: 'medium',
    estimatedFiles: ['src/auth.py'],
    securityFindings: [],
    partial: false,
    retries: 1,
  }),
  securityFindings: [
    { rule: 'aws-access-key-id', severity: 'high', file: 'src/settings.py', line: 3, message: 'possible AWS access key id added: AKIA…(20 chars)' },
    { rule: 'risky-path', severity: 'low', file: 'src/auth.py', message: 'modified authentication or authorization code: a mistake here can let the wrong people in' },
  ],
  agent: 'claude-code',
  model: 'claude-sonnet-4-5',
  usage: { inputTokens: 1_234_567, outputTokens: 8_910, costUsd: 0.4271 },
  commit: '0123456789abcdef0123456789abcdef01234567',
};

describe('renderReviewSummary', () => {
  const summary = renderReviewSummary(base);

  it('opens with the ticket, score, security and checks', () => {
    expect(summary.startsWith('## PROJ-142: Implement user authentication\n\nDraft opened by Nightshift in batch 2024-01-15-overnight at `0123456789ab`.')).toBe(true);
    expect(summary).toContain('Quality score: **72/100** · Security: 1 flag · 1/3 checks passed.');
  });

  it('lists what changed with line counts, renames and binaries', () => {
    expect(summary).toContain('4 files, +381 −41 lines.');
    expect(summary).toContain('- `src/auth.py` — modified (+300 −40)');
    expect(summary).toContain('- `src/old_name.py` → `src/new_name.py` — renamed (+1 −1)');
    expect(summary).toContain('- `static/logo.png` — added (binary)');
  });

  it('shows the acceptance criteria with the plan and the report', () => {
    expect(summary).toContain(
      [
        '- [ ] Users can log in with email and password',
        '  - _No plan step, reported change or test name shares its words: check it in the diff._',
        '- [ ] Logout invalidates the token',
        '  - Done (C2): Add logout endpoint with token invalidation',
      ].join('\n'),
    );
    expect(summary).toContain('1. Add a login endpoint issuing JWTs\n2. Add a logout endpoint');
    expect(summary).toContain('**Scope (C0):** Auth lives in src/auth.py; tests in tests/.');
    expect(summary).toContain('**What the agent reports (C2):** Added login and logout endpoints.');
    expect(summary).toContain('**Tests run:** `pytest tests/test_auth.py`');
  });

  it('tabulates checks, score breakdown, findings, risks and the agent', () => {
    expect(summary).toContain('| Check | Status | Results | Duration |\n|---|---|---|---|\n| test | ✅ passed | — | 12.3 s |\n| lint | ❌ failed | — | 850 ms |\n| e2e | ⏱️ timed out | — | 10 min 0 s |');
    expect(summary).toContain('### Quality score: 72/100');
    expect(summary).toContain('| retries | −3 | 0 | 1 retry after invalid agent answers cost 3 points each. |');
    expect(summary).toContain('- **high** `aws-access-key-id` in `src/settings.py` line 3: possible AWS access key id added: AKIA…(20 chars)');
    expect(summary).toContain('- Token expiry must match the session policy');
    expect(summary).toContain('| claude-code | claude-sonnet-4-5 | 1,234,567 / 8,910 | $0.43 |');
    expect(summary).not.toContain('### Remaining work');
  });

  it('marks flaky checks, shows per-test counts, failed tests, lint, coverage, and the tests behind each criterion', () => {
    const checks: ReviewSummaryInput['gateResults'] = [
      {
        name: 'test',
        status: 'flaky',
        durationMilliseconds: 12_345,
        attempts: 2,
        exitCode: 0,
        tests: {
          counts: { passed: 3, failed: 0, skipped: 1, total: 4 },
          cases: [
            { name: 'logs in with email and password', suite: 'auth', status: 'passed' },
            { name: 'logout invalidates the token', suite: 'auth', status: 'passed', flaky: true },
            { name: 'rejects a wrong password', suite: 'auth', status: 'passed' },
            { name: 'remembers me', status: 'skipped' },
          ],
        },
        flakyTests: ['auth › logout invalidates the token'],
      },
      {
        name: 'unit',
        status: 'failed',
        durationMilliseconds: 2_000,
        attempts: 2,
        exitCode: 1,
        tests: { counts: { passed: 1, failed: 1, skipped: 0, total: 2 }, cases: [{ name: 'hashes passwords', status: 'failed', message: 'expected <b>x</b> @team' }, { name: 'salts', status: 'passed' }] },
        reportProblem: 'reports/unit.xml was not written',
      },
      { name: 'lint', status: 'failed', durationMilliseconds: 850, exitCode: 1, lintWarnings: 2 },
      { name: 'build', status: 'failed', durationMilliseconds: 50, exitCode: 2 },
      { name: 'coverage', status: 'passed', durationMilliseconds: 3_000, exitCode: 0, coverage: { total: { lines: 87.5, branches: 70 }, changedFiles: [{ path: 'src/auth.py', coverage: { lines: 92.3077 } }] } },
    ];
    const rich = renderReviewSummary({
      ...base,
      gateResults: checks,
      scoreNoteRef: 'refs/notes/nightshift',
      implementation: { ...(base.implementation as NonNullable<ReviewSummaryInput['implementation']>), confidence: 0.8 },
    });
    expect(rich).toContain('· 1/5 checks passed, 1 flaky.');
    expect(rich).toContain('| test | ⚠️ flaky (passed only on re-run) | 3 passed · 0 failed · 1 skipped · 1 flaky | 12.3 s |');
    expect(rich).toContain('| unit | ❌ failed (twice) | 1 passed · 1 failed · 0 skipped | 2.0 s |');
    expect(rich).toContain('| lint | ❌ failed | 2 warnings | 850 ms |');
    expect(rich).toContain('| build | ❌ failed | exit code 2 | 50 ms |');
    expect(rich).toContain('| coverage | ✅ passed | lines 87.5 %, branches 70 % | 3.0 s |');
    expect(rich).toContain('- ⚠️ **test** is flaky: it failed, then passed when run again. Tests that flipped: `auth › logout invalidates the token`.');
    expect(rich).toContain('- ❌ **unit**: failed tests\n  - `hashes passwords` — expected &lt;b&gt;x&lt;/b&gt; @<!-- -->team');
    expect(rich).toContain('- **unit**: its report could not be used (reports/unit.xml was not written), so its result comes from the exit code.');
    expect(rich).toContain('- **coverage**: coverage of the changed files: `src/auth.py` lines 92.3 %.');
    expect(rich).toContain('- [ ] Users can log in with email and password\n  - Tests: ✅ `auth › logs in with email and password`\n');
    expect(rich).toContain('- [ ] Logout invalidates the token\n  - Done (C2): Add logout endpoint with token invalidation\n  - Tests: ⚠️ `auth › logout invalidates the token`\n');
    expect(rich).toContain('The score is attached to `0123456789ab` as a git note: `git notes --ref=refs/notes/nightshift show 0123456789ab`.');
    expect(rich).toContain('The agent reports a confidence of 80 % in its work.');
  });

  it('documents partial work and the follow-up ticket', () => {
    const partial = renderReviewSummary({
      ...base,
      implementation: { ...(base.implementation as NonNullable<ReviewSummaryInput['implementation']>), partial: true, remaining_work: ['Rate limiting of login attempts'] },
      followUpTicketId: 'PROJ-160',
    });
    expect(partial).toContain('### Remaining work\n\nThe agent finished only part of this ticket');
    expect(partial).toContain('- Rate limiting of login attempts');
    expect(partial).toContain('Follow-up ticket (draft): PROJ-160');
  });

  it('says so when parts are missing', () => {
    const { batchId: _batchId, commit: _commit, model: _model, scope: _scope, plan: _plan, implementation: _implementation, ...required } = base;
    const sparse = renderReviewSummary({ ...required, diff: { files: [] }, gateResults: [], securityFindings: [], ticket: { ...base.ticket, acceptanceCriteria: [] }, agent: 'command', usage: { inputTokens: 0, outputTokens: 0 } });
    expect(sparse).toContain('Draft opened by Nightshift. Quality score:');
    expect(sparse).toContain('No files changed.');
    expect(sparse).toContain('No checks are configured');
    expect(sparse).toContain('No security findings.');
    expect(sparse).toContain('The plan named no risks.');
    expect(sparse).toContain('The ticket lists no acceptance criteria.');
    expect(sparse).toContain('| command | default | 0 / 0 | not reported |');
  });

  it('cannot be made to inject HTML, headings, links, table cells or mentions', () => {
    const hostile = renderReviewSummary({
      ...base,
      ticket: {
        id: 'PROJ-1',
        title: 'Title <script>alert(1)</script>\n\n# Approved by @security-team\n<img src=x onerror=alert(1)>',
        acceptanceCriteria: ['[click me](javascript:alert(1)) ![x](http://evil/pixel.png)', '| fake | cell |', '1. ordered\n---', '<details open><summary>x</summary>'],
      },
      plan: { plan: ['`code` **bold** <b>b</b>'], risks: ['\u001b[31mred\u001b[0m fixes #12 and pings @all'] },
      diff: diffOf({ path: 'src/`weird` <x>|y.ts', status: 'added', added: 1, deleted: 0 }),
      gateResults: [{ name: 'te|st <i>', status: 'passed', durationMilliseconds: 1 }],
      stackedOn: 'agent/PROJ-1`<b>`',
    });
    const outsideCodeSpans = hostile.replaceAll('<!-- -->', '').replace(/(`+)[^`]*?(?:`(?!`)[^`]*?)*\1(?!`)/g, '');
    expect(outsideCodeSpans).not.toMatch(/<[a-z!/?]/i);
    expect(hostile).toContain('Title &lt;script&gt;alert(1)&lt;/script&gt; #<!-- --> Approved by @<!-- -->security-team &lt;img src=x onerror=alert(1)&gt;');
    expect(hostile).toContain('- [ ] \\[click me\\](javascript:alert(1)) !\\[x\\](http://evil/pixel.png)');
    expect(hostile).toContain('- [ ] \\| fake \\| cell \\|');
    expect(hostile).toContain('- [ ] 1\\. ordered ---');
    expect(hostile).toContain('red fixes #<!-- -->12 and pings @<!-- -->all');
    expect(hostile).toContain('- ``src/`weird` <x>|y.ts`` — added (+1 −0)');
    expect(hostile).toContain('| te\\|st &lt;i&gt; | ✅ passed | — | 1 ms |');
    expect(hostile).not.toContain('\u001b');
    expect(hostile).toContain('Stacked on `` agent/PROJ-1`<b>` ``: review and merge that branch first.');
    for (const line of hostile.split('\n')) expect(line.startsWith('#') ? line.startsWith('## PROJ') || line.startsWith('### ') : true).toBe(true);
  });

  it('keeps very long untrusted text on one line', () => {
    const long = renderReviewSummary({ ...base, ticket: { ...base.ticket, title: `${'A'.repeat(5000)}\n## injected` } });
    expect(long.split('\n')[0]).toMatch(/^## PROJ-142: A{5000} #<!-- -->#<!-- --> injected$/);
  });
});

describe('escapeMarkdownText and markdownCodeSpan', () => {
  it('escapes Markdown punctuation and HTML', () => {
    expect(escapeMarkdownText('a_b*c* <i>&</i>')).toBe('a\\_b\\*c\\* &lt;i&gt;&amp;&lt;/i&gt;');
    expect(escapeMarkdownText('- not a list')).toBe('\\- not a list');
    expect(escapeMarkdownText('2) not a list')).toBe('2\\) not a list');
    expect(escapeMarkdownText('~~gone~~ `code`')).toBe('\\~\\~gone\\~\\~ \\`code\\`');
  });
  it('fences code spans longer than any backtick run inside', () => {
    expect(markdownCodeSpan('plain')).toBe('`plain`');
    expect(markdownCodeSpan('a``b')).toBe('```a``b```');
    expect(markdownCodeSpan('`x`')).toBe('`` `x` ``');
    expect(markdownCodeSpan('line\nbreak')).toBe('`line break`');
  });
});
