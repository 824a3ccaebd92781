/**
 * Ties each acceptance criterion of a ticket to what addresses it — the plan's steps
 * (C1), the changes the agent reports (C2) and the tests that ran — by the words they
 * share, so the review summary can say "criterion → step → test that proves it".
 * The match is a hint for the reviewer, not a proof: the summary says so, and the
 * criteria stay unticked until a person checks them.
 */

/** Words too common to tie a criterion to anything. */
const STOP_WORDS = new Set(
  (
    'a an and are as at be been but by can could do does for from has have if in into is it its may must no not of on or ' +
    'should so such than that the their then there these this those to under up was were when where which while will with ' +
    'would all any each every more most other some only also just should test tests spec specs it should case cases works work ' +
    'given then correct correctly properly new add adds added make makes use uses using'
  ).split(' '),
);

/** A criterion with the plan steps, reported changes and tests that share enough words with it. */
export interface CriterionEvidence<Test> {
  criterion: string;
  planSteps: string[];
  changes: string[];
  tests: Test[];
}

/**
 * For each criterion, the related plan steps, changes and tests. A candidate is related
 * when it shares at least two significant words with the criterion, or one when the
 * criterion has only one or two significant words.
 */
export function matchAcceptanceEvidence<Test>(input: {
  criteria: readonly string[];
  planSteps: readonly string[];
  changes: readonly string[];
  tests: readonly Test[];
  testName: (test: Test) => string;
}): CriterionEvidence<Test>[] {
  return input.criteria.map((criterion) => {
    const words = significantWords(criterion);
    const related = (text: string) => isRelated(words, significantWords(text));
    return {
      criterion,
      planSteps: input.planSteps.filter(related),
      changes: input.changes.filter(related),
      tests: input.tests.filter((test) => related(input.testName(test))),
    };
  });
}

/** Whether two texts share enough significant words (see {@link matchAcceptanceEvidence}). */
export function isRelated(criterionWords: ReadonlySet<string>, candidateWords: ReadonlySet<string>): boolean {
  if (criterionWords.size === 0) return false;
  let shared = 0;
  for (const word of candidateWords) if (criterionWords.has(word)) shared += 1;
  return shared >= Math.min(2, criterionWords.size);
}

/**
 * The stems of the words that carry meaning: lowercased, split at camelCase, `_`, `-`,
 * `.`, `/` and punctuation, without stop words, numbers and one- or two-letter words,
 * with common English endings taken off (`subtracts`, `subtracted` → `subtract`).
 */
export function significantWords(text: string): Set<string> {
  const words = text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length >= 3 && !/^\d+$/.test(word) && !STOP_WORDS.has(word));
  return new Set(words.map(stem).filter((word) => word.length >= 3));
}

function stem(word: string): string {
  for (const suffix of ['ies', 'ing', 'ion', 'ed', 'es', 's', 'e']) {
    if (word.endsWith(suffix) && word.length - suffix.length >= 3 && !word.endsWith('ss')) {
      return suffix === 'ies' ? `${word.slice(0, -3)}y` : word.slice(0, -suffix.length);
    }
  }
  return word;
}
