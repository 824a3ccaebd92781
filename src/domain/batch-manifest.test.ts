import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ticketFromFixture } from '../testing/contracts/ticket-source.js';
import { buildBatchManifest, formatBatchManifest, parseBatchManifest } from './batch-manifest.js';
import type { BatchManifest } from './batch-manifest.js';
import { BATCH_STATES } from './batch.js';

const SEED_MANIFEST = `batch_id: "2024-01-15-overnight"
created_at: "2024-01-15T18:00:00Z"
config:
  max_tickets: 20
  timeout_per_ticket: 30m
  parallel_agents: 3
tickets:
  - id: "PROJ-142"
    priority: high
    complexity: medium
    estimated_files: ["src/auth.py", "tests/test_auth.py"]
    dependencies: []
  - id: "PROJ-138"
    priority: medium
    complexity: small
    estimated_files: ["src/utils.py"]
    dependencies: []
  - id: "PROJ-145"
    priority: medium
    complexity: large
    estimated_files: ["src/api/*", "src/models/*"]
    dependencies: ["PROJ-142"] # Must complete first
status: pending # pending → running → completed → reviewed
`;

const seedManifest: BatchManifest = {
  batchId: '2024-01-15-overnight',
  createdAt: '2024-01-15T18:00:00Z',
  config: { maxTickets: 20, timeoutPerTicketMinutes: 30, parallelAgents: 3 },
  tickets: [
    { id: 'PROJ-142', priority: 'high', complexity: 'medium', estimatedFiles: ['src/auth.py', 'tests/test_auth.py'], dependencies: [] },
    { id: 'PROJ-138', priority: 'medium', complexity: 'small', estimatedFiles: ['src/utils.py'], dependencies: [] },
    { id: 'PROJ-145', priority: 'medium', complexity: 'large', estimatedFiles: ['src/api/*', 'src/models/*'], dependencies: ['PROJ-142'] },
  ],
  status: 'pending',
};

describe('formatBatchManifest', () => {
  it("writes the seed's manifest exactly", () => {
    expect(formatBatchManifest(seedManifest)).toBe(SEED_MANIFEST);
  });

  it('omits the complexity line of a ticket without an estimate, and writes an empty batch', () => {
    const text = formatBatchManifest({
      ...seedManifest,
      tickets: [{ id: 'PROJ-1', priority: 'low', estimatedFiles: [], dependencies: [] }],
      status: 'running',
    });
    expect(text).toContain('  - id: "PROJ-1"\n    priority: low\n    estimated_files: []\n');
    expect(text).toContain('status: running # pending');
    expect(formatBatchManifest({ ...seedManifest, tickets: [] })).toContain('\ntickets: []\nstatus: pending');
  });

  it('quotes globs that would otherwise break YAML', () => {
    const awkward = ['*.py', '"quoted"', 'a: b', '# not a comment', '{a,b}/**', '[x]', 'line\nbreak', 'é ü \u2028', '\\back'];
    const manifest = { ...seedManifest, tickets: [{ id: 'PROJ-1', priority: 'high' as const, estimatedFiles: awkward, dependencies: [] }] };
    const parsed = parseBatchManifest(formatBatchManifest(manifest), 'manifest.yaml');
    expect(parsed).toEqual({ ok: true, manifest });
  });
});

describe('buildBatchManifest', () => {
  it('takes the planned tickets in order, drops milliseconds, and starts pending', () => {
    const tickets = [
      ticketFromFixture({ id: 'PROJ-142', title: 'Auth', priority: 'high', complexity: 'medium', estimatedFiles: ['src/auth.py', 'tests/test_auth.py'] }, 'a'),
      ticketFromFixture({ id: 'PROJ-138', title: 'Utils', complexity: 'small', estimatedFiles: ['src/utils.py'] }, 'b'),
      ticketFromFixture(
        { id: 'PROJ-145', title: 'API', complexity: 'large', estimatedFiles: ['src/api/*', 'src/models/*'], dependencies: ['PROJ-142'] },
        'c',
      ),
    ];
    const manifest = buildBatchManifest({
      batchId: '2024-01-15-overnight',
      createdAt: new Date('2024-01-15T18:00:00.123Z'),
      config: { maxTickets: 20, timeoutPerTicketMinutes: 30, parallelAgents: 3 },
      tickets,
    });
    expect(manifest).toEqual(seedManifest);
    expect(formatBatchManifest(manifest)).toBe(SEED_MANIFEST);
  });
});

