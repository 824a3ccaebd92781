import { describe, expect, it } from 'vitest';
import { formatConfigProblem } from './config-problem.js';

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
