import { describe, expect, it } from 'vitest';
import { buildOpenCodeArguments, promptWords } from './opencode-config.js';

describe('promptWords', () => {
  it('splits the prompt at its spaces so OpenCode joins it back as written', () => {
    expect(promptWords('Add {"summary": "x"} to  it\nnow')).toEqual(['Add', '{"summary":', '"x"}', 'to', '', 'it\nnow']);
    expect(promptWords('Add {"summary": "x"} to  it\nnow').join(' ')).toBe('Add {"summary": "x"} to  it\nnow');
  });

  it('never hands OpenCode a word its parser would turn into a number (it crashes on one)', () => {
    const prompt = 'truncate to 5 characters, -2 or 0x1F or 1e3 or 2.5; keep 05 and v2';
    const words = promptWords(prompt);
    expect(words.join(' ')).toBe(prompt);
    expect(words.filter((word) => /^[-+]?(?:0x[0-9a-f]+|\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?$/i.test(word))).toEqual([]);
    expect(words).toContain('to 5');
    expect(promptWords('5 items')).toEqual(['5 items']);
    expect(promptWords('3')).toEqual(['3']);
  });

  it('puts the prompt after --, so a leading dash is never an option', () => {
    const argumentsList = buildOpenCodeArguments({ prompt: '--help me with 2 things', model: 'm', extraArguments: [] });
    expect(argumentsList.slice(argumentsList.indexOf('--') + 1)).toEqual(['--help', 'me', 'with 2', 'things']);
  });
});
