import { describe, expect, it } from 'vitest';
import { parseTicketFile } from '../adapters/trackers/files/parse-ticket-file.js';
import { validateReadiness } from '../domain/readiness.js';
import { knownConfigKeys } from './config-schema.js';
import { parseConfigText } from './parse-config-text.js';
import { EXAMPLE_TICKET_PATH, EXAMPLE_TICKET_TEXT, STARTER_CONFIG_TEXT } from './starter-files.js';

function keyPaths(path: string[]): string[][] {
  return (knownConfigKeys(path) ?? []).flatMap((key) => [[...path, key], ...keyPaths([...path, key])]);
}

describe('starter nightshift.yaml', () => {
  it('loads with no error and no warning', () => {
    const result = parseConfigText(STARTER_CONFIG_TEXT, 'nightshift.yaml');
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result.config?.batch).toEqual({ maxTickets: 20, timeoutPerTicketMinutes: 30, parallelAgents: 3, nameSuffix: 'overnight' });
  });

  it('mentions every key, each under a comment that gives its default', () => {
    const lines = STARTER_CONFIG_TEXT.split('\n');
    for (const keyPath of keyPaths([])) {
      const key = keyPath[keyPath.length - 1] as string;
      const index = lines.findIndex((line) => new RegExp(`^\\s*(# )?${key}:`).test(line));
      expect(index, `key ${keyPath.join('.')}`).toBeGreaterThan(0);
      const isSection = (knownConfigKeys(keyPath) ?? []).length > 0 && key !== 'author';
      const isAuthorField = keyPath[keyPath.length - 2] === 'author';
      if (!isSection && !isAuthorField) expect(lines[index - 1], `comment above ${keyPath.join('.')}`).toMatch(/^\s*#.*(Default|No default)/);
    }
  });

  it('still loads when the commented-out agent keys are switched on for a command agent', () => {
    const enabled = STARTER_CONFIG_TEXT.replace('kind: claude-code', 'kind: command').replace(/^ {2}# (binary|model|base_url|api_key_env|command):/gm, '  $1:');
    const result = parseConfigText(enabled, 'nightshift.yaml');
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result.config?.agent.commandTemplate).toBe('aider --message-file {prompt_file}');
  });
});

describe('example ticket', () => {
  it('parses without problems and is ready except for its label', () => {
    const reading = parseTicketFile(EXAMPLE_TICKET_TEXT, { sourceReference: EXAMPLE_TICKET_PATH });
    expect(reading.problems).toEqual([]);
    const ticket = reading.ticket;
    expect(ticket).toBeDefined();
    if (ticket === undefined) return;
    expect(ticket.labels).not.toContain('ready-for-agent');
    expect(validateReadiness(ticket, { resolvedTicketIds: new Set(), candidateTicketIds: new Set() })).toEqual({
      ready: true,
      missingRequired: [],
      missingRecommended: [],
    });
  });
});
