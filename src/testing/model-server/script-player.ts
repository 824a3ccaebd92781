import { readScenarioMarkers, type ScenarioMarkers } from '../../domain/scenario-markers.js';
import { findStageScript, type Scenario, type ScenarioAction } from './scenario.js';
import { expandToolAction, type ToolStep } from './tool-mapping.js';
import { estimateTokens, type Conversation, type ModelTurn } from './wire-protocol.js';

/** The scripted model's answer to one request, with what the request log needs to say about it. */
export interface PlayDecision {
  turn: ModelTurn;
  markers?: ScenarioMarkers;
  /** Index of the scenario action answered, when one was. */
  actionIndex?: number;
  /** What was answered, e.g. `side-request`, `tool-call: edit src/a.js`, `report`, `missing-tool: …`. */
  answered: string;
}

type PlayStep =
  | { kind: 'tool'; actionIndex: number; step: ToolStep }
  | { kind: 'fail'; actionIndex: number; action: Extract<ScenarioAction, { kind: 'fail' }> }
  | { kind: 'final'; actionIndex: number; text: string; label: 'report' | 'say' };

const SIDE_ANSWER = 'Scripted model: nothing to add.';
const DONE_ANSWER = 'done';

/**
 * Plays a scenario, protocol-independently. The position in a stage's script is the number
 * of tool results already in the conversation since the stage's prompt (its markers), so
 * side requests (titles, summaries) and retries never shift it; only `fail` actions need
 * state, since an HTTP error leaves no trace in the conversation.
 */
export class ScriptPlayer {
  private readonly consumedFailures = new Set<string>();
  private callCounter = 0;

  constructor(private readonly scenario: Scenario) {}

  decide(conversation: Conversation): PlayDecision {
    const found = findMarkers(conversation);
    if (found === undefined || conversation.tools.length === 0) {
      return { turn: this.text(SIDE_ANSWER, conversation), answered: 'side-request', ...(found ? { markers: found.markers } : {}) };
    }
    const { markers, messageIndex } = found;
    const script = findStageScript(this.scenario, markers.ticketId, markers.stage, markers.attempt);
    if (script === undefined) {
      const known = Object.entries(this.scenario.tickets).map(([ticketId, stages]) => `${ticketId}: ${Object.keys(stages).join(', ')}`);
      const message = `no script for ticket ${markers.ticketId} stage ${markers.stage} (attempt ${markers.attempt}) in scenario ${this.scenario.sourceName}; it has ${known.join('; ') || 'no tickets'}`;
      return { turn: { kind: 'error', status: 400, message }, markers, answered: 'missing-script' };
    }
    const toolResults = conversation.messages.slice(messageIndex + 1).reduce((sum, message) => sum + message.toolResultCount, 0);
    const steps = expandScript(script, conversation, markers.worktreePath);
    let toolCallsSeen = 0;
    for (const step of steps) {
      if (step.kind === 'fail') {
        const key = `${markers.ticketId}|${markers.stage}|${markers.attempt}|${step.actionIndex}`;
        if (toolCallsSeen < toolResults || this.consumedFailures.has(key)) continue;
        this.consumedFailures.add(key);
        const { status, message, retryAfterSeconds } = step.action;
        return {
          turn: { kind: 'error', status, message, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) },
          markers,
          actionIndex: step.actionIndex,
          answered: `fail: HTTP ${status}`,
        };
      }
      if (step.kind === 'final') {
        return { turn: this.text(step.text, conversation), markers, actionIndex: step.actionIndex, answered: step.label };
      }
      if (step.step.kind === 'missing-tool') {
        return { turn: this.text(step.step.message, conversation), markers, actionIndex: step.actionIndex, answered: `missing-tool: ${step.step.description}` };
      }
      if (toolCallsSeen < toolResults) {
        toolCallsSeen += 1;
        continue;
      }
      const built = step.step.buildInput();
      if (!built.ok) return { turn: this.text(built.problem, conversation), markers, actionIndex: step.actionIndex, answered: `tool-problem: ${built.problem}` };
      return {
        turn: this.toolCall(step.step.tool, built.input, conversation),
        markers,
        actionIndex: step.actionIndex,
        answered: `tool-call: ${step.step.description} (${step.step.tool})`,
      };
    }
    return { turn: this.text(DONE_ANSWER, conversation), markers, answered: 'done' };
  }

  private text(text: string, conversation: Conversation): ModelTurn {
    return { kind: 'text', text, usage: { inputTokens: estimateTokens(conversation.requestCharacters), outputTokens: estimateTokens(text.length) } };
  }

  private toolCall(tool: string, input: Record<string, unknown>, conversation: Conversation): ModelTurn {
    this.callCounter += 1;
    return {
      kind: 'tool-call',
      callId: `toolu_scripted_${String(this.callCounter).padStart(6, '0')}`,
      tool,
      input,
      usage: { inputTokens: estimateTokens(conversation.requestCharacters), outputTokens: estimateTokens(JSON.stringify(input).length) },
    };
  }
}

/**
 * The markers of the latest prompt, and the first message that carried the same ticket,
 * stage and attempt: a resumed session of the same stage continues its script where the
 * conversation left it, while a new stage in the same session starts its own script.
 */
function findMarkers(conversation: Conversation): { markers: ScenarioMarkers; messageIndex: number } | undefined {
  const found = conversation.messages.flatMap((message, index) => {
    const markers = message.role === 'user' ? readScenarioMarkers(message.texts.join('\n')) : undefined;
    return markers ? [{ markers, messageIndex: index }] : [];
  });
  const latest = found.at(-1);
  if (latest === undefined) return undefined;
  const sameStage = ({ markers }: { markers: ScenarioMarkers }): boolean =>
    markers.ticketId === latest.markers.ticketId && markers.stage === latest.markers.stage && markers.attempt === latest.markers.attempt;
  let first = latest;
  for (let index = found.length - 1; index >= 0 && sameStage(found[index] as typeof latest); index -= 1) first = found[index] as typeof latest;
  return { markers: latest.markers, messageIndex: first.messageIndex };
}

function expandScript(script: ScenarioAction[], conversation: Conversation, worktreePath: string): PlayStep[] {
  return script.flatMap((action, actionIndex): PlayStep[] => {
    switch (action.kind) {
      case 'fail':
        return [{ kind: 'fail', actionIndex, action }];
      case 'say':
      case 'report':
        return [{ kind: 'final', actionIndex, text: action.text, label: action.kind }];
      default:
        return expandToolAction(action, conversation.tools, worktreePath).map((step) => ({ kind: 'tool', actionIndex, step }));
    }
  });
}
