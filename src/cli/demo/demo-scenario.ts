/**
 * What the scripted model answers for each demo ticket and stage, as abstract
 * actions (the model server maps them onto the calling agent's own tools).
 * It is plain data in the scenario format, written beside the demo repository
 * so a user can read and edit it.
 */
type ScenarioAction =
  | { report: unknown }
  | { say: string }
  | { read: { path: string } }
  | { write: { path: string; content: string } }
  | { edit: { path: string; old: string; new: string } }
  | { run: { command: string } }
  | { fail: { status: number; retry_after_seconds?: number; message?: string } };

type DemoScenario = { model: string; tickets: Record<string, Record<string, ScenarioAction[]>> };

const exportAnchor = '// more helpers below';

function addExport(name: string, file: string): ScenarioAction {
  return { edit: { path: 'src/index.js', old: exportAnchor, new: `export { ${name} } from './${file}';\n${exportAnchor}` } };
}

function testFile(name: string, cases: string[]): string {
  return [
    "import { test } from 'node:test';",
    "import assert from 'node:assert/strict';",
    `import { ${name} } from '../src/index.js';`,
    '',
    `test('${name}', () => {`,
    ...cases.map((line) => `  ${line}`),
    '});',
    '',
  ].join('\n');
}

function simpleTicket(input: {
  summary: string;
  files: string[];
  plan: string[];
  risks: string[];
  implementation: ScenarioAction[];
  changes: string[];
}): Record<string, ScenarioAction[]> {
  return {
    C0: [{ read: { path: 'src/index.js' } }, { report: { summary: input.summary, files: input.files, complexity: 'small' } }],
    C1: [{ report: { plan: input.plan, risks: input.risks, complexity: 'small', decision_needed: null } }],
    C2: [
      ...input.implementation,
      { run: { command: 'node --test' } },
      { report: { summary: input.summary, changes: input.changes, tests_run: ['node --test'], partial: false, remaining_work: [] } },
    ],
  };
}

/**
 * The token DEMO-107's agent hard-codes, for the gates' secret scan to flag. It has a
 * GitHub token's shape and opens nothing; it is built from parts so that no source
 * file of Nightshift holds a whole token-shaped string.
 */
export const DEMO_HARD_CODED_TOKEN = ['ghp', '_', 'D3m0n0tRealT0ken', 'F0rN1ghtsh1ftD3m0Xy9'].join('');

/**
 * DEMO-108's flaky test: it fails on the first run of each commit and passes on the
 * next (the run leaves a marker in the git-ignored `.cache/`, named after the commit),
 * so the agent's own run before committing never warms the gates' run, and the gates'
 * re-run of the failed check reports it flaky.
 */
const FLAKY_RETRY_TEST = [
  "import { test } from 'node:test';",
  "import assert from 'node:assert/strict';",
  "import { execFileSync } from 'node:child_process';",
  "import { existsSync, mkdirSync, writeFileSync } from 'node:fs';",
  "import { retry } from '../src/index.js';",
  '',
  "test('retry returns the first success', async () => {",
  '  let calls = 0;',
  "  const result = await retry(async () => {",
  '    calls += 1;',
  "    if (calls < 3) throw new Error('not yet');",
  "    return 'done';",
  '  });',
  "  assert.equal(result, 'done');",
  '  assert.equal(calls, 3);',
  '});',
  '',
  "test('retry rejects with the last error', async () => {",
  "  await assert.rejects(retry(async () => { throw new Error('down'); }, 2), /down/);",
  '});',
  '',
  '// Deliberately flaky, for the demo: the first run of each commit finds the cache cold.',
  "test('retry is fast with a warm cache', () => {",
  "  const commit = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();",
  '  const marker = `.cache/retry-warm-${commit}`;',
  '  const warm = existsSync(marker);',
  "  mkdirSync('.cache', { recursive: true });",
  "  writeFileSync(marker, '');",
  "  assert.ok(warm, 'the cache was cold');",
  '});',
  '',
].join('\n');

