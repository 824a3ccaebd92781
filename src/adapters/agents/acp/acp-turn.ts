import type { Readable, Writable } from 'node:stream';
import { client, ndJsonStream, RequestError, type AnyMessage, type RequestPermissionRequest, type RequestPermissionResponse } from '@agentclientprotocol/sdk';
import type { AcpFileAccess, FileAccessFailure } from './acp-file-access.js';
import type { AcpUpdateReader } from './acp-update-reader.js';

/** One prompt turn with an ACP agent over its stdio. */
export interface AcpTurnRequest {
  stdin: Writable;
  stdout: Readable;
  worktreePath: string;
  prompt: string;
  resumeSessionId?: string;
  sessionMeta?: Record<string, unknown>;
  modeId?: string;
  modelConfigOption?: string;
  /** Offer the client's file methods; true unless told. */
  clientFileSystem?: boolean;
  reader: AcpUpdateReader;
  files: AcpFileAccess;
  answerPermission(request: RequestPermissionRequest): Promise<RequestPermissionResponse>;
  /** Told when a file request is refused, so it is logged. */
  onFileRefused(method: 'fs/read_text_file' | 'fs/write_text_file', path: string, reason: string): void;
  /** Told once the session exists (new or resumed), before the prompt is sent. */
  onSessionStart(sessionId: string): void;
}

/** How the turn went, as far as the protocol says; a failure is a value naming the step that failed. */
export interface AcpTurn {
  sessionId?: string;
  agentName?: string;
  agentVersion?: string;
  stopReason?: string;
  /** Token usage of the turn, when the agent reports it (`PromptResponse.usage`, still unstable in ACP). */
  usage?: { inputTokens: number; outputTokens: number };
  failure?: { step: 'initialize' | 'session' | 'mode' | 'model' | 'prompt'; message: string };
}

const PROTOCOL_VERSION = 1;

/**
 * Runs `initialize` → `session/new` (or `session/resume` / `session/load` for a resumed stage)
 * → `session/set_mode` and the model option when asked → `session/prompt`, through the ACP
 * SDK's client. `session/update` notifications are taken off the message stream before the SDK
 * sees them and handed raw to the {@link AcpUpdateReader}; permission requests and the file
 * methods are answered by the callers' policy. Never throws: a closed connection (the agent
 * died, or was ended) is a failure of the step it interrupted.
 */
export async function runAcpTurn(request: AcpTurnRequest): Promise<AcpTurn> {
  const stream = ndJsonStream(toWebWritable(request.stdin), toWebReadable(request.stdout));
  const withoutUpdates = stream.readable.pipeThrough(
    new TransformStream<AnyMessage, AnyMessage>({
      transform(message, controller) {
        if ('method' in message && !('id' in message) && message.method === 'session/update') request.reader.push(message.params);
        else controller.enqueue(message);
      },
    }),
  );
  const app = client({ name: 'nightshift' })
    .onRequest('session/request_permission', ({ params }) => request.answerPermission(params))
    .onRequest('fs/read_text_file', async ({ params }) => {
      const read = await request.files.read(params.path, params.line, params.limit);
      if (read.ok) return { content: read.content };
      throw fileRequestError('fs/read_text_file', params.path, read, request.onFileRefused);
    })
    .onRequest('fs/write_text_file', async ({ params }) => {
      const written = await request.files.write(params.path, params.content);
      if (written.ok) return {};
      throw fileRequestError('fs/write_text_file', params.path, written, request.onFileRefused);
    });
  const connection = app.connect({ writable: stream.writable, readable: withoutUpdates });
  const agent = connection.agent;
  const turn: AcpTurn = {};
  let step: NonNullable<AcpTurn['failure']>['step'] = 'initialize';
  try {
    const initialized = await agent.request('initialize', {
      protocolVersion: PROTOCOL_VERSION,
      clientCapabilities: { fs: { readTextFile: request.clientFileSystem !== false, writeTextFile: request.clientFileSystem !== false }, terminal: false },
      clientInfo: { name: 'nightshift', version: '1' },
    });
    if (initialized.agentInfo?.name) turn.agentName = initialized.agentInfo.name;
    if (initialized.agentInfo?.version) turn.agentVersion = initialized.agentInfo.version;
    if (initialized.protocolVersion !== PROTOCOL_VERSION) {
      return { ...turn, failure: { step, message: `the agent speaks ACP version ${initialized.protocolVersion}; Nightshift speaks version ${PROTOCOL_VERSION}` } };
    }

    step = 'session';
    const meta = request.sessionMeta === undefined ? {} : { _meta: request.sessionMeta };
    const capabilities = initialized.agentCapabilities;
    let session: { modes?: { currentModeId: string; availableModes: { id: string }[] } | null; configOptions?: unknown };
    let sessionId: string;
    if (request.resumeSessionId === undefined) {
      const created = await agent.request('session/new', { cwd: request.worktreePath, mcpServers: [], ...meta });
      session = created;
      sessionId = created.sessionId;
    } else if (capabilities?.sessionCapabilities?.resume) {
      session = await agent.request('session/resume', { sessionId: request.resumeSessionId, cwd: request.worktreePath, mcpServers: [], ...meta });
      sessionId = request.resumeSessionId;
    } else if (capabilities?.loadSession === true) {
      session = await agent.request('session/load', { sessionId: request.resumeSessionId, cwd: request.worktreePath, mcpServers: [], ...meta });
      sessionId = request.resumeSessionId;
    } else {
      return { ...turn, failure: { step, message: 'the agent cannot resume a session (it offers neither session/resume nor session/load)' } };
    }
    turn.sessionId = sessionId;
    request.onSessionStart(sessionId);

    step = 'mode';
    if (request.modeId !== undefined && session.modes?.currentModeId !== request.modeId) {
      const offered = session.modes?.availableModes.map((mode) => mode.id) ?? [];
      if (!offered.includes(request.modeId)) {
        return { ...turn, failure: { step, message: `the agent offers no "${request.modeId}" mode (it offers: ${offered.join(', ') || 'none'})` } };
      }
      await agent.request('session/set_mode', { sessionId, modeId: request.modeId });
    }

    step = 'model';
    if (request.modelConfigOption !== undefined) {
      const option = findModelOption(session.configOptions);
      if (option === undefined) return { ...turn, failure: { step, message: 'the agent offers no model option, so the configured model cannot be set' } };
      await agent.request('session/set_config_option', { sessionId, configId: option, value: request.modelConfigOption });
    }

    step = 'prompt';
    request.reader.beginTurn();
    const response = await agent.request('session/prompt', { sessionId, prompt: [{ type: 'text', text: request.prompt }] });
    turn.stopReason = response.stopReason;
    const usage = readUsage(response);
    if (usage !== undefined) turn.usage = usage;
    return turn;
  } catch (error) {
    return { ...turn, failure: { step, message: describeRequestError(error) } };
  } finally {
    connection.close();
  }
}

