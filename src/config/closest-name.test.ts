import { describe, expect, it } from 'vitest';
import { closestName, editDistance } from './closest-name.js';

describe('closestName', () => {
  const keys = ['max_tickets', 'timeout_per_ticket', 'parallel_agents', 'name_suffix'];
  it.each([
    ['paralel_agents', 'parallel_agents'],
    ['max-tickets', 'max_tickets'],
    ['maxTickets', 'max_tickets'],
    ['timeout_per_tikcet', 'timeout_per_ticket'],
  ])('suggests %s → %s', (typo, expected) => {
    expect(closestName(typo, keys)).toBe(expected);
  });

  it('suggests nothing for a name far from every key', () => {
    expect(closestName('colour', keys)).toBeUndefined();
    expect(closestName('x', [])).toBeUndefined();
  });
});

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions and transpositions', () => {
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('ab', 'ba')).toBe(1);
    expect(editDistance('same', 'same')).toBe(0);
  });
});
