/**
 * An expected failure a person can fix (bad config, not a git repository, a missing
 * agent binary). The CLI prints its message and details — never a stack trace — and
 * exits with its code.
 */
export class UserFacingError extends Error {
  override readonly name = 'UserFacingError';

  constructor(
    message: string,
    readonly kind: 'invalid-input' | 'environment',
    readonly details: string[] = [],
  ) {
    super(message);
  }
}
