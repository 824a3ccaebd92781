import picomatch from 'picomatch';
import { DEFAULT_DOCUMENTATION_GLOBS, DEFAULT_TEST_FILE_GLOBS, matchesEstimatedFiles } from './quality-score.js';
import type { DECISION_KINDS, PlanOutput, ScopeOutput } from './stage-output.js';
import { COMPLEXITIES, type Complexity, type Ticket } from './ticket.js';

/**
 * The seed's escalation triggers, decided as data after C1: whether a ticket must go to
 * a human before C2, and what to ask. The pipeline stores the decision and stops the
 * ticket; a human's answer comes back into the next batch's prompts.
 */

/**
 * Which triggers are on and their thresholds. Structurally the same as the pipeline's
 * `EscalationSettings` (and the config's `EscalationConfig`), defined here because the
 * domain imports neither.
 */
export interface EscalationPolicy {
  /** The agent reports a decision it cannot make. */
  onAgentDecision: boolean;
  /** The agent's complexity re-estimate (C0 or C1) is above the ticket's. */
  onComplexityAboveEstimate: boolean;
  /** More than this many scoped files outside `estimated_files` escalate; undefined: never. */
  maxFilesOutsideEstimate?: number;
  /** Globs of paths whose change needs a human first (CI, auth, migrations, secrets, lock files). */
  protectedPaths: readonly string[];
}

export type AgentDecisionKind = (typeof DECISION_KINDS)[number];

/** The trigger names stored with an escalation; `agent-decision:<kind>` keeps the agent's own kind. */
export type EscalationTrigger = `agent-decision:${AgentDecisionKind}` | 'complexity-above-estimate' | 'files-outside-estimate' | 'protected-paths';

/** What made a trigger fire, for the human who answers and for the log. */
export type EscalationDetails =
  | { kind: 'agent-decision'; decisionKind: AgentDecisionKind }
  | { kind: 'protected-paths'; files: { path: string; patterns: string[] }[] }
  | { kind: 'complexity-above-estimate'; estimated: Complexity; reestimated: Complexity; stage: 'C0' | 'C1' }
  | { kind: 'files-outside-estimate'; files: string[]; maximum: number; estimatedFiles: string[] };

/** One fired trigger: its name, the question for a human, the options offered, and why. */
export interface FiredTrigger {
  trigger: EscalationTrigger;
  question: string;
  options: string[];
  details: EscalationDetails;
}

/** The escalation to store: the trigger with the highest precedence, and any others that fired too. */
export interface EscalationDecision extends FiredTrigger {
  /** Lower-precedence triggers that also fired, so the human sees everything at once. */
  alsoFired: FiredTrigger[];
}

export interface EscalationTriggerInput {
  ticket: Pick<Ticket, 'complexity' | 'estimatedFiles'>;
  scope: ScopeOutput;
  plan: PlanOutput;
  policy: EscalationPolicy;
}

/**
 * Evaluates every enabled trigger against the ticket, its C0 scope and C1 plan, and returns
 * undefined when the ticket may go on to C2. The files judged are C0's `files`. When several
 * fire, the question asked is the first of: agent decision, protected paths, complexity,
 * files outside the estimate (a human's choice first, then safety, then size); the others
 * are kept in `alsoFired`. Protected paths are always checked: turning them off is an
 * empty `protectedPaths` list.
 */
export function evaluateEscalationTriggers(input: EscalationTriggerInput): EscalationDecision | undefined {
  const { ticket, scope, plan, policy } = input;
  const scopedFiles = uniquePaths(scope.files);
  const fired: FiredTrigger[] = [];
  const agentDecision = policy.onAgentDecision ? agentDecisionTrigger(plan) : undefined;
  if (agentDecision !== undefined) fired.push(agentDecision);
  const protectedPaths = protectedPathsTrigger(scopedFiles, policy.protectedPaths);
  if (protectedPaths !== undefined) fired.push(protectedPaths);
  const complexity = policy.onComplexityAboveEstimate ? complexityTrigger(ticket.complexity, scope, plan) : undefined;
  if (complexity !== undefined) fired.push(complexity);
  const outside = policy.maxFilesOutsideEstimate === undefined ? undefined : filesOutsideTrigger(scopedFiles, ticket.estimatedFiles, policy.maxFilesOutsideEstimate);
  if (outside !== undefined) fired.push(outside);
  const [first, ...rest] = fired;
  return first === undefined ? undefined : { ...first, alsoFired: rest };
}

