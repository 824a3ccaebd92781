import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineCounter, parseDocument } from 'yaml';
import { lineCounterFor, locateYamlKey, valueAtKeyPath, yamlKeyOffset, yamlPositionAt } from './yaml-location.js';

const TEXT = ['batch:', '  max_tickets: three', 'tickets:', '  - id: PROJ-1', '    dependencies: [PROJ-0]', '  - id: PROJ-2', ''].join('\n');

function parsed(text: string) {
  const document = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  return { document, lineCounter: lineCounterFor(text) };
}

/** Counts lines and columns from the text itself, the way an editor does. */
function lineAndColumnInText(text: string, offset: number): { line: number; column: number } {
  const lines = text.slice(0, Math.max(0, offset)).split('\n');
  return { line: lines.length, column: (lines[lines.length - 1]?.length ?? 0) + 1 };
}

describe('valueAtKeyPath', () => {
  const data = parseDocument(TEXT).toJS() as unknown;

  it('follows mapping keys and list positions', () => {
    expect(valueAtKeyPath(data, ['batch', 'max_tickets'])).toBe('three');
    expect(valueAtKeyPath(data, ['tickets', 0, 'dependencies', 0])).toBe('PROJ-0');
    expect(valueAtKeyPath(data, [])).toBe(data);
  });

  it('gives undefined where the path leads nowhere', () => {
    expect(valueAtKeyPath(data, ['batch', 'parallel_agents'])).toBeUndefined();
    expect(valueAtKeyPath(data, ['batch', 'max_tickets', 'deeper'])).toBeUndefined();
    expect(valueAtKeyPath(null, ['batch'])).toBeUndefined();
  });
});

describe('locateYamlKey', () => {
  const { document, lineCounter } = parsed(TEXT);

  it('points at the key, not at its value', () => {
    expect(locateYamlKey(document, lineCounter, ['batch', 'max_tickets'])).toEqual({ line: 2, column: 3 });
    expect(locateYamlKey(document, lineCounter, ['tickets', 1, 'id'])).toEqual({ line: 6, column: 5 });
  });

  it('points at a list item by its position', () => {
    expect(locateYamlKey(document, lineCounter, ['tickets', 0, 'dependencies', 0])).toEqual({ line: 5, column: 20 });
  });

  it('falls back to the deepest key that exists when the rest of the path is missing', () => {
    expect(locateYamlKey(document, lineCounter, ['batch', 'parallel_agents'])).toEqual({ line: 1, column: 1 });
    expect(locateYamlKey(document, lineCounter, ['tickets', 5, 'id'])).toEqual({ line: 3, column: 1 });
    expect(locateYamlKey(document, lineCounter, ['batch', 'max_tickets', 'deeper'])).toEqual({ line: 2, column: 3 });
  });

  it('places the empty path at the start of the document and a missing first key nowhere', () => {
    expect(locateYamlKey(document, lineCounter, [])).toEqual({ line: 1, column: 1 });
    expect(locateYamlKey(document, lineCounter, ['status'])).toEqual({});
    expect(yamlKeyOffset(parsed('').document, ['status'])).toBeUndefined();
  });
});

describe('yamlPositionAt', () => {
  it('is empty without an offset', () => {
    expect(yamlPositionAt(new LineCounter(), undefined)).toEqual({});
  });

  it('counts lines and columns as the text itself does', () => {
    const yamlish = fc.stringMatching(/^[a-z:\- \n\r[\]{}"#]{0,60}$/);
    fc.assert(
      fc.property(yamlish, fc.nat(), (text, seed) => {
        const { lineCounter } = parsed(text);
        const offset = text.length === 0 ? 0 : seed % (text.length + 1);
        expect(yamlPositionAt(lineCounter, offset)).toEqual(lineAndColumnInText(text, offset));
      }),
      { numRuns: 2000 },
    );
  });
});
