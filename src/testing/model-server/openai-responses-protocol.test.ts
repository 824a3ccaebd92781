import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatScenarioMarkers } from '../../domain/scenario-markers.js';
import { formatResetDuration } from './openai-responses-protocol.js';
import { startModelServer, type RunningModelServer } from './start-model-server.js';

const CODEX_TOOLS = [
  {
    type: 'function',
    name: 'exec_command',
    description: 'Runs a command in a PTY.',
    strict: false,
    parameters: { type: 'object', properties: { cmd: { type: 'string', description: 'Shell command to execute.' }, workdir: { type: 'string' } }, required: ['cmd'] },
  },
  { type: 'function', name: 'view_image', parameters: { type: 'object', properties: { path: { type: 'string', description: 'Local filesystem path to an image file.' } } } },
  { type: 'custom', name: 'apply_patch', description: 'FREEFORM tool', format: { type: 'grammar', syntax: 'lark', definition: 'start: begin_patch hunk+ end_patch\nbegin_patch: "*** Begin Patch" LF' } },
  { type: 'namespace', name: 'multi_agent_v1', tools: [{ type: 'function', name: 'spawn_agent', parameters: { type: 'object', properties: {} } }] },
  { type: 'web_search', external_web_access: false },
];

type Item = Record<string, unknown>;

interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

function parseSse(text: string): SseEvent[] {
  return text
    .split('\n\n')
    .filter((chunk) => chunk.trim() !== '')
    .map((chunk) => ({ event: /^event: (.*)$/m.exec(chunk)?.[1] ?? '', data: JSON.parse(/^data: (.*)$/m.exec(chunk)?.[1] ?? '{}') as Record<string, unknown> }));
}

