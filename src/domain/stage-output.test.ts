import { describe, expect, it } from 'vitest';
import { implementationOutputSchema, parseStageOutput, planOutputSchema, scopeOutputSchema } from './stage-output.js';

describe('parseStageOutput', () => {
  it('reads a bare JSON answer', () => {
    expect(parseStageOutput('{"summary":"s","files":["a.js"]}', scopeOutputSchema)).toEqual({ ok: true, value: { summary: 's', files: ['a.js'] } });
  });

  it('reads JSON inside a fenced block after prose', () => {
    const text = 'Here is my plan.\n```json\n{"plan":["a"],"risks":[]}\n```';
    expect(parseStageOutput(text, planOutputSchema)).toEqual({ ok: true, value: { plan: ['a'], risks: [], decision_needed: null } });
  });

  it('fills the C2 defaults', () => {
    const parsed = parseStageOutput('{"summary":"did it","changes":["Add x"]}', implementationOutputSchema);
    expect(parsed).toEqual({ ok: true, value: { summary: 'did it', changes: ['Add x'], tests_run: [], partial: false, remaining_work: [] } });
  });

  it('says why an answer is refused', () => {
    expect(parseStageOutput('I could not decide.', scopeOutputSchema)).toEqual({ ok: false, error: 'the answer contains no JSON object' });
    const wrongShape = parseStageOutput('{"summary": 3, "files": "a"}', scopeOutputSchema);
    expect(wrongShape.ok).toBe(false);
    if (!wrongShape.ok) expect(wrongShape.error).toMatch(/summary.*files|files.*summary/s);
    const broken = parseStageOutput('{"summary": "x", files: }', scopeOutputSchema);
    expect(broken).toMatchObject({ ok: false, error: expect.stringMatching(/does not parse/) });
  });

  it('refuses unknown keys, so a typo in the agent answer is caught', () => {
    expect(parseStageOutput('{"summary":"s","files":[],"desicion":1}', scopeOutputSchema).ok).toBe(false);
  });
});
