import { describe, expect, it } from 'vitest';
import { describeFoundValue } from './describe-found-value.js';

describe('describeFoundValue', () => {
  it('shows what was found, briefly', () => {
    expect(describeFoundValue(undefined)).toBe('nothing');
    expect(describeFoundValue(null)).toBe('an empty value');
    expect(describeFoundValue('three')).toBe('"three"');
    expect(describeFoundValue(3)).toBe('3');
    expect(describeFoundValue(['a'])).toBe('a list (["a"])');
    expect(describeFoundValue({ a: 1 })).toBe('a mapping ({"a":1})');
    expect(describeFoundValue('x'.repeat(100))).toHaveLength(60);
  });

  it('names a value that refers to itself (a YAML anchor inside itself) without throwing', () => {
    const looped: Record<string, unknown> = {};
    looped.self = looped;
    expect(describeFoundValue(looped)).toBe('a mapping (…)');
  });
});