export const DEMO_SCENARIO: DemoScenario = {
  model: 'scripted-demo-model',
  tickets: {
    'DEMO-101': simpleTicket({
      summary: 'Add slugify(text) turning titles into URL slugs, exported from the index.',
      files: ['src/slugify.js', 'src/index.js', 'test/slugify.test.js'],
      plan: ['Write src/slugify.js with a lower-case, dash-separated slug', 'Export it from src/index.js', 'Test the two cases of the ticket'],
      risks: ['Non-ASCII letters are dropped; the ticket does not ask for transliteration'],
      implementation: [
        {
          write: {
            path: 'src/slugify.js',
            content: [
              '/** Turns a title into a URL slug: lower case, words joined by single dashes. */',
              'export function slugify(text) {',
              '  return text',
              '    .toLowerCase()',
              "    .replace(/[^a-z0-9]+/g, '-')",
              "    .replace(/^-+|-+$/g, '');",
              '}',
              '',
            ].join('\n'),
          },
        },
        addExport('slugify', 'slugify.js'),
        {
          write: {
            path: 'test/slugify.test.js',
            content: testFile('slugify', ["assert.equal(slugify('Hello, World!'), 'hello-world');", "assert.equal(slugify('  many   spaces  '), 'many-spaces');"]),
          },
        },
      ],
      changes: ['Add slugify helper for URL slugs', 'Export slugify from the package index', 'Add tests for punctuation and repeated spaces'],
    }),
    'DEMO-102': simpleTicket({
      summary: 'Add truncate(text, limit) that cuts long texts with an ellipsis.',
      files: ['src/truncate.js', 'src/index.js', 'test/truncate.test.js'],
      plan: ['Write src/truncate.js', 'Export it', 'Test short and long texts'],
      risks: [],
      implementation: [
        {
          write: {
            path: 'src/truncate.js',
            content: [
              '/** Cuts a text to `limit` characters, ending with an ellipsis when it was longer. */',
              'export function truncate(text, limit) {',
              '  const characters = [...text];',
              '  if (characters.length <= limit) return text;',
              "  return characters.slice(0, Math.max(0, limit - 1)).join('') + '…';",
              '}',
              '',
            ].join('\n'),
          },
        },
        addExport('truncate', 'truncate.js'),
        {
          write: {
            path: 'test/truncate.test.js',
            content: testFile('truncate', ["assert.equal(truncate('nightshift', 5), 'nigh…');", "assert.equal(truncate('short', 10), 'short');"]),
          },
        },
      ],
      changes: ['Add truncate helper with an ellipsis', 'Export truncate from the package index', 'Add tests for short and long texts'],
    }),
    'DEMO-103': simpleTicket({
      summary: 'Add excerpt(text, limit): the first sentence, truncated with truncate from DEMO-102.',
      files: ['src/excerpt.js', 'src/index.js', 'test/excerpt.test.js'],
      plan: ['Write src/excerpt.js on top of truncate', 'Export it', 'Test the ticket case'],
      risks: ['Depends on DEMO-102: this branch is stacked on agent/DEMO-102'],
      implementation: [
        {
          write: {
            path: 'src/excerpt.js',
            content: [
              "import { truncate } from './truncate.js';",
              '',
              '/** The first sentence of a text, cut to `limit` characters. */',
              'export function excerpt(text, limit) {',
              '  const firstSentence = text.split(/(?<=[.!?])\\s/)[0] ?? text;',
              '  return truncate(firstSentence, limit);',
              '}',
              '',
            ].join('\n'),
          },
        },
        addExport('excerpt', 'excerpt.js'),
        { write: { path: 'test/excerpt.test.js', content: testFile('excerpt', ["assert.equal(excerpt('One. Two.', 10), 'One.');"]) } },
      ],
      changes: ['Add excerpt helper built on truncate', 'Export excerpt from the package index', 'Add a test for the first-sentence case'],
    }),
    'DEMO-104': {
      C0: [{ report: { summary: 'Normalize Unicode input in every helper.', files: ['src/capitalize.js', 'src/reverse.js', 'src/index.js'], complexity: 'large' } }],
      C1: [
        {
          report: {
            plan: ['Pick a normalization form', 'Apply it at every helper boundary'],
            risks: ['Changing the output form is a breaking change for callers that compare strings'],
            complexity: 'large',
            decision_needed: {
              kind: 'architecture',
              question: 'Normalize to NFC at the input of each helper, or require callers to pass NFC and document it?',
              options: ['Normalize inside every helper (safer, slower)', 'Document NFC as a precondition (faster, breaking for some callers)'],
            },
          },
        },
      ],
    },
    'DEMO-106': simpleTicket({
      summary: 'Add wordCount(text) counting words separated by white space.',
      files: ['src/word-count.js', 'src/index.js', 'test/word-count.test.js'],
      plan: ['Write src/word-count.js', 'Export it', 'Test blank and padded texts'],
      risks: ['Splitting on a single space miscounts repeated spaces'],
      implementation: [
        {
          write: {
            path: 'src/word-count.js',
            content: ['/** Counts the words of a text. */', 'export function wordCount(text) {', "  return text.split(' ').length;", '}', ''].join('\n'),
          },
        },
        addExport('wordCount', 'word-count.js'),
        {
          write: {
            path: 'test/word-count.test.js',
            content: testFile('wordCount', ["assert.equal(wordCount('  two   words '), 2);", "assert.equal(wordCount(''), 0);"]),
          },
        },
      ],
      changes: ['Add wordCount helper', 'Export wordCount from the package index', 'Add tests for padded and empty texts'],
    }),
    'DEMO-107': simpleTicket({
      summary: 'Add releaseNotesRequest(version, notes): the GitHub API request that publishes a release with its notes.',
      files: ['src/release-notes.js', 'src/index.js', 'test/release-notes.test.js'],
      plan: ['Write src/release-notes.js building the releases API request', 'Export it', 'Test the URL and the tag'],
      risks: ['The request needs an API token'],
      implementation: [
        {
          write: {
            path: 'src/release-notes.js',
            content: [
              `const GITHUB_TOKEN = '${DEMO_HARD_CODED_TOKEN}';`,
              '',
              '/** The GitHub API request that publishes release `v<version>` with its notes. */',
              'export function releaseNotesRequest(version, notes) {',
              '  return {',
              "    method: 'POST',",
              "    url: 'https://api.github.com/repos/acme/string-kit/releases',",
              "    headers: { authorization: `token ${GITHUB_TOKEN}`, accept: 'application/vnd.github+json' },",
              '    body: JSON.stringify({ tag_name: `v${version}`, name: `string-kit ${version}`, body: notes }),',
              '  };',
              '}',
              '',
            ].join('\n'),
          },
        },
        addExport('releaseNotesRequest', 'release-notes.js'),
        {
          write: {
            path: 'test/release-notes.test.js',
            content: testFile('releaseNotesRequest', [
              "const request = releaseNotesRequest('1.2.0', 'Fixes');",
              "assert.equal(request.url, 'https://api.github.com/repos/acme/string-kit/releases');",
              "assert.equal(JSON.parse(request.body).tag_name, 'v1.2.0');",
            ]),
          },
        },
      ],
      changes: ['Add releaseNotesRequest for the GitHub releases API', 'Export releaseNotesRequest from the package index', 'Add a test for the URL and the tag'],
    }),
    'DEMO-108': simpleTicket({
      summary: 'Add retry(action, attempts) that tries an action again until it succeeds.',
      files: ['src/retry.js', 'src/index.js', 'test/retry.test.js'],
      plan: ['Write src/retry.js', 'Export it', 'Test success after failures and giving up'],
      risks: ['A test that depends on a warm cache may be flaky'],
      implementation: [
        {
          write: {
            path: 'src/retry.js',
            content: [
              '/** Calls `action` until it succeeds, at most `attempts` times; rejects with the last error. */',
              'export async function retry(action, attempts = 3) {',
              '  let lastError;',
              '  for (let attempt = 1; attempt <= attempts; attempt += 1) {',
              '    try {',
              '      return await action(attempt);',
              '    } catch (error) {',
              '      lastError = error;',
              '    }',
              '  }',
              '  throw lastError;',
              '}',
              '',
            ].join('\n'),
          },
        },
        addExport('retry', 'retry.js'),
        { write: { path: 'test/retry.test.js', content: FLAKY_RETRY_TEST } },
      ],
      changes: ['Add retry helper', 'Export retry from the package index', 'Add tests for success after failures and for giving up'],
    }),
  },
};
