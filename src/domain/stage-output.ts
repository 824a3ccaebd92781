import { z } from 'zod';
import { COMPLEXITIES } from './ticket.js';

/**
 * What each checkpoint must report, as JSON at the end of the agent's answer.
 * The agent's words are untrusted: they are validated here before anything acts on them.
 */
export const scopeOutputSchema = z.strictObject({
  summary: z.string().min(1),
  files: z.array(z.string()),
  complexity: z.enum(COMPLEXITIES).optional(),
});
export type ScopeOutput = z.infer<typeof scopeOutputSchema>;

export const DECISION_KINDS = ['architecture', 'multiple-approaches', 'missing-information'] as const;

export const planOutputSchema = z.strictObject({
  plan: z.array(z.string()).min(1),
  risks: z.array(z.string()),
  complexity: z.enum(COMPLEXITIES).optional(),
  /** Present when the agent needs a human to decide before it can implement. */
  decision_needed: z
    .strictObject({
      kind: z.enum(DECISION_KINDS),
      question: z.string().min(1),
      options: z.array(z.string()).default([]),
    })
    .nullable()
    .default(null),
});
export type PlanOutput = z.infer<typeof planOutputSchema>;

export const implementationOutputSchema = z.strictObject({
  summary: z.string().min(1),
  /** One line each; they become the bullet lines of the commit message. */
  changes: z.array(z.string()).min(1),
  tests_run: z.array(z.string()).default([]),
  /** True when the agent finished only part of the work. */
  partial: z.boolean().default(false),
  remaining_work: z.array(z.string()).default([]),
  /** How sure the agent is of its work, from 0 to 1, when it says; caps the score's uncertainty criterion. */
  confidence: z.number().min(0).max(1).optional(),
});
export type ImplementationOutput = z.infer<typeof implementationOutputSchema>;

export const stageOutputSchemas = { C0: scopeOutputSchema, C1: planOutputSchema, C2: implementationOutputSchema } as const;
export type StageOutput = ScopeOutput | PlanOutput | ImplementationOutput;

export type StageOutputParse<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * Finds the JSON object in an agent's final text (bare, or inside a ```json fence,
 * or the last `{...}` block) and validates it against the stage's schema.
 */
export function parseStageOutput<T>(text: string, schema: z.ZodType<T>): StageOutputParse<T> {
  const candidate = extractJsonText(text);
  if (candidate === undefined) return { ok: false, error: 'the answer contains no JSON object' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(candidate);
  } catch (error) {
    return { ok: false, error: `the answer's JSON does not parse: ${(error as Error).message}` };
  }
  const result = schema.safeParse(parsed);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    return { ok: false, error: `the answer's JSON does not match the expected shape: ${problems.join('; ')}` };
  }
  return { ok: true, value: result.data };
}

function extractJsonText(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed.startsWith('{') && trimmed.endsWith('}')) return trimmed;
  const fenced = [...trimmed.matchAll(/```(?:json)?\s*\n([\s\S]*?)```/g)].pop();
  if (fenced?.[1] !== undefined) return fenced[1].trim();
  const start = trimmed.indexOf('{');
  const end = trimmed.lastIndexOf('}');
  if (start >= 0 && end > start) return trimmed.slice(start, end + 1);
  return undefined;
}
