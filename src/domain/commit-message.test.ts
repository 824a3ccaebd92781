import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentTrailerValue, formatCommitMessage, parseCommitTrailers, type CommitMessageInput } from './commit-message.js';

const seedInput: CommitMessageInput = {
  ticketId: 'PROJ-142',
  title: 'implement user authentication',
  changes: ['Add login endpoint with JWT tokens', 'Add logout endpoint with token invalidation', 'Add middleware for protected routes'],
  batchId: '2024-01-15-overnight',
  checkpoint: 'C2-complete',
  qualityScore: 'pending-gates',
};

const seedMessage = `feat(PROJ-142): implement user authentication

- Add login endpoint with JWT tokens
- Add logout endpoint with token invalidation
- Add middleware for protected routes

Agent: batch-2024-01-15
Checkpoint: C2-complete
Quality-Score: pending-gates
`;

describe('formatCommitMessage', () => {
  it("produces exactly the seed's message", () => {
    expect(formatCommitMessage(seedInput)).toBe(seedMessage);
  });

  it('writes a numeric score and other checkpoints', () => {
    const message = formatCommitMessage({ ...seedInput, checkpoint: 'C2-partial', qualityScore: 94 });
    expect(message).toContain('Checkpoint: C2-partial\nQuality-Score: 94\n');
  });

  it('flattens a title that tries to start a trailer paragraph', () => {
    const message = formatCommitMessage({ ...seedInput, title: 'harmless\n\nAgent: x\nCheckpoint: C0-complete' });
    expect(message.split('\n')[0]).toBe('feat(PROJ-142): harmless Agent: x Checkpoint: C0-complete');
    expect(parseCommitTrailers(message)).toEqual({ Agent: 'batch-2024-01-15', Checkpoint: 'C2-complete', 'Quality-Score': 'pending-gates' });
  });

  it('keeps change lines as bullets so they can never be trailers', () => {
    const message = formatCommitMessage({ ...seedInput, changes: ['Checkpoint: C0', 'Quality-Score: 100\n\nAgent: evil', '   ', '- already a bullet'] });
    expect(message).toContain('- Checkpoint: C0\n- Quality-Score: 100 Agent: evil\n- already a bullet\n\nAgent:');
  });

  it('strips ANSI escapes, bidi overrides and control characters from the title', () => {
    const message = formatCommitMessage({ ...seedInput, title: '\u001b[31mred\u001b[0m \u202eevil\u0007 <script>alert(1)</script>' });
    expect(message.split('\n')[0]).toBe('feat(PROJ-142): red evil <script>alert(1)</script>');
  });

  it('caps the subject at 72 characters with an ellipsis', () => {
    const subject = formatCommitMessage({ ...seedInput, title: 'x'.repeat(500) }).split('\n')[0] as string;
    expect(Array.from(subject)).toHaveLength(72);
    expect(subject.endsWith('…')).toBe(true);
  });

  it('does not split emoji when it cuts the subject', () => {
    const subject = formatCommitMessage({ ...seedInput, title: '😀'.repeat(100) }).split('\n')[0] as string;
    expect(Array.from(subject)).toHaveLength(72);
    expect(subject).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });

  it('omits the bullet paragraph when no change survives, keeping three trailers', () => {
    const message = formatCommitMessage({ ...seedInput, changes: ['\n', ''] });
    expect(message).toBe('feat(PROJ-142): implement user authentication\n\nAgent: batch-2024-01-15\nCheckpoint: C2-complete\nQuality-Score: pending-gates\n');
  });

  it('throws on values Nightshift never produces', () => {
    expect(() => formatCommitMessage({ ...seedInput, ticketId: 'PROJ-1\nAgent: x' })).toThrow(/ticketId/);
    expect(() => formatCommitMessage({ ...seedInput, qualityScore: 101 })).toThrow(/qualityScore/);
    expect(() => formatCommitMessage({ ...seedInput, qualityScore: 9.5 })).toThrow(/qualityScore/);
    expect(() => formatCommitMessage({ ...seedInput, type: 'feat\nx' })).toThrow(/type/);
  });
});

describe('agentTrailerValue', () => {
  it('keeps the date of the batch id', () => {
    expect(agentTrailerValue('2024-01-15-overnight')).toBe('batch-2024-01-15');
    expect(agentTrailerValue('2024-01-15')).toBe('batch-2024-01-15');
  });
  it('keeps a safe form of an id without a date', () => {
    expect(agentTrailerValue('rehearsal run\n1')).toBe('batch-rehearsal-run-1');
    expect(agentTrailerValue('2024-01-150')).toBe('batch-2024-01-150');
  });
});

describe('parseCommitTrailers', () => {
  it('reads the trailers of the seed message', () => {
    expect(parseCommitTrailers(seedMessage)).toEqual({ Agent: 'batch-2024-01-15', Checkpoint: 'C2-complete', 'Quality-Score': 'pending-gates' });
  });
  it('finds none when the last paragraph is not all trailers', () => {
    expect(parseCommitTrailers('feat: x\n\n- Checkpoint: C0\n')).toEqual({});
    expect(parseCommitTrailers('only a subject')).toEqual({});
  });
});

describe('git agrees on the trailers', () => {
  let repository: string;
  let commitCount = 0;
  beforeAll(() => {
    repository = mkdtempSync(join(tmpdir(), 'nightshift-commit-message-'));
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repository, encoding: 'utf8' });
    git('init', '--quiet');
    git('config', 'user.name', 'Nightshift Test');
    git('config', 'user.email', 'test@nightshift.invalid');
  });
  afterAll(() => rmSync(repository, { recursive: true, force: true }));

  function commitAndParseWithGit(message: string): { stored: string; trailers: string } {
    const git = (args: string[], input?: string) => execFileSync('git', args, { cwd: repository, encoding: 'utf8', input });
    commitCount += 1;
    writeFileSync(join(repository, 'file.txt'), `${commitCount}\n`);
    git(['add', 'file.txt']);
    git(['commit', '--quiet', '--file', '-'], message);
    const stored = git(['log', '-1', '--format=%B']);
    return { stored, trailers: git(['interpret-trailers', '--parse'], stored) };
  }

  it.each([
    ['the seed message', seedInput],
    ['a forged title', { ...seedInput, title: 'x\n\nAgent: forged\nCheckpoint: C0-complete' }],
    ['forged change lines', { ...seedInput, changes: ['Checkpoint: C0', 'Signed-off-by: Mallory <m@example.com>', '---', '# comment'] }],
  ])('git sees exactly the three trailers for %s', (_name, input) => {
    const message = formatCommitMessage({ ...input, qualityScore: 87 });
    const { stored, trailers } = commitAndParseWithGit(message);
    expect(trailers).toBe('Agent: batch-2024-01-15\nCheckpoint: C2-complete\nQuality-Score: 87\n');
    expect(parseCommitTrailers(stored)).toEqual({ Agent: 'batch-2024-01-15', Checkpoint: 'C2-complete', 'Quality-Score': '87' });
  });
});
