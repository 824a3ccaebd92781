import { isLintCheckName } from './lint-warnings.js';

/**
 * Two criteria of the quality score that read signals rather than the diff: the lint
 * warnings the lint check reported, and the agent's own uncertainty (the risks its
 * plan names, and the confidence it reports). Each returns points and a one-sentence
 * explanation; `computeQualityScore` gives them their weight.
 */

/** Points the lint criterion loses per warning (it floors at 0). */
export const POINTS_PER_LINT_WARNING = 1;
/** Points the lint criterion earns when no lint check is configured, or its warnings could not be counted. */
export const POINTS_WHEN_LINT_UNKNOWN = 3;
/** Points the uncertainty criterion loses per risk the plan (C1) names (it floors at 0). */
export const POINTS_PER_PLAN_RISK = 1;

export interface CriterionPoints {
  points: number;
  explanation: string;
}

/** The lint checks are the gates whose name contains `lint`; their warnings are summed. */
export function scoreLintWarnings(checks: ReadonlyArray<{ name: string; lintWarnings?: number }>, maximum: number): CriterionPoints {
  const lintChecks = checks.filter((check) => isLintCheckName(check.name));
  if (lintChecks.length === 0) {
    return {
      points: Math.min(maximum, POINTS_WHEN_LINT_UNKNOWN),
      explanation: `No lint check is configured, so lint earns ${POINTS_WHEN_LINT_UNKNOWN} of ${maximum} points: add a gate named lint to earn the rest.`,
    };
  }
  const counted = lintChecks.filter((check) => check.lintWarnings !== undefined);
  if (counted.length === 0) {
    return {
      points: Math.min(maximum, POINTS_WHEN_LINT_UNKNOWN),
      explanation: `The lint warnings could not be counted (the lint check did not finish), so lint earns ${POINTS_WHEN_LINT_UNKNOWN} of ${maximum} points.`,
    };
  }
  const warnings = counted.reduce((sum, check) => sum + Math.max(0, Math.floor(check.lintWarnings ?? 0)), 0);
  if (warnings === 0) return { points: maximum, explanation: 'The lint check reported no warnings.' };
  const lost = Math.min(maximum, warnings * POINTS_PER_LINT_WARNING);
  return {
    points: maximum - lost,
    explanation: `The lint check reported ${warnings} warning${warnings === 1 ? '' : 's'}, which cost ${lost} point${lost === 1 ? '' : 's'}.`,
  };
}

/**
 * The agent's own doubt: each risk named by the plan costs a point, and a reported
 * confidence (0–1) caps the criterion at `round(maximum × confidence)`.
 */
export function scoreUncertainty(input: { planRisks: number; confidence?: number }, maximum: number): CriterionPoints {
  const risks = Math.max(0, Math.floor(input.planRisks));
  const fromRisks = Math.max(0, maximum - risks * POINTS_PER_PLAN_RISK);
  const riskText = risks === 0 ? 'The plan names no risks' : `The plan names ${risks} risk${risks === 1 ? '' : 's'}`;
  const confidence = input.confidence;
  if (confidence === undefined || !Number.isFinite(confidence)) {
    return { points: fromRisks, explanation: `${riskText}${risks === 0 ? '' : ` (−${maximum - fromRisks})`}.` };
  }
  const bounded = Math.min(1, Math.max(0, confidence));
  const cap = Math.round(maximum * bounded);
  const points = Math.min(fromRisks, cap);
  return {
    points,
    explanation: `${riskText} and the agent reports a confidence of ${Math.round(bounded * 100)} %, which allows at most ${cap} points.`,
  };
}
