import { describe, expect, it } from 'vitest';
import { DEFAULT_PROTECTED_PATHS } from '../config/nightshift-config.js';
import { evaluateEscalationTriggers, type EscalationPolicy, type EscalationTriggerInput } from './escalation-triggers.js';
import type { PlanOutput, ScopeOutput } from './stage-output.js';

const ALL_ON: EscalationPolicy = { onAgentDecision: true, onComplexityAboveEstimate: true, maxFilesOutsideEstimate: 3, protectedPaths: DEFAULT_PROTECTED_PATHS };
const ALL_OFF: EscalationPolicy = { onAgentDecision: false, onComplexityAboveEstimate: false, protectedPaths: [] };

const QUIET_SCOPE: ScopeOutput = { summary: 'Add subtract', files: ['src/subtract.js', 'test/subtract.test.js'], complexity: 'small' };
const QUIET_PLAN: PlanOutput = { plan: ['Write it'], risks: [], complexity: 'small', decision_needed: null };
const DECIDING_PLAN: PlanOutput = {
  ...QUIET_PLAN,
  decision_needed: { kind: 'architecture', question: 'BigInt or Number?', options: ['BigInt', 'Number'] },
};

function evaluate(overrides: Partial<EscalationTriggerInput> = {}) {
  return evaluateEscalationTriggers({
    ticket: { complexity: 'small', estimatedFiles: ['src/', 'test'] },
    scope: QUIET_SCOPE,
    plan: QUIET_PLAN,
    policy: ALL_ON,
    ...overrides,
  });
}

