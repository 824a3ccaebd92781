import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/**
 * One step of the scripted ACP agent, read from the prompt (a line `SCRIPT: [ … ]`): ask the
 * client to write or read a file, ask a permission for a tool of some kind, say something,
 * or die.
 */
export type ScriptedAcpStep =
  | { write: string; content: string }
  | { read: string }
  | { ask: string; title: string; path?: string }
  | { say: string }
  | { crash: string };

/** Formats the prompt line the scripted ACP agent follows. */
export function formatAcpScript(steps: readonly ScriptedAcpStep[]): string {
  return `SCRIPT: ${JSON.stringify(steps)}`;
}

/**
 * The source of a tiny ACP agent (an ES module for `node`) built on the SDK's agent side: it
 * follows the prompt's script through the client's real methods (`fs/*`,
 * `session/request_permission`, `session/update`) and ends its turn with a JSON message of what
 * each step got back, the model it was set to, and a usage. No model, no vendor: it tests what
 * the ACP client does with requests real agents rarely make (claude-agent-acp and codex-acp do
 * their file I/O themselves).
 */
export function scriptedAcpAgentSource(): string {
  const sdk = pathToFileURL(createRequire(import.meta.url).resolve('@agentclientprotocol/sdk')).href;
  return `
import { Readable, Writable } from 'node:stream';
import { agent, ndJsonStream } from ${JSON.stringify(sdk)};

let model = 'default-model';
const describe = (error) => (error && error.message) || String(error);
agent({ name: 'scripted-acp-agent' })
  .onRequest('initialize', () => ({ protocolVersion: 1, agentCapabilities: {}, agentInfo: { name: 'scripted-acp-agent', version: '9.8.7' } }))
  .onRequest('session/new', () => ({
    sessionId: 'scripted-session',
    configOptions: [{ id: 'model', name: 'Model', category: 'model', type: 'select', currentValue: model, options: [{ value: model, name: model }] }],
  }))
  .onRequest('session/set_config_option', ({ params }) => {
    model = String(params.value);
    return { configOptions: [] };
  })
  .onRequest('session/prompt', async ({ params, client }) => {
    const text = params.prompt.map((block) => block.text ?? '').join('\\n');
    const steps = JSON.parse((/^SCRIPT: (.*)$/m.exec(text) ?? [])[1] ?? '[]');
    const results = [];
    const sessionId = params.sessionId;
    for (const [index, step] of steps.entries()) {
      try {
        if (step.crash !== undefined) {
          process.stderr.write(step.crash + '\\n');
          process.exit(3);
        } else if (step.write !== undefined) {
          await client.request('fs/write_text_file', { sessionId, path: step.write, content: step.content });
          results.push('written');
        } else if (step.read !== undefined) {
          results.push((await client.request('fs/read_text_file', { sessionId, path: step.read })).content);
        } else if (step.ask !== undefined) {
          const toolCall = { toolCallId: 'call-' + index, title: step.title, kind: step.ask, locations: step.path === undefined ? [] : [{ path: step.path }] };
          await client.notify('session/update', { sessionId, update: { sessionUpdate: 'tool_call', status: 'pending', ...toolCall } });
          const answer = await client.request('session/request_permission', {
            sessionId,
            toolCall,
            options: [{ optionId: 'yes', name: 'Yes', kind: 'allow_once' }, { optionId: 'no', name: 'No', kind: 'reject_once' }],
          });
          results.push(answer.outcome.outcome === 'selected' ? answer.outcome.optionId : 'cancelled');
        } else if (step.say !== undefined) {
          await client.notify('session/update', { sessionId, update: { sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: step.say } } });
          results.push('said');
        }
      } catch (error) {
        results.push('error: ' + describe(error));
      }
    }
    const report = JSON.stringify({ model, results });
    await client.notify('session/update', { sessionId, update: { sessionUpdate: 'tool_call', toolCallId: 'final', title: 'Think', kind: 'think', status: 'completed' } });
    await client.notify('session/update', { sessionId, update: { sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: report } } });
    return { stopReason: 'end_turn', usage: { inputTokens: 11, outputTokens: 7, totalTokens: 18 } };
  })
  .connect(ndJsonStream(Writable.toWeb(process.stdout), Readable.toWeb(process.stdin)));
`;
}
