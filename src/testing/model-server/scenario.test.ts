import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findStageScript, loadScenario, parseScenario, ScenarioError } from './scenario.js';

describe('parseScenario', () => {
  it('normalizes every action kind', () => {
    const scenario = parseScenario(
      {
        tickets: {
          'DEMO-1': {
            C2: [
              { read: { path: 'a.js' } },
              { write: { path: 'a.js', content: 'x' } },
              { edit: { path: 'a.js', old: 'x', new: 'y' } },
              { run: { command: 'npm test' } },
              { fail: { status: 429, retry_after_seconds: 30 } },
              { say: 'not json' },
              { report: { summary: 's', changes: ['c'] } },
              { report: 'already text' },
            ],
          },
        },
      },
      'inline',
    );
    expect(scenario.model).toBe('scripted-model');
    expect(scenario.tickets['DEMO-1']?.C2).toEqual([
      { kind: 'read', path: 'a.js' },
      { kind: 'write', path: 'a.js', content: 'x' },
      { kind: 'edit', path: 'a.js', oldText: 'x', newText: 'y' },
      { kind: 'run', command: 'npm test' },
      { kind: 'fail', status: 429, retryAfterSeconds: 30, message: 'scripted HTTP 429' },
      { kind: 'say', text: 'not json' },
      { kind: 'report', text: JSON.stringify({ summary: 's', changes: ['c'] }, null, 2) },
      { kind: 'report', text: 'already text' },
    ]);
  });

  it('names the source, the field and what was expected for every problem', () => {
    const attempt = () =>
      parseScenario(
        {
          tickets: {
            'DEMO-1': {
              C3: [],
              C0: [{ write: { path: 'a.js' } }, { dance: {} }, { fail: { status: 200 } }],
            },
            'bad id': { C0: [] },
          },
        },
        'scenario.yaml',
      );
    expect(attempt).toThrow(ScenarioError);
    try {
      attempt();
    } catch (error) {
      const problems = (error as ScenarioError).problems;
      expect(problems).toEqual([
        'tickets.DEMO-1.C3: expected a stage key C0, C1 or C2, optionally with an attempt like "C0#2"',
        expect.stringMatching(/^tickets\.DEMO-1\.C0\[0\]\.write\.content: /),
        expect.stringMatching(/^tickets\.DEMO-1\.C0\[1\]: expected an object with exactly one of read, write, edit, run, fail, say, report/),
        expect.stringMatching(/^tickets\.DEMO-1\.C0\[2\]\.fail\.status: /),
        'tickets.bad id: expected a ticket id like "DEMO-1"',
      ]);
      expect((error as Error).message).toMatch(/^invalid scenario scenario\.yaml:/);
    }
  });

  it('refuses a document without tickets', () => {
    expect(() => parseScenario({ model: 'm' }, 'empty.yaml')).toThrow(/invalid scenario empty\.yaml:\n {2}- tickets: /);
  });

  it('prefers the script of the attempt', () => {
    const scenario = parseScenario({ tickets: { 'DEMO-1': { C0: [{ say: 'one' }], 'C0#2': [{ say: 'two' }] } } }, 'inline');
    expect(findStageScript(scenario, 'DEMO-1', 'C0', 2)).toEqual([{ kind: 'say', text: 'two' }]);
    expect(findStageScript(scenario, 'DEMO-1', 'C0', 3)).toEqual([{ kind: 'say', text: 'one' }]);
    expect(findStageScript(scenario, 'DEMO-1', 'C1', 1)).toBeUndefined();
    expect(findStageScript(scenario, 'DEMO-2', 'C0', 1)).toBeUndefined();
  });
});

describe('loadScenario', () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'nightshift-scenario-'));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('reads YAML and JSON files', async () => {
    await writeFile(join(directory, 'scenario.yaml'), 'model: m\ntickets:\n  DEMO-1:\n    C0:\n      - report: { summary: "s", files: [] }\n');
    await writeFile(join(directory, 'scenario.json'), JSON.stringify({ tickets: { 'DEMO-1': { C1: [{ say: 'hi' }] } } }));
    expect((await loadScenario(join(directory, 'scenario.yaml'))).model).toBe('m');
    expect((await loadScenario(join(directory, 'scenario.json'))).tickets['DEMO-1']?.C1).toEqual([{ kind: 'say', text: 'hi' }]);
  });

  it('names the file when it is missing, does not parse or is invalid', async () => {
    await writeFile(join(directory, 'broken.yaml'), 'tickets: [unclosed');
    await writeFile(join(directory, 'invalid.yaml'), 'tickets:\n  DEMO-1:\n    C0:\n      - run: {}\n');
    await expect(loadScenario(join(directory, 'missing.yaml'))).rejects.toThrow(`invalid scenario ${join(directory, 'missing.yaml')}:\n  - cannot read the file`);
    await expect(loadScenario(join(directory, 'broken.yaml'))).rejects.toThrow(/broken\.yaml:\n {2}- the file does not parse as YAML/);
    await expect(loadScenario(join(directory, 'invalid.yaml'))).rejects.toThrow(/invalid\.yaml:\n {2}- tickets\.DEMO-1\.C0\[0\]\.run\.command: /);
  });
});