describe('startModelServer (OpenAI Responses)', () => {
  let server: RunningModelServer;
  let worktree: string;
  const prompt = (stage: 'C0' | 'C2', ticketId = 'DEMO-1'): Item => ({
    type: 'message',
    role: 'user',
    content: [{ type: 'input_text', text: `Work on it.\n${formatScenarioMarkers({ ticketId, stage, attempt: 1, worktreePath: worktree })}` }],
  });
  const preamble: Item[] = [
    { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'You are a coding agent running in the Codex CLI.' }] },
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: '<environment_context>…</environment_context>' }] },
  ];
  const functionResult = (index: number): Item[] => [
    { type: 'function_call', call_id: `call_${index}`, name: 'exec_command', arguments: '{}' },
    { type: 'function_call_output', call_id: `call_${index}`, output: 'ok' },
  ];
  const patchResult = (index: number): Item[] => [
    { type: 'reasoning', summary: [] },
    { type: 'custom_tool_call', call_id: `patch_${index}`, name: 'apply_patch', input: '*** Begin Patch' },
    { type: 'custom_tool_call_output', call_id: `patch_${index}`, output: 'Success.' },
  ];

  beforeEach(async () => {
    worktree = await mkdtemp(join(tmpdir(), 'nightshift-responses-'));
    await writeFile(join(worktree, 'README.md'), '# Title\nold line\n');
    server = await startModelServer({
      now: () => new Date('2026-01-01T00:00:00.000Z'),
      scenario: {
        tickets: {
          'DEMO-1': {
            C0: [{ read: { path: 'README.md' } }, { report: { summary: 'scope' } }],
            C2: [
              { write: { path: 'notes/new.txt', content: 'one\ntwo\n' } },
              { edit: { path: 'README.md', old: 'old', new: 'new' } },
              { run: { command: 'npm test' } },
              { fail: { status: 429, retry_after_seconds: 3600, message: 'slow down' } },
              { say: 'finished' },
            ],
          },
        },
      },
    });
  });

  afterEach(async () => {
    await server.close();
    await rm(worktree, { recursive: true, force: true });
  });

  async function post(input: Item[] | string, options: { stream?: boolean; tools?: unknown[]; path?: string } = {}): Promise<Response> {
    return fetch(`${server.url}${options.path ?? '/v1/responses'}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' },
      body: JSON.stringify({ model: 'gpt-5.5', stream: options.stream ?? true, tools: options.tools ?? CODEX_TOOLS, input }),
    });
  }

  async function outputItem(input: Item[]): Promise<Item> {
    const response = await post(input, { stream: false });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { output: Item[]; status: string };
    expect(body.status).toBe('completed');
    return body.output[0] as Item;
  }

  it('streams a final answer as response.created, the output item, and response.completed with usage', async () => {
    const response = await post([...preamble, prompt('C0'), ...functionResult(0)]);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const events = parseSse(await response.text());
    expect(events.map((event) => event.event)).toEqual([
      'response.created',
      'response.output_item.added',
      'response.output_text.delta',
      'response.output_text.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.every((event) => event.data.type === event.event)).toBe(true);
    expect(events[4]?.data.item).toMatchObject({ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: JSON.stringify({ summary: 'scope' }, null, 2) }] });
    const completed = events[5]?.data.response as { id: string; usage: { input_tokens: number; output_tokens: number; total_tokens: number } };
    expect(completed.id).toMatch(/^resp_/);
    expect(completed.usage.input_tokens).toBeGreaterThan(0);
    expect(completed.usage.total_tokens).toBe(completed.usage.input_tokens + completed.usage.output_tokens);
  });

  it('reads a file through the shell when no read tool is offered (an image viewer is not one)', async () => {
    const events = parseSse(await (await post([...preamble, prompt('C0')])).text());
    expect(events.map((event) => event.event)).toEqual(['response.created', 'response.output_item.added', 'response.output_item.done', 'response.completed']);
    expect(events[2]?.data.item).toMatchObject({ type: 'function_call', name: 'exec_command', arguments: JSON.stringify({ cmd: 'cat -- README.md' }), call_id: expect.any(String) });
  });

  it('writes and edits through the freeform apply_patch tool as custom_tool_call with a Codex patch', async () => {
    expect(await outputItem([...preamble, prompt('C2')])).toMatchObject({
      type: 'custom_tool_call',
      name: 'apply_patch',
      input: '*** Begin Patch\n*** Add File: notes/new.txt\n+one\n+two\n*** End Patch\n',
    });
    expect(await outputItem([...preamble, prompt('C2'), ...patchResult(0)])).toMatchObject({
      type: 'custom_tool_call',
      input: '*** Begin Patch\n*** Update File: README.md\n-old line\n+new line\n*** End Patch\n',
    });
    const run = await outputItem([...preamble, prompt('C2'), ...patchResult(0), ...patchResult(1)]);
    expect(run).toMatchObject({ type: 'function_call', name: 'exec_command' });
    expect(JSON.parse(String(run.arguments))).toEqual({ cmd: 'npm test' });
  });

  it('answers a 429 with retry-after and OpenAI reset headers once, then goes on', async () => {
    const conversation = [...preamble, prompt('C2'), ...patchResult(0), ...patchResult(1), ...functionResult(2)];
    const limited = await post(conversation);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3600');
    expect(limited.headers.get('x-ratelimit-reset-requests')).toBe('1h0m0s');
    expect(limited.headers.get('x-ratelimit-reset-tokens')).toBe('1h0m0s');
    expect(limited.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(await limited.json()).toEqual({
      error: { message: 'slow down (retry after 3600 seconds, at 2026-01-01T01:00:00.000Z)', type: 'requests', param: null, code: 'rate_limit_exceeded' },
    });
    expect(await outputItem(conversation)).toMatchObject({ type: 'message', content: [{ text: 'finished' }] });
  });

  it('treats requests without markers or without tools as side requests, and counts input tokens', async () => {
    const title = await outputItem([{ type: 'message', role: 'user', content: 'Write a title' }]);
    expect(title).toMatchObject({ type: 'message' });
    await post([...preamble, prompt('C2')], { tools: [] });
    expect(server.requests.map((request) => request.answered)).toEqual(['side-request', 'side-request']);
    const count = await post([...preamble, prompt('C2')], { path: '/v1/responses/input_tokens' });
    expect(await count.json()).toEqual({ object: 'response.input_tokens', input_tokens: expect.any(Number) });
  });

  it('accepts a plain string as input, and lists tools from namespaces and additional_tools items', async () => {
    const text = `Go.\n${formatScenarioMarkers({ ticketId: 'DEMO-1', stage: 'C0', attempt: 1, worktreePath: worktree })}`;
    expect((await post(text, { stream: false })).status).toBe(200);
    const codeMode = [{ type: 'additional_tools', role: 'developer', tools: [{ type: 'namespace', name: 'functions', tools: [{ type: 'custom', name: 'exec', format: { type: 'text' } }] }] }, prompt('C2')];
    const answer = (await (await post(codeMode, { stream: false, tools: [] })).json()) as { output: Item[] };
    expect(answer.output[0]).toMatchObject({ type: 'message' });
    expect(server.requests.at(-1)).toMatchObject({ answered: 'missing-tool: write notes/new.txt', toolsOffered: ['exec'] });
    await post([prompt('C0')], { stream: false });
    expect(server.requests.at(-1)?.toolsOffered).toEqual(['exec_command', 'view_image', 'apply_patch', 'spawn_agent', 'web_search']);
  });

  it('refuses a body without input', async () => {
    const response = await fetch(`${server.url}/v1/responses`, { method: 'POST', body: JSON.stringify({ model: 'm' }) });
    expect(response.status).toBe(400);
    expect(server.requests.at(-1)).toMatchObject({ protocol: 'openai-responses', answered: 'invalid', errorMessage: 'input: expected a string or an array of items' });
  });
});

describe('formatResetDuration', () => {
  it('writes durations the way OpenAI does in x-ratelimit-reset-*', () => {
    expect(formatResetDuration(20)).toBe('20s');
    expect(formatResetDuration(90)).toBe('1m30s');
    expect(formatResetDuration(360)).toBe('6m0s');
    expect(formatResetDuration(3723)).toBe('1h2m3s');
  });
});