describe('parseBatchManifest', () => {
  it('reads the seed manifest', () => {
    expect(parseBatchManifest(SEED_MANIFEST, 'manifest.yaml')).toEqual({ ok: true, manifest: seedManifest });
  });

  it('reports malformed YAML with its line', () => {
    const result = parseBatchManifest('batch_id: "x\nconfig: [', 'm.yaml');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]).toMatchObject({ file: 'm.yaml', line: expect.any(Number), message: expect.stringMatching(/^malformed YAML/) });
  });

  it('names each wrong field, its line and the expectation', () => {
    const broken = SEED_MANIFEST.replace('priority: high', 'priority: urgent')
      .replace('parallel_agents: 3', 'parallel_agents: three')
      .replace('"PROJ-138"', '"../PROJ-138"')
      .replace('status: pending', 'status: sleeping');
    const result = parseBatchManifest(broken, 'm.yaml');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      { file: 'm.yaml', line: 6, column: 3, field: 'config.parallel_agents', message: 'expected a whole number of at least 1, got "three"' },
      { file: 'm.yaml', line: 9, column: 5, field: 'tickets.0.priority', message: 'expected one of high, medium, low, got "urgent"' },
      expect.objectContaining({ line: 13, column: 5, field: 'tickets.1.id', message: expect.stringContaining('is not safe') }),
      { file: 'm.yaml', line: 23, column: 1, field: 'status', message: 'expected one of pending, running, paused, completed, reviewed, aborted, got "sleeping"' },
    ]);
  });

  it('says what is missing', () => {
    const result = parseBatchManifest('batch_id: "2024-01-15-overnight"\n', 'm.yaml');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problems.map((problem) => problem.field)).toEqual(['created_at', 'config', 'tickets', 'status']);
      expect(result.problems[0]?.message).toBe('expected a UTC time like "2024-01-15T18:00:00Z", got nothing');
    }
  });
});

const manifestArbitrary: fc.Arbitrary<BatchManifest> = fc.record(
  {
    batchId: fc.tuple(fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }), fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/)).map(
      ([date, suffix]) => `${date.toISOString().slice(0, 10)}-${suffix}`,
    ),
    createdAt: fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }).map((date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z')),
    config: fc.record({
      maxTickets: fc.integer({ min: 1, max: 500 }),
      timeoutPerTicketMinutes: fc.integer({ min: 1, max: 86_400 }).map((seconds) => seconds / 60),
      parallelAgents: fc.integer({ min: 1, max: 32 }),
    }),
    tickets: fc.array(
      fc.record(
        {
          id: fc.stringMatching(/^[A-Z][A-Z0-9]{0,5}-[0-9]{1,5}$/),
          priority: fc.constantFrom('high' as const, 'medium' as const, 'low' as const),
          complexity: fc.constantFrom('small' as const, 'medium' as const, 'large' as const),
          estimatedFiles: fc.array(fc.string({ unit: 'binary', maxLength: 30 }), { maxLength: 4 }),
          dependencies: fc.array(fc.stringMatching(/^[A-Z][A-Z0-9]{0,5}-[0-9]{1,5}$/), { maxLength: 3 }),
        },
        { requiredKeys: ['id', 'priority', 'estimatedFiles', 'dependencies'] },
      ),
      { maxLength: 6 },
    ),
    status: fc.constantFrom(...BATCH_STATES),
  },
  { requiredKeys: ['batchId', 'createdAt', 'config', 'tickets', 'status'] },
);

describe('batch manifest properties', () => {
  it('parse(format(m)) equals m', () => {
    fc.assert(
      fc.property(manifestArbitrary, (manifest) => {
        expect(parseBatchManifest(formatBatchManifest(manifest), 'm.yaml')).toEqual({ ok: true, manifest });
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on mutated, truncated or random text, and returns typed problems', () => {
    const mutated = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 400 }),
      fc.tuple(manifestArbitrary, fc.nat()).map(([manifest, cut]) => {
        const text = formatBatchManifest(manifest);
        return text.slice(0, cut % (text.length + 1));
      }),
      fc.tuple(manifestArbitrary, fc.nat(), fc.string({ maxLength: 8 })).map(([manifest, at, insert]) => {
        const text = formatBatchManifest(manifest);
        const position = at % (text.length + 1);
        return text.slice(0, position) + insert + text.slice(position);
      }),
      fc.jsonValue().map((value) => JSON.stringify(value)),
    );
    fc.assert(
      fc.property(mutated, (text) => {
        const result = parseBatchManifest(text, 'm.yaml');
        if (!result.ok) {
          expect(result.problems.length).toBeGreaterThan(0);
          for (const problem of result.problems) {
            expect(problem.file).toBe('m.yaml');
            expect(typeof problem.message).toBe('string');
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
