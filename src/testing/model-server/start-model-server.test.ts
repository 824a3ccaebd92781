import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatScenarioMarkers } from '../../domain/scenario-markers.js';
import { startModelServer, type RunningModelServer } from './start-model-server.js';

const WORKTREE = '/work/trees/DEMO-1';
const markers = (stage: 'C0' | 'C1' | 'C2', attempt = 1, ticketId = 'DEMO-1'): string =>
  formatScenarioMarkers({ ticketId, stage, attempt, worktreePath: WORKTREE });

const CLAUDE_TOOLS = [
  { name: 'Read', input_schema: { type: 'object', properties: { file_path: { type: 'string', description: 'The absolute path to the file to read' } } } },
  {
    name: 'Write',
    input_schema: { type: 'object', properties: { file_path: { type: 'string', description: 'The absolute path to the file to write (must be absolute, not relative)' }, content: { type: 'string' } } },
  },
  {
    name: 'Edit',
    input_schema: { type: 'object', properties: { file_path: { type: 'string', description: 'The absolute path to the file to modify' }, old_string: { type: 'string' }, new_string: { type: 'string' } } },
  },
  { name: 'Bash', input_schema: { type: 'object', properties: { command: { type: 'string', description: 'The command to execute' } } } },
];

type Message = { role: string; content: unknown };

function firstUserMessage(stage: 'C0' | 'C1' | 'C2', attempt = 1): Message {
  return {
    role: 'user',
    content: [
      { type: 'text', text: '<system-reminder>\nContext the CLI adds.\n</system-reminder>' },
      { type: 'text', text: `Work on the ticket.\n\n${markers(stage, attempt)}\n\nAnswer in JSON.` },
    ],
  };
}

function toolResults(count: number): Message[] {
  return Array.from({ length: count }, (_, index) => [
    { role: 'assistant', content: [{ type: 'tool_use', id: `t${index}`, name: 'Read', input: {} }] },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: `t${index}`, content: 'ok' }] },
  ]).flat();
}

interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

function parseSse(text: string): SseEvent[] {
  return text
    .split('\n\n')
    .filter((chunk) => chunk.trim() !== '')
    .map((chunk) => {
      const event = /^event: (.*)$/m.exec(chunk)?.[1] ?? '';
      const data = JSON.parse(/^data: (.*)$/m.exec(chunk)?.[1] ?? '{}') as Record<string, unknown>;
      return { event, data };
    });
}

