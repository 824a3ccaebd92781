/**
 * Variables every agent may see: what a shell, a compiler and a test runner need to
 * behave (search path, locale, terminal, time zone, proxy and certificate settings).
 * HOME is deliberately absent: callers give each agent run a private home, so the
 * agent never reads our dotfiles, git credentials or its own stored logins.
 */
export const BUILT_IN_AGENT_ENVIRONMENT_ALLOW_LIST: readonly string[] = [
  'PATH',
  'LANG',
  'LANGUAGE',
  'LC_ALL',
  'LC_CTYPE',
  'LC_MESSAGES',
  'TERM',
  'COLORTERM',
  'TZ',
  'SHELL',
  'USER',
  'LOGNAME',
  'NODE_EXTRA_CA_CERTS',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
];

/**
 * Name fragments that mark a variable as a secret. A match drops the variable even when
 * it is allow-listed, because a misconfigured allow-list must not leak a token: the only
 * way to hand an agent a secret is to pass it explicitly as an override.
 */
export const CREDENTIAL_NAME_FRAGMENTS: readonly string[] = [
  'TOKEN',
  'SECRET',
  'PASSWORD',
  'PASSWD',
  'CREDENTIAL',
  'API_KEY',
  'APIKEY',
  'PRIVATE_KEY',
  'ACCESS_KEY',
  'AUTH',
  'COOKIE',
  'SESSION',
];

/**
 * Whether a variable name looks like it holds a credential (case-insensitive).
 * `AUTHOR` is not `AUTH`: `GIT_AUTHOR_NAME` may pass when allow-listed.
 */
export function looksLikeCredentialName(name: string): boolean {
  const upper = name.toUpperCase().replaceAll('AUTHOR', '');
  return CREDENTIAL_NAME_FRAGMENTS.some((fragment) => upper.includes(fragment));
}

/**
 * Builds the environment an agent process receives, so that tracker and code-host
 * tokens stay in the orchestrator: only allow-listed names pass (the built-in list plus
 * `allowList`), names that look like credentials are dropped, and `overrides` are
 * applied last and always win (that is how a private HOME and the agent's own model key
 * are passed).
 */
export function buildAgentEnvironment(
  parentEnvironment: Record<string, string | undefined>,
  allowList: readonly string[],
  overrides: Record<string, string>,
): Record<string, string> {
  const allowed = new Set([...BUILT_IN_AGENT_ENVIRONMENT_ALLOW_LIST, ...allowList]);
  const environment: Record<string, string> = {};
  for (const name of allowed) {
    const value = parentEnvironment[name];
    if (value === undefined || looksLikeCredentialName(name)) continue;
    environment[name] = value;
  }
  return { ...environment, ...overrides };
}
