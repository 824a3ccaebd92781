import { describe, expect, it } from 'vitest';
import { describeFoundValue, formatConfigProblem } from './config-problem.js';

describe('formatConfigProblem', () => {
  it('writes file:line:column key: message', () => {
    expect(
      formatConfigProblem({ file: 'nightshift.yaml', line: 7, column: 3, key: 'batch.parallel_agents', message: 'expected a whole number from 1 to 32, got "three"' }),
    ).toBe('nightshift.yaml:7:3 batch.parallel_agents: expected a whole number from 1 to 32, got "three"');
  });

  it('leaves out what the problem does not have', () => {
    expect(formatConfigProblem({ file: 'nightshift.yaml', message: 'no nightshift.yaml' })).toBe('nightshift.yaml: no nightshift.yaml');
    expect(formatConfigProblem({ file: 'nightshift.yaml', line: 2, column: 1, message: 'malformed YAML: x' })).toBe('nightshift.yaml:2:1: malformed YAML: x');
  });
});

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
});
