import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatScenarioMarkers } from '../../domain/scenario-markers.js';
import { GeminiProtocol } from './gemini-protocol.js';
import { startModelServer, type RunningModelServer } from './start-model-server.js';

const WORKTREE = '/work/trees/DEMO-1';
const MODEL_PATH = '/v1beta/models/gemini-2.5-flash';

/** The tools as the Gemini CLI 0.61 declares them (trimmed to what matters). */
const GEMINI_TOOLS = [
  {
    functionDeclarations: [
      { name: 'read_file', description: 'Reads a file.', parametersJsonSchema: { type: 'object', properties: { file_path: { type: 'string', description: 'The path to the file to read.' } }, required: ['file_path'] } },
      {
        name: 'write_file',
        description: 'Writes a file.',
        parametersJsonSchema: {
          type: 'object',
          properties: { file_path: { type: 'string', description: 'The path to the file to write to.' }, content: { type: 'string', description: 'The content.' } },
          required: ['file_path', 'content'],
        },
      },
      {
        name: 'replace',
        description: 'Replaces text in a file.',
        parametersJsonSchema: {
          type: 'object',
          properties: {
            file_path: { type: 'string', description: 'The path to the file to modify.' },
            instruction: { type: 'string', description: 'A clear, semantic instruction for the code change.' },
            old_string: { type: 'string', description: 'The exact literal text to replace.' },
            new_string: { type: 'string', description: 'The exact literal text to replace old_string with.' },
            allow_multiple: { type: 'boolean', description: 'Replace every occurrence.' },
          },
          required: ['file_path', 'instruction', 'old_string', 'new_string'],
        },
      },
      {
        name: 'run_shell_command',
        description: 'Runs a shell command.',
        parameters: { type: 'OBJECT', properties: { command: { type: 'STRING', description: 'Exact bash command to execute as `bash -c <command>`' } }, required: ['command'] },
      },
    ],
  },
];

interface GeminiContent {
  role: string;
  parts: Record<string, unknown>[];
}

function prompt(stage: 'C0' | 'C2'): GeminiContent {
  return {
    role: 'user',
    parts: [{ text: '<session_context>\nThis is the Gemini CLI.\n</session_context>' }, { text: `Work on it.\n\n${formatScenarioMarkers({ ticketId: 'DEMO-1', stage, attempt: 1, worktreePath: WORKTREE })}` }],
  };
}

function toolRounds(count: number): GeminiContent[] {
  return Array.from({ length: count }, (_, index) => [
    { role: 'model', parts: [{ functionCall: { id: `call_${index}`, name: 'read_file', args: { file_path: 'x' } }, thoughtSignature: 'skip_thought_signature_validator' }] },
    { role: 'user', parts: [{ functionResponse: { id: `call_${index}`, name: 'read_file', response: { output: 'ok' } } }] },
  ]).flat();
}

function body(contents: GeminiContent[], withTools = true): Record<string, unknown> {
  return {
    contents,
    systemInstruction: { role: 'user', parts: [{ text: 'You are an interactive CLI agent.' }] },
    ...(withTools ? { tools: GEMINI_TOOLS } : {}),
    generationConfig: { temperature: 1 },
  };
}

/** Parses an SSE body the way `@google/genai` does: one JSON object per `data:` line. */
function parseSse(text: string): Record<string, unknown>[] {
  return text
    .split(/\r?\n\r?\n/)
    .filter((event) => event.trim() !== '')
    .map((event) => JSON.parse(/^data: (.*)$/m.exec(event)?.[1] ?? 'null') as Record<string, unknown>);
}

function firstPart(answer: Record<string, unknown>): Record<string, unknown> {
  const candidates = answer.candidates as { content: { role: string; parts: Record<string, unknown>[] }; finishReason: string }[];
  return candidates[0]?.content.parts[0] ?? {};
}

