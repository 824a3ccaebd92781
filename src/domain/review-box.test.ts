import { describe, expect, it } from 'vitest';
import { displayWidth, fitToWidth, renderReviewBox, type ReviewBoxInput } from './review-box.js';

/** The seed's example batch. */
const seedBatch: ReviewBoxInput = {
  batchId: '2024-01-15-overnight',
  totals: { total: 15, completed: 12, escalated: 2, failed: 1 },
  readyForReview: [
    { ticketId: 'PROJ-142', title: 'Auth feature', qualityScore: 94, securityFlagCount: 0, checksFailed: 0 },
    { ticketId: 'PROJ-138', title: 'Utils cleanup', qualityScore: 91, securityFlagCount: 0, checksFailed: 0 },
    { ticketId: 'PROJ-140', title: 'API refactor', qualityScore: 78, securityFlagCount: 1, checksFailed: 0 },
    { ticketId: 'PROJ-139', title: 'Logging', qualityScore: 70, securityFlagCount: 0, checksFailed: 0 },
  ],
  escalations: [
    { ticketId: 'PROJ-145', question: 'Architecture decision needed' },
    { ticketId: 'PROJ-147', question: 'Multiple valid approaches' },
  ],
};

/** The seed's box, with its collapsed spacing restored and the header naming the real order. */
const seedBox = `╔══════════════════════════════════════════════════════════════╗
║ BATCH REVIEW: 2024-01-15-overnight                           ║
╠══════════════════════════════════════════════════════════════╣
║ Summary:                                                     ║
║   Total tickets: 15                                          ║
║   Completed: 12                                              ║
║   Escalated: 2                                               ║
║   Failed: 1                                                  ║
╠══════════════════════════════════════════════════════════════╣
║ Ready for Review (security, then priority, then score):      ║
║   ✓ PROJ-142: Auth feature  [Score: 94] [Security: OK]       ║
║   ✓ PROJ-138: Utils cleanup [Score: 91] [Security: OK]       ║
║   ⚠ PROJ-140: API refactor  [Score: 78] [Security: 1]        ║
║   ... 1 more                                                 ║
╠══════════════════════════════════════════════════════════════╣
║ Escalations Pending:                                         ║
║   ⚠ PROJ-145: Architecture decision needed                   ║
║   ⚠ PROJ-147: Multiple valid approaches                      ║
╚══════════════════════════════════════════════════════════════╝
`;

function collapseSpaces(line: string): string {
  return line.replace(/ +/g, ' ');
}

function expectAlignedBox(box: string, width: number): void {
  const lines = box.trimEnd().split('\n');
  for (const line of lines) {
    expect(displayWidth(line), JSON.stringify(line)).toBe(width);
    expect(line).toMatch(/^[╔╠╚║].*[╗╣╝║]$/u);
  }
}

