import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONFIG_FILE_NAME, loadConfig } from './load-config.js';
import { DEFAULT_CONFIG } from './nightshift-config.js';

let repositoryRoot: string;

beforeEach(async () => {
  repositoryRoot = await mkdtemp(path.join(tmpdir(), 'nightshift-config-'));
});

afterEach(async () => {
  await rm(repositoryRoot, { recursive: true, force: true });
});

describe('loadConfig', () => {
  it('reads nightshift.yaml at the repository root', async () => {
    await writeFile(path.join(repositoryRoot, CONFIG_FILE_NAME), 'batch:\n  max_tickets: 12\ngates:\n  commands: { test: npm test }\n');
    const result = await loadConfig(repositoryRoot);
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result.config?.batch.maxTickets).toBe(12);
  });

  it('runs with the defaults, and a warning, when the file is missing', async () => {
    const result = await loadConfig(repositoryRoot);
    expect(result.config).toEqual(DEFAULT_CONFIG);
    expect(result.config).not.toBe(DEFAULT_CONFIG);
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([{ file: 'nightshift.yaml', message: expect.stringContaining('using the defaults') }]);
  });

  it('names the file in problems, relative to the repository', async () => {
    await writeFile(path.join(repositoryRoot, CONFIG_FILE_NAME), 'batch:\n  parallel_agents: three\n');
    const result = await loadConfig(repositoryRoot);
    expect(result.config).toBeUndefined();
    expect(result.errors).toEqual([
      { file: 'nightshift.yaml', line: 2, column: 3, key: 'batch.parallel_agents', message: 'expected a whole number from 1 to 32, got "three"' },
    ]);
  });

  it('reports an unreadable file as an error', async () => {
    await mkdir(path.join(repositoryRoot, CONFIG_FILE_NAME));
    const result = await loadConfig(repositoryRoot);
    expect(result.config).toBeUndefined();
    expect(result.errors[0]?.message).toMatch(/^cannot read /);
  });
});