/**
 * Only the `initialize` handshake, to learn the agent's name and version without a session (or
 * a model); the connection is closed afterwards and the caller ends the process.
 */
export async function readAcpAgentInfo(stdin: Writable, stdout: Readable): Promise<{ ok: true; name?: string; version?: string } | { ok: false; message: string }> {
  const connection = client({ name: 'nightshift' }).connect(ndJsonStream(toWebWritable(stdin), toWebReadable(stdout)));
  try {
    const initialized = await connection.agent.request('initialize', { protocolVersion: PROTOCOL_VERSION, clientCapabilities: {}, clientInfo: { name: 'nightshift', version: '1' } });
    return { ok: true, ...(initialized.agentInfo?.name ? { name: initialized.agentInfo.name } : {}), ...(initialized.agentInfo?.version ? { version: initialized.agentInfo.version } : {}) };
  } catch (error) {
    return { ok: false, message: describeRequestError(error) };
  } finally {
    connection.close();
  }
}

/**
 * The JSON-RPC error for a failed file request: ACP's "Resource not found" for a missing file
 * (the Gemini CLI reads a file before creating it and takes that as "new file"), an internal
 * error naming Nightshift's refusal (which is logged) or the file system's failure.
 */
function fileRequestError(
  method: 'fs/read_text_file' | 'fs/write_text_file',
  path: string,
  failure: FileAccessFailure,
  onFileRefused: AcpTurnRequest['onFileRefused'],
): RequestError {
  if (failure.kind === 'missing') return RequestError.resourceNotFound(path);
  if (failure.kind === 'refused') onFileRefused(method, path, failure.reason);
  return new RequestError(-32603, failure.kind === 'refused' ? `Nightshift refused: ${failure.reason}` : failure.reason);
}

/**
 * A JSON-RPC error's words: its message, and the agent's detail in `data.message` or
 * `data.details` (Codex and the Gemini CLI say "Internal error" up front and the cause there).
 */
export function describeRequestError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const data = (error as { data?: unknown }).data;
  const record = data !== null && typeof data === 'object' ? (data as Record<string, unknown>) : {};
  const detail = [record.message, record.details].find((value): value is string => typeof value === 'string' && value.trim() !== '');
  if (detail === undefined || error.message.includes(detail)) return error.message;
  return `${error.message}: ${detail}`;
}

function findModelOption(configOptions: unknown): string | undefined {
  if (!Array.isArray(configOptions)) return undefined;
  const option = configOptions.find((candidate: unknown) => {
    const record = candidate as { id?: unknown; category?: unknown };
    return record.category === 'model' || record.id === 'model';
  }) as { id?: unknown } | undefined;
  return typeof option?.id === 'string' ? option.id : undefined;
}

/**
 * The turn's tokens from the prompt response: ACP's (still unstable) `usage`, or the Gemini
 * CLI's `_meta.quota.token_count` (`input_tokens`, `output_tokens`).
 */
function readUsage(response: unknown): AcpTurn['usage'] {
  const record = asRecord(response);
  const usage = asRecord(record?.usage);
  if (typeof usage?.inputTokens === 'number' && typeof usage.outputTokens === 'number') return { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens };
  const tokens = asRecord(asRecord(asRecord(record?._meta)?.quota)?.token_count);
  if (typeof tokens?.input_tokens === 'number' && typeof tokens.output_tokens === 'number') return { inputTokens: tokens.input_tokens, outputTokens: tokens.output_tokens };
  return undefined;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function toWebWritable(stdin: Writable): WritableStream<Uint8Array> {
  return new WritableStream<Uint8Array>({
    write: (chunk) =>
      new Promise<void>((resolve) => {
        if (stdin.destroyed || stdin.writableEnded) resolve();
        else stdin.write(chunk, () => resolve());
      }),
    close: () => {
      stdin.end();
    },
    abort: () => {
      stdin.destroy();
    },
  });
}

function toWebReadable(stdout: Readable): ReadableStream<Uint8Array> {
  let open = true;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const close = (): void => {
        if (!open) return;
        open = false;
        controller.close();
      };
      stdout.on('data', (chunk: Buffer) => {
        if (open) controller.enqueue(new Uint8Array(chunk));
      });
      stdout.on('end', close);
      stdout.on('close', close);
      stdout.on('error', close);
    },
    cancel() {
      open = false;
      stdout.destroy();
    },
  });
}