describe('GeminiProtocol through the model server', () => {
  let server: RunningModelServer;

  beforeEach(async () => {
    server = await startModelServer({
      now: () => new Date('2026-01-15T02:00:00Z'),
      scenario: {
        tickets: {
          'DEMO-1': {
            C0: [{ report: { summary: 'scope', files: ['src/a.js'] } }],
            C2: [
              { write: { path: 'notes.txt', content: 'one\n' } },
              { edit: { path: 'notes.txt', old: 'one', new: 'two' } },
              { fail: { status: 429, retry_after_seconds: 3600, message: 'Quota exceeded for the scripted model.' } },
              { run: { command: 'npm test' } },
              { fail: { status: 500, message: 'scripted failure' } },
              { say: 'all done' },
            ],
          },
        },
      },
    });
  });
  afterEach(() => server.close());

  const post = (path: string, payload: unknown): Promise<Response> =>
    fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-goog-api-key': 'k' }, body: JSON.stringify(payload) });

  it('streams a tool call as one SSE event with a functionCall part, finishReason and usage', async () => {
    const response = await post(`${MODEL_PATH}:streamGenerateContent?alt=sse`, body([prompt('C2')]));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const events = parseSse(await response.text());
    expect(events).toHaveLength(1);
    const answer = events[0] as Record<string, unknown>;
    expect(firstPart(answer)).toEqual({ functionCall: { name: 'read_file', args: { file_path: 'notes.txt' } } });
    expect(answer).toMatchObject({
      candidates: [{ content: { role: 'model' }, finishReason: 'STOP' }],
      usageMetadata: { promptTokenCount: expect.any(Number), candidatesTokenCount: expect.any(Number), totalTokenCount: expect.any(Number) },
      modelVersion: 'gemini-2.5-flash',
    });
    expect(server.requests.at(-1)).toMatchObject({ protocol: 'gemini', ticketId: 'DEMO-1', stage: 'C2', toolsOffered: ['read_file', 'write_file', 'replace', 'run_shell_command'] });
  });

  it('reads functionResponse parts back as tool results to advance the script', async () => {
    const afterRead = parseSse(await (await post(`${MODEL_PATH}:streamGenerateContent?alt=sse`, body([prompt('C2'), ...toolRounds(1)]))).text());
    expect(firstPart(afterRead[0] as Record<string, unknown>)).toEqual({ functionCall: { name: 'write_file', args: { file_path: 'notes.txt', content: 'one\n' } } });

    const edit = parseSse(await (await post(`${MODEL_PATH}:streamGenerateContent?alt=sse`, body([prompt('C2'), ...toolRounds(3)]))).text());
    expect(firstPart(edit[0] as Record<string, unknown>)).toEqual({
      functionCall: { name: 'replace', args: { file_path: 'notes.txt', old_string: 'one', new_string: 'two', instruction: 'Scripted replace call, as the scenario says.' } },
    });

    const afterLimit = await post(`${MODEL_PATH}:streamGenerateContent?alt=sse`, body([prompt('C2'), ...toolRounds(4)]));
    expect(afterLimit.status).toBe(429);
    await afterLimit.text();
    const run = parseSse(await (await post(`${MODEL_PATH}:streamGenerateContent?alt=sse`, body([prompt('C2'), ...toolRounds(4)]))).text());
    expect(firstPart(run[0] as Record<string, unknown>)).toEqual({ functionCall: { name: 'run_shell_command', args: { command: 'npm test' } } });
  });

  it('answers a 429 with Google’s error body, RetryInfo and retry-after', async () => {
    const response = await post(`${MODEL_PATH}:streamGenerateContent?alt=sse`, body([prompt('C2'), ...toolRounds(4)]));
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('3600');
    expect(await response.json()).toEqual({
      error: {
        code: 429,
        message: 'Quota exceeded for the scripted model. Please retry in 3600s (at 2026-01-15T03:00:00.000Z).',
        status: 'RESOURCE_EXHAUSTED',
        details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '3600s' }],
      },
    });
    expect(server.requests.at(-1)).toMatchObject({ status: 429, answered: 'fail: HTTP 429' });
  });

  it('answers a scripted server error with status INTERNAL', async () => {
    await (await post(`${MODEL_PATH}:streamGenerateContent?alt=sse`, body([prompt('C2'), ...toolRounds(4)]))).text();
    const response = await post(`${MODEL_PATH}:streamGenerateContent?alt=sse`, body([prompt('C2'), ...toolRounds(5)]));
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: { code: 500, message: 'scripted failure', status: 'INTERNAL' } });
  });

  it('returns one JSON GenerateContentResponse for :generateContent, the report as text', async () => {
    const response = await post(`${MODEL_PATH}:generateContent`, body([prompt('C0')]));
    expect(response.headers.get('content-type')).toBe('application/json');
    const answer = (await response.json()) as Record<string, unknown>;
    expect(JSON.parse(String(firstPart(answer).text))).toEqual({ summary: 'scope', files: ['src/a.js'] });
  });

  it('answers side requests without tools or markers, and counts tokens directly', async () => {
    const side = await post(`${MODEL_PATH}:generateContent`, body([{ role: 'user', parts: [{ text: 'Summarize this chat.' }] }], false));
    expect(firstPart((await side.json()) as Record<string, unknown>)).toEqual({ text: 'Scripted model: nothing to add.' });
    const counted = await post(`${MODEL_PATH}:countTokens`, { contents: [{ role: 'user', parts: [{ text: 'hello' }] }] });
    expect(await counted.json()).toEqual({ totalTokens: expect.any(Number) });
    expect(server.requests.map((request) => request.answered)).toEqual(['side-request', 'direct']);
  });
});

