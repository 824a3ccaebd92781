import { describe, expect, it } from 'vitest';
import { BUILT_IN_AGENT_ENVIRONMENT_ALLOW_LIST, buildAgentEnvironment, looksLikeCredentialName } from './agent-environment.js';

const parent = {
  PATH: '/usr/bin',
  LANG: 'C.UTF-8',
  HOME: '/root',
  GITHUB_TOKEN: 'ghp_secret',
  NIGHTSHIFT_SECRET_TEST: 'planted',
  MY_TOOL_DIR: '/opt/tool',
  MY_API_KEY: 'k',
  npm_config_auth_token: 'x',
  UNSET: undefined,
};

describe('buildAgentEnvironment', () => {
  it('keeps only built-in names by default and never HOME', () => {
    expect(buildAgentEnvironment(parent, [], {})).toEqual({ PATH: '/usr/bin', LANG: 'C.UTF-8' });
    expect(BUILT_IN_AGENT_ENVIRONMENT_ALLOW_LIST).not.toContain('HOME');
  });

  it('adds configured names', () => {
    expect(buildAgentEnvironment(parent, ['MY_TOOL_DIR', 'UNSET'], {})).toEqual({
      PATH: '/usr/bin',
      LANG: 'C.UTF-8',
      MY_TOOL_DIR: '/opt/tool',
    });
  });

  it('drops credential-like names even when allow-listed', () => {
    const environment = buildAgentEnvironment(parent, ['GITHUB_TOKEN', 'NIGHTSHIFT_SECRET_TEST', 'MY_API_KEY', 'npm_config_auth_token'], {});
    expect(Object.keys(environment).sort()).toEqual(['LANG', 'PATH']);
  });

  it('applies overrides last, credentials included', () => {
    const environment = buildAgentEnvironment(parent, [], { HOME: '/tmp/private', ANTHROPIC_API_KEY: 'sk-agent', PATH: '/bin' });
    expect(environment).toEqual({ PATH: '/bin', LANG: 'C.UTF-8', HOME: '/tmp/private', ANTHROPIC_API_KEY: 'sk-agent' });
  });
});

describe('looksLikeCredentialName', () => {
  it.each(['GITHUB_TOKEN', 'aws_secret_access_key', 'DB_PASSWORD', 'PASSWD', 'GOOGLE_APPLICATION_CREDENTIALS', 'OPENAI_API_KEY', 'SSH_PRIVATE_KEY', 'AUTH_HEADER', 'COOKIE_JAR', 'SESSION_ID', 'OAuthThing'])(
    'flags %s',
    (name) => expect(looksLikeCredentialName(name)).toBe(true),
  );
  it.each(['PATH', 'LANG', 'TERM', 'NODE_EXTRA_CA_CERTS', 'TZ', 'GIT_AUTHOR_NAME'])('lets %s through', (name) => expect(looksLikeCredentialName(name)).toBe(false));
});