function agentDecisionTrigger(plan: PlanOutput): FiredTrigger | undefined {
  const decision = plan.decision_needed;
  if (decision === null) return undefined;
  return {
    trigger: `agent-decision:${decision.kind}`,
    question: decision.question,
    options: [...decision.options],
    details: { kind: 'agent-decision', decisionKind: decision.kind },
  };
}

/** Compiled protected-path globs: the same few patterns are checked for every ticket, and compiling is the costly part. */
const compiledGlobs = new Map<string, (path: string) => boolean>();

function compiledGlob(pattern: string): (path: string) => boolean {
  let matches = compiledGlobs.get(pattern);
  if (matches === undefined) {
    matches = picomatch(pattern, { dot: true });
    compiledGlobs.set(pattern, matches);
  }
  return matches;
}

function protectedPathsTrigger(files: readonly string[], patterns: readonly string[]): FiredTrigger | undefined {
  const usable = patterns.map((pattern) => pattern.trim()).filter((pattern) => pattern !== '');
  if (usable.length === 0) return undefined;
  const matchers = usable.map((pattern) => ({ pattern, matches: compiledGlob(pattern) }));
  const hits = files.flatMap((path) => {
    const matched = matchers.filter((matcher) => matcher.matches(path)).map((matcher) => matcher.pattern);
    return matched.length === 0 ? [] : [{ path, patterns: matched }];
  });
  if (hits.length === 0) return undefined;
  const named = hits.map((hit) => hit.path).join(', ');
  return {
    trigger: 'protected-paths',
    question: `The plan changes protected ${hits.length === 1 ? 'path' : 'paths'} ${named}: may the agent change ${hits.length === 1 ? 'it' : 'them'}?`,
    options: [`Yes, the agent may change ${named}`, 'No, do the work without changing protected paths', 'No, a person will make these changes'],
    details: { kind: 'protected-paths', files: hits },
  };
}

function complexityTrigger(estimated: Complexity | undefined, scope: ScopeOutput, plan: PlanOutput): FiredTrigger | undefined {
  if (estimated === undefined) return undefined;
  const candidates = [
    { stage: 'C1' as const, complexity: plan.complexity },
    { stage: 'C0' as const, complexity: scope.complexity },
  ].filter((candidate): candidate is { stage: 'C0' | 'C1'; complexity: Complexity } => candidate.complexity !== undefined);
  const highest = candidates.reduce<(typeof candidates)[number] | undefined>(
    (best, candidate) => (best === undefined || rank(candidate.complexity) > rank(best.complexity) ? candidate : best),
    undefined,
  );
  if (highest === undefined || rank(highest.complexity) <= rank(estimated)) return undefined;
  return {
    trigger: 'complexity-above-estimate',
    question: `The agent estimates this ticket as ${highest.complexity}, above the ticket's estimate of ${estimated}: should it go ahead?`,
    options: [`Go ahead as a ${highest.complexity} ticket`, `Keep it ${estimated}: say what to leave out`, 'Split the ticket first'],
    details: { kind: 'complexity-above-estimate', estimated, reestimated: highest.complexity, stage: highest.stage },
  };
}

const isTestOrDocumentation = picomatch([...DEFAULT_TEST_FILE_GLOBS, ...DEFAULT_DOCUMENTATION_GLOBS], { dot: true });

/**
 * Tests and documentation are welcome anywhere (as in the quality score's scope criterion),
 * and a ticket without estimated files gives nothing to compare with: neither escalates.
 */
function filesOutsideTrigger(files: readonly string[], estimatedFiles: readonly string[], maximum: number): FiredTrigger | undefined {
  if (estimatedFiles.length === 0) return undefined;
  const outside = files.filter((path) => !isTestOrDocumentation(path) && !matchesEstimatedFiles(path, estimatedFiles));
  if (outside.length <= maximum) return undefined;
  return {
    trigger: 'files-outside-estimate',
    question: `The plan changes ${outside.length} files outside the ticket's estimated files (${outside.join(', ')}), more than the ${maximum} allowed: may the agent change them?`,
    options: ['Yes, the agent may change them', 'No, stay within the estimated files and leave the rest as a follow-up', 'Split the ticket first'],
    details: { kind: 'files-outside-estimate', files: outside, maximum, estimatedFiles: [...estimatedFiles] },
  };
}

function rank(complexity: Complexity): number {
  return COMPLEXITIES.indexOf(complexity);
}

/** The agent's paths, trimmed of `./` and surrounding space, each once. */
function uniquePaths(paths: readonly string[]): string[] {
  const cleaned = paths.map((path) => path.trim().replace(/^(\.\/)+/, '')).filter((path) => path !== '');
  return [...new Set(cleaned)];
}