describe('startModelServer (Anthropic Messages)', () => {
  let server: RunningModelServer;
  let directory: string;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'nightshift-model-server-'));
    server = await startModelServer({
      requestLogPath: join(directory, 'requests.ndjson'),
      scenario: {
        model: 'scripted-test-model',
        tickets: {
          'DEMO-2': { C2: [{ run: { command: 'true' } }] },
          'DEMO-1': {
            C0: [{ report: { summary: 'scope', files: ['src/a.js'] } }],
            'C0#2': [{ say: 'second attempt' }],
            C1: [{ write: { path: 'src/forbidden.js', content: 'x' } }],
            C2: [
              { write: { path: 'src/a.js', content: 'one\n' } },
              { fail: { status: 429, retry_after_seconds: 30, message: 'rate limited' } },
              { edit: { path: 'src/a.js', old: 'one', new: 'two' } },
              { run: { command: 'npm test' } },
              { report: { summary: 'done', changes: ['a'] } },
            ],
          },
        },
      },
    });
  });

  afterEach(async () => {
    await server.close();
    await rm(directory, { recursive: true, force: true });
  });

  async function post(messages: Message[], options: { stream?: boolean; tools?: unknown[]; path?: string } = {}): Promise<Response> {
    return fetch(`${server.url}${options.path ?? '/v1/messages?beta=true'}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'claude-test', max_tokens: 100, stream: options.stream ?? true, tools: options.tools ?? CLAUDE_TOOLS, messages }),
    });
  }

  async function toolCallAt(results: number): Promise<{ name: string; input: Record<string, unknown> }> {
    const response = await post([firstUserMessage('C2'), ...toolResults(results)], { stream: false });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { content: { type: string; name: string; input: Record<string, unknown> }[]; stop_reason: string };
    expect(body.stop_reason).toBe('tool_use');
    const block = body.content[0];
    if (block === undefined) throw new Error('no content block');
    return { name: block.name, input: block.input };
  }

  it('answers HEAD / and GET / for health checks', async () => {
    expect((await fetch(`${server.url}/`, { method: 'HEAD' })).status).toBe(200);
    expect((await fetch(`${server.url}/`)).status).toBe(200);
  });

  it('streams a final answer as the SSE events Claude Code expects, with usage', async () => {
    const response = await post([firstUserMessage('C0')]);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const events = parseSse(await response.text());
    expect(events.map((event) => event.event)).toEqual(['message_start', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
    expect(events.every((event) => event.data.type === event.event)).toBe(true);
    expect(events[2]?.data.delta).toEqual({ type: 'text_delta', text: JSON.stringify({ summary: 'scope', files: ['src/a.js'] }, null, 2) });
    expect(events[4]?.data).toMatchObject({ delta: { stop_reason: 'end_turn' }, usage: { output_tokens: expect.any(Number) } });
    const start = events[0]?.data.message as { usage: { input_tokens: number } };
    expect(start.usage.input_tokens).toBeGreaterThan(0);
  });

  it('streams a tool call with its input as input_json_delta', async () => {
    const events = parseSse(await (await post([firstUserMessage('C2')])).text());
    expect(events[1]?.data.content_block).toMatchObject({ type: 'tool_use', name: 'Read', input: {} });
    expect(events[2]?.data.delta).toEqual({ type: 'input_json_delta', partial_json: JSON.stringify({ file_path: `${WORKTREE}/src/a.js` }) });
    expect(events[4]?.data).toMatchObject({ delta: { stop_reason: 'tool_use' } });
  });

  it('plays the script by the number of tool results, reading before writing and editing', async () => {
    expect(await toolCallAt(0)).toEqual({ name: 'Read', input: { file_path: `${WORKTREE}/src/a.js` } });
    expect(await toolCallAt(1)).toEqual({ name: 'Write', input: { file_path: `${WORKTREE}/src/a.js`, content: 'one\n' } });
    const limited = await post([firstUserMessage('C2'), ...toolResults(2)]);
    expect(limited.status).toBe(429);
    expect(await toolCallAt(2)).toEqual({ name: 'Read', input: { file_path: `${WORKTREE}/src/a.js` } });
    expect(await toolCallAt(3)).toEqual({ name: 'Edit', input: { file_path: `${WORKTREE}/src/a.js`, old_string: 'one', new_string: 'two' } });
    expect(await toolCallAt(4)).toEqual({ name: 'Bash', input: { command: 'npm test' } });
    const report = (await (await post([firstUserMessage('C2'), ...toolResults(5)], { stream: false })).json()) as { content: { text: string }[] };
    expect(JSON.parse(report.content[0]?.text ?? '')).toEqual({ summary: 'done', changes: ['a'] });
  });

  it('answers "done" after the last action of a script without a final answer', async () => {
    const conversation = [{ role: 'user', content: markers('C2', 1, 'DEMO-2') }, ...toolResults(1)];
    const after = (await (await post(conversation, { stream: false })).json()) as { content: { text: string }[] };
    expect(after.content[0]?.text).toBe('done');
    expect(server.requests.at(-1)).toMatchObject({ ticketId: 'DEMO-2', answered: 'done' });
  });

  it('answers a fail action once, with the rate-limit headers and error body, then continues', async () => {
    await toolCallAt(0);
    const conversation = [firstUserMessage('C2'), ...toolResults(2)];
    const limited = await post(conversation);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('30');
    expect(limited.headers.get('anthropic-ratelimit-requests-reset')).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(Number(limited.headers.get('anthropic-ratelimit-unified-reset'))).toBeGreaterThan(Date.now() / 1000);
    expect(await limited.json()).toEqual({ type: 'error', error: { type: 'rate_limit_error', message: expect.stringMatching(/^rate limited \(retry after 30 seconds, at .*\)$/) } });
    const next = await post(conversation, { stream: false });
    expect(next.status).toBe(200);
    expect(server.requests.filter((request) => request.status === 429)).toHaveLength(1);
  });

  it("logs the start of the latest stage prompt, so tests can check what the agent was told", async () => {
    const resumed = [firstUserMessage('C0'), ...toolResults(1), { role: 'user', content: `A human decided: use Number.\n${markers('C2')}\n${'x'.repeat(5000)}` }];
    await post(resumed, { stream: false });
    const excerpt = server.requests.at(-1)?.promptExcerpt;
    expect(excerpt).toMatch(/^A human decided: use Number\.\nnightshift-ticket: DEMO-1/);
    expect(excerpt).toHaveLength(4000);
    await post([firstUserMessage('C0')], { stream: false });
    expect(server.requests.at(-1)?.promptExcerpt).toBe(`Work on the ticket.\n\n${markers('C0')}\n\nAnswer in JSON.`);
    await post([{ role: 'user', content: 'Write a title for this conversation' }], { stream: false });
    expect(server.requests.at(-1)).not.toHaveProperty('promptExcerpt');
  });

  it('treats requests without markers or without tools as side requests that do not move the script', async () => {
    const title = await post([{ role: 'user', content: 'Write a title for this conversation' }], { stream: false });
    expect(((await title.json()) as { content: { type: string }[] }).content[0]?.type).toBe('text');
    const noTools = await post([firstUserMessage('C2'), ...toolResults(2)], { tools: [] });
    expect(noTools.status).toBe(200);
    expect(server.requests.map((request) => request.answered)).toEqual(['side-request', 'side-request']);
    expect((await post([firstUserMessage('C2'), ...toolResults(2)])).status).toBe(429);
  });

  it('uses the script of the attempt when the scenario has one', async () => {
    const response = await post([firstUserMessage('C0', 2)], { stream: false });
    expect(((await response.json()) as { content: { text: string }[] }).content[0]?.text).toBe('second attempt');
  });

  it('answers with text, and logs it, when the agent does not offer the tool an action needs', async () => {
    const response = await post([firstUserMessage('C1')], { tools: CLAUDE_TOOLS.filter((tool) => tool.name === 'Read'), stream: false });
    const body = (await response.json()) as { content: { text: string }[]; stop_reason: string };
    expect(body.stop_reason).toBe('end_turn');
    expect(body.content[0]?.text).toMatch(/wanted to write src\/forbidden\.js, but the agent offered no write tool \(tools offered: Read\)/);
    expect(server.requests.at(-1)).toMatchObject({ answered: 'missing-tool: write src/forbidden.js', toolsOffered: ['Read'], stage: 'C1' });
  });

  it('answers 400 naming the ticket and stage when the scenario has no script for them', async () => {
    const response = await post([{ role: 'user', content: markers('C2', 1, 'DEMO-9') }]);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toMatch(/no script for ticket DEMO-9 stage C2 \(attempt 1\) in scenario .*; it has DEMO-2: C2; DEMO-1: C0, C0#2, C1, C2/);
    expect(server.requests.at(-1)).toMatchObject({ answered: 'missing-script', ticketId: 'DEMO-9', status: 400 });
  });

  it('continues a resumed session of the same stage, and starts over for a new stage in it', async () => {
    const resumed = [firstUserMessage('C2'), ...toolResults(3), { role: 'user', content: `Continue.\n${markers('C2')}` }, ...toolResults(1)];
    expect((await post(resumed, { stream: false }).then((response) => response.json())) as unknown).toMatchObject({ content: [{ name: 'Bash' }] });
    const nextStage = [firstUserMessage('C2'), ...toolResults(3), { role: 'user', content: markers('C0') }];
    expect((await post(nextStage, { stream: false }).then((response) => response.json())) as unknown).toMatchObject({ content: [{ type: 'text' }] });
    expect(server.requests.at(-1)).toMatchObject({ stage: 'C0', answered: 'report' });
  });

  it('counts tokens and refuses what is not JSON', async () => {
    const count = await post([firstUserMessage('C0')], { path: '/v1/messages/count_tokens' });
    expect(await count.json()).toEqual({ input_tokens: expect.any(Number) });
    const invalid = await fetch(`${server.url}/v1/messages`, { method: 'POST', body: 'not json' });
    expect(invalid.status).toBe(400);
    expect((await fetch(`${server.url}/v1/other`, { method: 'POST', body: '{}' })).status).toBe(404);
  });

  it('writes every request to the NDJSON log', async () => {
    await post([firstUserMessage('C0')]);
    await fetch(`${server.url}/`, { method: 'HEAD' });
    const lines = (await readFile(join(directory, 'requests.ndjson'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual(server.requests);
    expect(lines[0]).toMatchObject({
      method: 'POST',
      path: '/v1/messages?beta=true',
      protocol: 'anthropic-messages',
      ticketId: 'DEMO-1',
      stage: 'C0',
      attempt: 1,
      answered: 'report',
      actionIndex: 0,
      status: 200,
      toolsOffered: ['Read', 'Write', 'Edit', 'Bash'],
    });
  });
});