describe('evaluateEscalationTriggers', () => {
  it('lets a quiet ticket go on to C2', () => {
    expect(evaluate()).toBeUndefined();
  });

  describe('agent decision', () => {
    it("asks the agent's question with its options, keeping the decision kind in the trigger", () => {
      expect(evaluate({ plan: DECIDING_PLAN })).toEqual({
        trigger: 'agent-decision:architecture',
        question: 'BigInt or Number?',
        options: ['BigInt', 'Number'],
        details: { kind: 'agent-decision', decisionKind: 'architecture' },
        alsoFired: [],
      });
    });

    it('is ignored when the policy turns it off', () => {
      expect(evaluate({ plan: DECIDING_PLAN, policy: { ...ALL_ON, onAgentDecision: false } })).toBeUndefined();
    });
  });

  describe('protected paths', () => {
    it('names the protected files and the patterns they match', () => {
      const decision = evaluate({ scope: { ...QUIET_SCOPE, files: ['./.github/workflows/ci.yml', 'src/a.js', 'db/migrations/001.sql'] } });
      expect(decision?.trigger).toBe('protected-paths');
      expect(decision?.question).toBe('The plan changes protected paths .github/workflows/ci.yml, db/migrations/001.sql: may the agent change them?');
      expect(decision?.options).toHaveLength(3);
      expect(decision?.details).toEqual({
        kind: 'protected-paths',
        files: [
          { path: '.github/workflows/ci.yml', patterns: ['.github/workflows/**'] },
          { path: 'db/migrations/001.sql', patterns: ['**/migrations/**'] },
        ],
      });
    });

    it.each(['package-lock.json', 'src/auth/session.ts', 'config/.env.production', 'keys/server.pem', 'go.sum'])('protects %s by default', (path) => {
      expect(evaluate({ scope: { ...QUIET_SCOPE, files: [path] } })?.trigger).toBe('protected-paths');
    });

    it('says "it" for one path, and is off with an empty list', () => {
      const scope = { ...QUIET_SCOPE, files: ['.gitlab-ci.yml'] };
      expect(evaluate({ scope })?.question).toBe('The plan changes protected path .gitlab-ci.yml: may the agent change it?');
      expect(evaluate({ scope, policy: { ...ALL_ON, protectedPaths: [] } })).toBeUndefined();
    });
  });

  describe('complexity above the estimate', () => {
    it("fires when C1's re-estimate is above the ticket's", () => {
      expect(evaluate({ plan: { ...QUIET_PLAN, complexity: 'large' } })).toMatchObject({
        trigger: 'complexity-above-estimate',
        question: "The agent estimates this ticket as large, above the ticket's estimate of small: should it go ahead?",
        details: { kind: 'complexity-above-estimate', estimated: 'small', reestimated: 'large', stage: 'C1' },
      });
    });

    it("fires on C0's re-estimate too, taking the higher of the two", () => {
      const decision = evaluate({ scope: { ...QUIET_SCOPE, complexity: 'large' }, plan: { ...QUIET_PLAN, complexity: 'medium' } });
      expect(decision?.details).toEqual({ kind: 'complexity-above-estimate', estimated: 'small', reestimated: 'large', stage: 'C0' });
    });

    it('does not fire at or below the estimate, without an estimate, or when turned off', () => {
      const plan: PlanOutput = { ...QUIET_PLAN, complexity: 'medium' };
      expect(evaluate({ plan, ticket: { complexity: 'medium', estimatedFiles: ['src/', 'test'] } })).toBeUndefined();
      expect(evaluate({ plan, ticket: { complexity: 'large', estimatedFiles: ['src/', 'test'] } })).toBeUndefined();
      expect(evaluate({ plan, ticket: { estimatedFiles: ['src/', 'test'] } })).toBeUndefined();
      expect(evaluate({ plan, policy: { ...ALL_ON, onComplexityAboveEstimate: false } })).toBeUndefined();
    });
  });

  describe('files outside the estimate', () => {
    const ticket = { complexity: 'small' as const, estimatedFiles: ['src/math', 'lib/*.js'] };
    const files = ['src/math/add.js', 'lib/a.js', 'app/one.js', 'app/two.js', 'app/three.js', 'app/four.js'];

    it('fires above the threshold, naming the files, where "src/math" covers everything below it', () => {
      expect(evaluate({ ticket, scope: { ...QUIET_SCOPE, files } })).toMatchObject({
        trigger: 'files-outside-estimate',
        question: "The plan changes 4 files outside the ticket's estimated files (app/one.js, app/two.js, app/three.js, app/four.js), more than the 3 allowed: may the agent change them?",
        details: { kind: 'files-outside-estimate', files: ['app/one.js', 'app/two.js', 'app/three.js', 'app/four.js'], maximum: 3, estimatedFiles: ['src/math', 'lib/*.js'] },
      });
    });

    it('does not fire at the threshold, for tests and documentation, or without estimated files', () => {
      expect(evaluate({ ticket, scope: { ...QUIET_SCOPE, files: files.slice(0, 5) } })).toBeUndefined();
      const welcome = ['app/one.js', 'app/two.js', 'app/three.js', 'test/x.test.js', 'src/other/y.spec.ts', 'docs/guide.md', 'README.md'];
      expect(evaluate({ ticket, scope: { ...QUIET_SCOPE, files: welcome } })).toBeUndefined();
      expect(evaluate({ ticket: { complexity: 'small', estimatedFiles: [] }, scope: { ...QUIET_SCOPE, files } })).toBeUndefined();
    });

    it('counts a path once, and is off when the threshold is undefined or turned up', () => {
      const repeated = ['app/one.js', './app/one.js', 'app/two.js', 'app/three.js', 'app/three.js'];
      expect(evaluate({ ticket, scope: { ...QUIET_SCOPE, files: repeated } })).toBeUndefined();
      const { maxFilesOutsideEstimate: _unused, ...withoutThreshold } = ALL_ON;
      expect(evaluate({ ticket, scope: { ...QUIET_SCOPE, files }, policy: withoutThreshold })).toBeUndefined();
      expect(evaluate({ ticket, scope: { ...QUIET_SCOPE, files }, policy: { ...ALL_ON, maxFilesOutsideEstimate: 4 } })).toBeUndefined();
      expect(evaluate({ ticket, scope: { ...QUIET_SCOPE, files }, policy: { ...ALL_ON, maxFilesOutsideEstimate: 0 } })?.trigger).toBe('files-outside-estimate');
    });
  });

  describe('precedence', () => {
    const everything: Partial<EscalationTriggerInput> = {
      ticket: { complexity: 'small', estimatedFiles: ['src/only.js'] },
      scope: { summary: 'All of it', files: ['.github/workflows/ci.yml', 'a.js', 'b.js', 'c.js', 'd.js'], complexity: 'small' },
      plan: { ...DECIDING_PLAN, complexity: 'large' },
    };

    it('asks the agent decision first, then protected paths, complexity, files outside; the others are kept', () => {
      const decision = evaluate(everything);
      expect([decision?.trigger, ...(decision?.alsoFired ?? []).map((fired) => fired.trigger)]).toEqual([
        'agent-decision:architecture',
        'protected-paths',
        'complexity-above-estimate',
        'files-outside-estimate',
      ]);
      expect(evaluate({ ...everything, policy: { ...ALL_ON, onAgentDecision: false } })?.trigger).toBe('protected-paths');
      expect(evaluate({ ...everything, policy: { ...ALL_ON, onAgentDecision: false, protectedPaths: [] } })?.trigger).toBe('complexity-above-estimate');
      expect(evaluate({ ...everything, policy: { ...ALL_OFF, maxFilesOutsideEstimate: 3 } })?.trigger).toBe('files-outside-estimate');
      expect(evaluate({ ...everything, policy: ALL_OFF })).toBeUndefined();
    });
  });
});
