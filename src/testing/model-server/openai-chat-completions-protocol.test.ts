import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatScenarioMarkers } from '../../domain/scenario-markers.js';
import { formatDuration } from './openai-chat-completions-protocol.js';
import { startModelServer, type RunningModelServer } from './start-model-server.js';

const WORKTREE = '/work/trees/DEMO-1';
const markers = (stage: 'C0' | 'C2'): string => formatScenarioMarkers({ ticketId: 'DEMO-1', stage, attempt: 1, worktreePath: WORKTREE });

/** OpenCode's tools, as it sends them: `function.parameters` JSON schemas. */
const OPENCODE_TOOLS = [
  { type: 'function', function: { name: 'read', description: 'Read a file', parameters: { type: 'object', properties: { filePath: { type: 'string', description: 'The absolute path to the file to read' } } } } },
  {
    type: 'function',
    function: {
      name: 'write',
      parameters: { type: 'object', properties: { filePath: { type: 'string', description: 'The absolute path to the file to write' }, content: { type: 'string' } } },
    },
  },
  { type: 'function', function: { name: 'bash', parameters: { type: 'object', properties: { command: { type: 'string' } } } } },
];

type Message = Record<string, unknown>;

function toolRounds(count: number): Message[] {
  return Array.from({ length: count }, (_, index) => [
    { role: 'assistant', content: null, tool_calls: [{ id: `call_${index}`, type: 'function', function: { name: 'read', arguments: '{}' } }] },
    { role: 'tool', tool_call_id: `call_${index}`, content: 'ok' },
  ]).flat();
}

function parseChunks(text: string): { chunks: Record<string, unknown>[]; done: boolean } {
  const data = text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => /^data: (.*)$/m.exec(block)?.[1] ?? '');
  return { chunks: data.filter((line) => line !== '[DONE]').map((line) => JSON.parse(line) as Record<string, unknown>), done: data.at(-1) === '[DONE]' };
}

describe('startModelServer (OpenAI Chat Completions)', () => {
  let server: RunningModelServer;

  beforeEach(async () => {
    server = await startModelServer({
      scenario: {
        tickets: {
          'DEMO-1': {
            C0: [{ report: { summary: 'scope', files: [] } }],
            C2: [
              { write: { path: 'src/a.js', content: 'one\n' } },
              { fail: { status: 429, retry_after_seconds: 3725, message: 'slow down' } },
              { run: { command: 'npm test' } },
              { say: 'finished' },
            ],
          },
        },
      },
    });
  });

  afterEach(() => server.close());

  async function post(messages: Message[], options: { stream?: boolean; includeUsage?: boolean; tools?: unknown[]; path?: string } = {}): Promise<Response> {
    return fetch(`${server.url}${options.path ?? '/v1/chat/completions'}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer x' },
      body: JSON.stringify({
        model: 'scripted-model',
        stream: options.stream ?? true,
        ...(options.includeUsage === true ? { stream_options: { include_usage: true } } : {}),
        tools: options.tools ?? OPENCODE_TOOLS,
        messages,
      }),
    });
  }

  const prompt = (stage: 'C0' | 'C2'): Message => ({ role: 'user', content: [{ type: 'text', text: `Work on it.\n${markers(stage)}` }] });

  it('streams a final answer as chat.completion.chunk events ending with [DONE], with usage when asked', async () => {
    const response = await post([{ role: 'system', content: 'You are a coding agent.' }, prompt('C0')], { includeUsage: true });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const { chunks, done } = parseChunks(await response.text());
    expect(done).toBe(true);
    expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk' && chunk.model === 'scripted-model')).toBe(true);
    const text = chunks.flatMap((chunk) => (chunk.choices as { delta: { content?: string } }[]).map((choice) => choice.delta.content ?? '')).join('');
    expect(JSON.parse(text)).toEqual({ summary: 'scope', files: [] });
    expect(chunks.at(-2)?.choices).toEqual([{ index: 0, delta: {}, finish_reason: 'stop' }]);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number), total_tokens: expect.any(Number) } });
  });

  it('sends no usage chunk unless stream_options.include_usage asks for it', async () => {
    const { chunks } = parseChunks(await (await post([prompt('C0')])).text());
    expect(chunks.some((chunk) => 'usage' in chunk)).toBe(false);
  });

  it('streams a tool call of the agent’s own tool with finish_reason tool_calls, and reads role "tool" results back', async () => {
    const first = parseChunks(await (await post([prompt('C2')])).text()).chunks;
    const call = (first[1]?.choices as { delta: { tool_calls: unknown[] } }[])[0]?.delta.tool_calls[0];
    expect(call).toEqual({ index: 0, id: expect.any(String), type: 'function', function: { name: 'read', arguments: JSON.stringify({ filePath: `${WORKTREE}/src/a.js` }) } });
    expect(first.at(-1)?.choices).toEqual([{ index: 0, delta: {}, finish_reason: 'tool_calls' }]);
    const second = (await (await post([prompt('C2'), ...toolRounds(1)], { stream: false })).json()) as {
      object: string;
      choices: { message: { tool_calls: { function: { name: string; arguments: string } }[] }; finish_reason: string }[];
    };
    expect(second.object).toBe('chat.completion');
    expect(second.choices[0]?.finish_reason).toBe('tool_calls');
    expect(second.choices[0]?.message.tool_calls[0]?.function).toEqual({ name: 'write', arguments: JSON.stringify({ filePath: `${WORKTREE}/src/a.js`, content: 'one\n' }) });
  });

  it('answers a 429 once, with retry-after and OpenAI reset headers, then continues the script', async () => {
    const conversation = [prompt('C2'), ...toolRounds(2)];
    const limited = await post(conversation);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3725');
    expect(limited.headers.get('retry-after-ms')).toBe('3725000');
    expect(limited.headers.get('x-ratelimit-reset-requests')).toBe('1h2m5s');
    expect(await limited.json()).toEqual({
      error: { message: expect.stringMatching(/^slow down \(retry after 3725 seconds, at .*\)$/), type: 'requests', param: null, code: 'rate_limit_exceeded' },
    });
    const next = (await (await post(conversation, { stream: false })).json()) as { choices: { message: { tool_calls: { function: { name: string } }[] } }[] };
    expect(next.choices[0]?.message.tool_calls[0]?.function.name).toBe('bash');
    const last = (await (await post([prompt('C2'), ...toolRounds(3)], { stream: false })).json()) as { choices: { message: { content: string }; finish_reason: string }[] };
    expect(last.choices[0]).toMatchObject({ message: { content: 'finished' }, finish_reason: 'stop' });
  });

  it('serves /chat/completions without /v1 too, and treats a request without tools as a side request', async () => {
    const side = (await (await post([prompt('C2')], { path: '/chat/completions', tools: [], stream: false })).json()) as { choices: { message: { content: string } }[] };
    expect(side.choices[0]?.message.content).toBe('Scripted model: nothing to add.');
    expect(server.requests.at(-1)).toMatchObject({ protocol: 'openai-chat-completions', answered: 'side-request' });
  });

  it('refuses a body without messages', async () => {
    const response = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'm' }) });
    expect(response.status).toBe(400);
  });
});

describe('formatDuration', () => {
  it.each([
    [5, '5s'],
    [65, '1m5s'],
    [3600, '1h0m0s'],
  ])('writes %d seconds as %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});