describe('GeminiProtocol', () => {
  const protocol = new GeminiProtocol();

  it('serves the Gemini model methods of v1beta and v1, and nothing else', () => {
    expect(protocol.handlesPath('/v1beta/models/gemini-2.5-pro:streamGenerateContent')).toBe(true);
    expect(protocol.handlesPath('/v1/models/gemini-2.5-pro:generateContent')).toBe(true);
    expect(protocol.handlesPath('/v1beta/models/gemini-2.5-pro:countTokens')).toBe(true);
    expect(protocol.handlesPath('/v1beta/models/gemini-2.5-pro:embedContent')).toBe(false);
    expect(protocol.handlesPath('/v1/messages')).toBe(false);
  });

  it('reads tool schemas, roles and tool results, ignoring thoughts', () => {
    const parsed = protocol.readRequest(
      `${MODEL_PATH}:streamGenerateContent`,
      body([prompt('C2'), { role: 'model', parts: [{ text: 'thinking…', thought: true }, { functionCall: { name: 'read_file', args: {} } }] }, ...toolRounds(1).slice(1)]),
    );
    if (parsed.kind !== 'conversation') throw new Error(`expected a conversation, got ${parsed.kind}`);
    expect(parsed.conversation.model).toBe('gemini-2.5-flash');
    expect(parsed.conversation.stream).toBe(true);
    expect(parsed.conversation.tools.find((tool) => tool.name === 'run_shell_command')?.parameters).toEqual([
      { name: 'command', type: 'string', description: 'Exact bash command to execute as `bash -c <command>`' },
    ]);
    expect(parsed.conversation.messages.map((message) => [message.role, message.texts.length, message.toolResultCount])).toEqual([
      ['system', 1, 0],
      ['user', 2, 0],
      ['assistant', 0, 0],
      ['tool', 0, 1],
    ]);
  });

  it('refuses a body without contents', () => {
    expect(protocol.readRequest(`${MODEL_PATH}:generateContent`, { prompt: 'x' })).toEqual({ kind: 'invalid', message: 'contents: expected an array' });
  });
});
