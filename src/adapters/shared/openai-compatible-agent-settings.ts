import type { Clock } from '../../ports/clock.js';
import type { AgentSandbox } from './agent-sandbox.js';

/** Settings shared by the three OpenAI-compatible adapters (OpenCode, Qwen Code, pi). */
export interface OpenAiCompatibleAgentSettings {
  /** The configured agent name; the adapter's kind unless told. */
  name?: string;
  /** Path or bare name of the CLI; its usual name (PATH, then `<workingDirectory>/node_modules/.bin`) unless told. */
  binary?: string;
  /** The model id the endpoint knows; {@link DEFAULT_OPENAI_COMPATIBLE_MODEL} unless told. */
  model?: string;
  /** Any OpenAI-compatible endpoint (OpenAI, OpenRouter, Ollama, vLLM, the scripted model server); OpenAI's unless told. */
  baseUrl?: string;
  /** The endpoint's API key; held by the model relay, never given to the agent. */
  apiKey?: string;
  extraArguments?: string[];
  /** Variable names beyond the built-in allow-list that the agent may see. */
  environmentAllowList?: string[];
  /** Nightshift's own environment, filtered through the allow-list before the agent sees it. */
  parentEnvironment: Record<string, string | undefined>;
  /** Where a relative binary and `node_modules/.bin` are looked up; the process's cwd unless told. */
  workingDirectory?: string;
  /** Failed model calls the agent may retry before the stage ends; 2 unless told (see `decideAfterModelFailure`). */
  maxRetries?: number;
  killGraceMilliseconds?: number;
  /** The OS sandbox around each stage's process (bubblewrap), decided by the runtime from agent.sandbox; none when absent. */
  sandbox?: AgentSandbox;
  clock?: Pick<Clock, 'now'>;
}

export const DEFAULT_OPENAI_COMPATIBLE_BASE_URL = 'https://api.openai.com/v1';
export const DEFAULT_OPENAI_COMPATIBLE_MODEL = 'gpt-4.1';
