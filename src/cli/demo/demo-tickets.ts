/**
 * The demo's backlog: eight tickets that walk every path of the pipeline — a ready
 * high-priority ticket, a dependency pair (stacked branches), an escalation at C1,
 * a ticket refused at intake, a change whose tests fail at the gates, a change that
 * hard-codes a token (a security flag, first in the queue), and a change whose test
 * fails once and passes when the gates run it again (a flaky check).
 */
export const DEMO_TICKET_FILES: Record<string, string> = {
  'DEMO-101.md': `---
id: DEMO-101
title: Add a slugify helper
labels: [ready-for-agent]
priority: high
complexity: small
estimated_files: ["src/slugify.js", "src/index.js", "test/slugify.test.js"]
dependencies: []
created_at: "2024-01-10T09:00:00Z"
---
Blog post URLs need slugs made from titles.

## Acceptance Criteria
- \`slugify("Hello, World!")\` returns \`"hello-world"\`
- Runs of separators collapse to one dash; no leading or trailing dash
- Exported from \`src/index.js\`

## Open Questions
None

## Test Cases
- "Hello, World!" → "hello-world"
- "  many   spaces  " → "many-spaces"

## Agent Readiness
- [x] Acceptance criteria clear
- [x] No open questions
- [x] Dependencies: None
- [x] Estimated files: src/slugify.js, src/index.js, test/slugify.test.js
- [x] Complexity: Small
`,
  'DEMO-102.md': `---
id: DEMO-102
title: Add a truncate helper
labels: [ready-for-agent]
priority: medium
complexity: small
estimated_files: ["src/truncate.js", "src/index.js", "test/truncate.test.js"]
dependencies: []
created_at: "2024-01-11T09:00:00Z"
---
Cards show the start of long texts.

## Acceptance Criteria
- \`truncate(text, limit)\` returns the text unchanged when it fits
- Longer texts are cut to \`limit\` characters, the last one being "…"

## Test Cases
- truncate("nightshift", 5) → "nigh…"

## Agent Readiness
- [x] Acceptance criteria clear
- [x] No open questions
- [x] Dependencies: None
- [x] Estimated files: src/truncate.js, test/truncate.test.js
- [x] Complexity: Small
`,
  'DEMO-103.md': `---
id: DEMO-103
title: Add an excerpt helper built on truncate
labels: [ready-for-agent]
priority: medium
complexity: small
estimated_files: ["src/excerpt.js", "src/index.js", "test/excerpt.test.js"]
dependencies: [DEMO-102]
created_at: "2024-01-09T09:00:00Z"
---
Search results show the first sentence of a text, truncated.

## Acceptance Criteria
- \`excerpt(text, limit)\` takes the first sentence and truncates it with \`truncate\`

## Test Cases
- excerpt("One. Two.", 10) → "One."

## Agent Readiness
- [x] Acceptance criteria clear
- [x] No open questions
- [x] Dependencies: DEMO-102 in the same batch
- [x] Estimated files: src/excerpt.js, test/excerpt.test.js
- [x] Complexity: Small
`,
  'DEMO-104.md': `---
id: DEMO-104
title: Normalize Unicode in every helper
labels: [ready-for-agent]
priority: medium
complexity: large
estimated_files: ["src/*.js"]
dependencies: []
created_at: "2024-01-08T09:00:00Z"
---
Texts arrive in different Unicode forms and compare unequal.

## Acceptance Criteria
- Every helper gives the same result for NFC and NFD input

## Test Cases
- capitalize("e\\u0301te") equals capitalize("\\u00e9te")

## Agent Readiness
- [x] Acceptance criteria clear
- [x] No open questions
- [x] Dependencies: None
- [x] Estimated files: src/*.js
- [x] Complexity: Large
`,
  'DEMO-105.md': `---
id: DEMO-105
title: Localize capitalize
labels: [ready-for-agent]
priority: low
dependencies: []
created_at: "2024-01-12T09:00:00Z"
---
Capitalize should respect the user's locale.

## Open Questions
- Which locales must we support first?

## Agent Readiness
- [ ] Acceptance criteria clear
- [ ] No open questions
`,
  'DEMO-106.md': `---
id: DEMO-106
title: Add a word count helper
labels: [ready-for-agent]
priority: medium
complexity: small
estimated_files: ["src/word-count.js", "src/index.js", "test/word-count.test.js"]
dependencies: []
created_at: "2024-01-13T09:00:00Z"
---
The editor shows how many words a text has.

## Acceptance Criteria
- \`wordCount(text)\` counts words separated by any white space
- An empty or blank text has 0 words

## Test Cases
- wordCount("  two   words ") → 2

## Agent Readiness
- [x] Acceptance criteria clear
- [x] No open questions
- [x] Dependencies: None
- [x] Estimated files: src/word-count.js, test/word-count.test.js
- [x] Complexity: Small
`,
  'DEMO-107.md': `---
id: DEMO-107
title: Publish release notes on GitHub
labels: [ready-for-agent]
priority: medium
complexity: small
estimated_files: ["src/release-notes.js", "src/index.js", "test/release-notes.test.js"]
dependencies: []
created_at: "2024-01-14T09:00:00Z"
---
Each release should carry its notes on GitHub. The release job provides the API
token in the \`GITHUB_TOKEN\` environment variable.

## Acceptance Criteria
- \`releaseNotesRequest(version, notes)\` returns the POST request that creates the GitHub release \`v<version>\` with the notes as its body

## Test Cases
- releaseNotesRequest("1.2.0", "Fixes") → POST to the releases API, tag "v1.2.0"

## Agent Readiness
- [x] Acceptance criteria clear
- [x] No open questions
- [x] Dependencies: None
- [x] Estimated files: src/release-notes.js, test/release-notes.test.js
- [x] Complexity: Small
`,
  'DEMO-108.md': `---
id: DEMO-108
title: Add a retry helper
labels: [ready-for-agent]
priority: medium
complexity: small
estimated_files: ["src/retry.js", "src/index.js", "test/retry.test.js"]
dependencies: []
created_at: "2024-01-14T10:00:00Z"
---
Calls to flaky services should be tried again before giving up.

## Acceptance Criteria
- \`retry(action, attempts)\` calls \`action\` until it succeeds, at most \`attempts\` times (3 by default)
- After the last failed attempt it rejects with the last error

## Test Cases
- An action that fails twice, then succeeds → its result, after 3 calls

## Agent Readiness
- [x] Acceptance criteria clear
- [x] No open questions
- [x] Dependencies: None
- [x] Estimated files: src/retry.js, test/retry.test.js
- [x] Complexity: Small
`,
};
