import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { flattenUntrustedText, stripAnsiEscapes, truncateCodePoints } from './untrusted-text.js';

describe('stripAnsiEscapes', () => {
  it.each([
    ['\u001b[31mred\u001b[0m', 'red'],
    ['\u001b[2J\u001b[1;1Hcleared', 'cleared'],
    ['\u001b]8;;http://evil.example\u0007link\u001b]8;;\u0007', 'link'],
    ['\u001b]0;window title\u001b\\text', 'text'],
    ['\u009b31mC1 CSI', 'C1 CSI'],
    ['\u001bPdevice control\u001b\\after', 'after'],
  ])('removes the escape in %j', (input, expected) => {
    expect(stripAnsiEscapes(input)).toBe(expected);
  });
});

describe('flattenUntrustedText', () => {
  it('makes one trimmed line of anything', () => {
    expect(flattenUntrustedText('  a\nb\r\nc\td\u2028e\u2029f\u0085g  ')).toBe('a b c d e f g');
  });
  it('removes bidi overrides and invisible characters', () => {
    expect(flattenUntrustedText('admin\u202e\u2066txt.exe\u2069\u200b\ufeff')).toBe('admin txt.exe');
  });
  it('keeps ordinary Unicode', () => {
    expect(flattenUntrustedText('café 日本 👨‍👩‍👧 ✓')).toBe('café 日本 👨‍👩‍👧 ✓');
  });
  it('never leaves a control character or a line break (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const flat = flattenUntrustedText(text);
        expect(flat).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
        expect(flat).toBe(flat.trim());
      }),
    );
  });
  it('cuts at a maximum length with an ellipsis', () => {
    expect(flattenUntrustedText('abcdefghij', 5)).toBe('abcd…');
    expect(flattenUntrustedText('abc', 5)).toBe('abc');
  });
});

describe('truncateCodePoints', () => {
  it('never splits a surrogate pair', () => {
    expect(truncateCodePoints('😀😀😀', 2)).toBe('😀…');
  });
  it('refuses a maximum below 1', () => {
    expect(() => truncateCodePoints('abc', 0)).toThrow(/maximumLength must be a positive integer/);
  });
});