describe('renderReviewBox', () => {
  it("renders the seed's example box", () => {
    expect(renderReviewBox(seedBatch, { maximumItemsPerSection: 3 })).toBe(seedBox);
  });

  it("matches the seed's lines once spacing is collapsed (except the header it corrects)", () => {
    const seedLines = [
      '║ BATCH REVIEW: 2024-01-15-overnight ║',
      '║ Summary: ║',
      '║ Total tickets: 15 ║',
      '║ Completed: 12 ║',
      '║ Escalated: 2 ║',
      '║ Failed: 1 ║',
      '║ ✓ PROJ-142: Auth feature [Score: 94] [Security: OK] ║',
      '║ ✓ PROJ-138: Utils cleanup [Score: 91] [Security: OK] ║',
      '║ ⚠ PROJ-140: API refactor [Score: 78] [Security: 1] ║',
      '║ Escalations Pending: ║',
      '║ ⚠ PROJ-145: Architecture decision needed ║',
      '║ ⚠ PROJ-147: Multiple valid approaches ║',
      '╔══════════════════════════════════════════════════════════════╗',
      '╚══════════════════════════════════════════════════════════════╝',
    ];
    const rendered = renderReviewBox(seedBatch).split('\n').map(collapseSpaces);
    for (const line of seedLines) expect(rendered).toContain(line);
  });

  it('keeps the right border aligned at any width', () => {
    for (const width of [40, 64, 66, 100]) expectAlignedBox(renderReviewBox(seedBatch, { width }), width);
  });

  it('marks failed checks with ⚠ and a tag', () => {
    const input = { ...seedBatch, readyForReview: [{ ticketId: 'PROJ-1', title: 'Thing', qualityScore: 60, securityFlagCount: 0, checksFailed: 1 }] };
    expect(renderReviewBox(input, { width: 80 })).toContain('║   ⚠ PROJ-1: Thing [Score: 60] [Security: OK] [Checks: failed]');
    const narrow = renderReviewBox(input);
    expect(narrow).toContain('║   ⚠ PROJ-1: Thi… [Score: 60] [Security: OK] [Checks: failed] ║');
    expectAlignedBox(narrow, 64);
  });

  it('marks a flaky check as flaky, not failed; a failed check wins when both', () => {
    const readyForReview = [
      { ticketId: 'PROJ-1', title: 'Flaky thing', qualityScore: 84, securityFlagCount: 0, checksFailed: 0, checksFlaky: 1 },
      { ticketId: 'PROJ-2', title: 'Broken thing', qualityScore: 60, securityFlagCount: 0, checksFailed: 1, checksFlaky: 1 },
      { ticketId: 'PROJ-3', title: 'Clean thing', qualityScore: 95, securityFlagCount: 0, checksFailed: 0, checksFlaky: 0 },
    ];
    const wide = renderReviewBox({ ...seedBatch, readyForReview }, { width: 80 });
    expect(wide).toContain('║   ⚠ PROJ-1: Flaky thing  [Score: 84] [Security: OK] [Checks: flaky]');
    expect(wide).toContain('║   ⚠ PROJ-2: Broken thing [Score: 60] [Security: OK] [Checks: failed]');
    expect(wide).toContain('║   ✓ PROJ-3: Clean thing  [Score: 95] [Security: OK]  ');
    expect(wide).not.toMatch(/PROJ-1.*failed|PROJ-3.*Checks/);
    const narrow = renderReviewBox({ ...seedBatch, readyForReview });
    expect(narrow).toContain('║   ⚠ PROJ-1: Flak… [Score: 84] [Security: OK] [Checks: flaky] ║');
    for (const width of [40, 64, 80]) expectAlignedBox(renderReviewBox({ ...seedBatch, readyForReview }, { width }), width);
  });

  it('shows optional totals, unscored MRs and empty sections', () => {
    const box = renderReviewBox({
      batchId: 'b',
      totals: { total: 3, completed: 0, escalated: 0, failed: 0, partial: 1, skipped: 2, refused: 0 },
      readyForReview: [{ ticketId: 'PROJ-1', title: 'x', securityFlagCount: 0, checksFailed: 0 }],
      escalations: [],
    });
    expect(box).toContain('Partial: 1');
    expect(box).toContain('Skipped: 2');
    expect(box).not.toContain('Refused');
    expect(box).toContain('[Score: -]');
    expect(box).toMatch(/Escalations Pending: +║\n║ {3}\(none\)/u);
  });

  it('neutralizes hostile ticket text and keeps the layout', () => {
    const hostile = [
      '\u001b[2J\u001b[31mred\u001b[0m title',
      'line one\nline two\r\n║ fake row ║',
      '<script>alert(1)</script>',
      'x'.repeat(500),
      '日本語のタイトルがとても長い場合の表示幅テスト',
      'family 👨‍👩‍👧‍👦 flags 🇯🇵 ok ⚠️ done',
      'e\u0301\u0301 combining \u202eevil\u200b',
      '\u001b]8;;http://evil.example\u0007link\u001b]8;;\u0007',
    ];
    const box = renderReviewBox({
      ...seedBatch,
      batchId: '2024-01-15\u001b[31m\nforged',
      readyForReview: hostile.map((title, index) => ({ ticketId: `PROJ-${index}`, title, qualityScore: 50, securityFlagCount: 0, checksFailed: 0 })),
      escalations: hostile.map((question, index) => ({ ticketId: `PROJ-${index}`, question })),
    });
    expect(box).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202e\u200b]/);
    expect(box).toContain('BATCH REVIEW: 2024-01-15 forged');
    expect(box).toContain('<script>alert(1)</script>');
    expect(box).toContain('xxx…');
    expectAlignedBox(box, 64);
    expectAlignedBox(renderReviewBox({ ...seedBatch, readyForReview: [], escalations: hostile.map((question) => ({ ticketId: 'PROJ-1', question })) }, { width: 41 }), 41);
  });

  it('refuses a width too small to draw', () => {
    expect(() => renderReviewBox(seedBatch, { width: 20 })).toThrow(/width must be an integer of at least 40/);
  });
});

describe('displayWidth and fitToWidth', () => {
  it.each([
    ['abc', 3],
    ['✓', 1],
    ['⚠', 1],
    ['⚠️', 2],
    ['😀', 2],
    ['👨‍👩‍👧', 2],
    ['日本', 4],
    ['ｱ', 1],
    ['é', 1],
    ['e\u0301', 1],
    ['\u200b', 0],
  ])('measures %j as %i columns', (text, width) => {
    expect(displayWidth(text)).toBe(width);
  });

  it('cuts by columns without splitting wide characters', () => {
    expect(fitToWidth('日本語', 4)).toBe('日… ');
    expect(fitToWidth('abcdef', 4)).toBe('abc…');
    expect(fitToWidth('ab', 4)).toBe('ab  ');
  });
});
