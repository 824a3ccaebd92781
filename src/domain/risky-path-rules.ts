import type { RiskyPathRule } from './secret-scan.js';

/**
 * `security.risky_paths` in the configuration is a plain list of globs, so that owners
 * can add their own paths without learning a rule format. The review still wants to
 * say *why* a path is risky and how much: this turns each glob into a rule by the
 * family its text belongs to (CI, permissions, credentials, auth, migrations, lock
 * files, containers), and anything unrecognized into a plain low "risky path".
 */

interface PathFamily {
  name: string;
  severity: RiskyPathRule['severity'];
  reason: string;
  recognizes: RegExp;
}

/** Most specific first: the first family whose pattern matches a glob names it. */
const PATH_FAMILIES: readonly PathFamily[] = [
  {
    name: 'CI configuration',
    severity: 'medium',
    reason: 'CI configuration runs with the repository’s credentials',
    recognizes: /\.github\/(?:workflows|actions)|gitlab-ci|\.circleci|\.buildkite|jenkinsfile|azure-pipelines|bitbucket-pipelines|\.travis\.yml|\.drone\.yml|\.woodpecker/i,
  },
  {
    name: 'permission file',
    severity: 'medium',
    reason: 'it decides who may approve, deploy or run as an administrator',
    recognizes: /codeowners|sudoers|\bpermissions?\b|\.htaccess|\.htpasswd|polic(?:y|ies)/i,
  },
  {
    name: 'credentials file',
    severity: 'medium',
    reason: 'files like this usually hold credentials or point installs at another registry',
    recognizes: /\.env\b|\.pem\b|\.key\b|\.p12\b|\.pfx\b|id_rsa|id_ed25519|\.npmrc|\.pypirc|\.netrc|credentials|secrets?\b/i,
  },
  {
    name: 'authentication or authorization code',
    severity: 'low',
    reason: 'a mistake here can let the wrong people in',
    recognizes: /auth|oauth|session|login|security/i,
  },
  { name: 'database migration', severity: 'low', reason: 'migrations change production data and are hard to undo', recognizes: /migrat|alembic/i },
  {
    name: 'dependency lock file',
    severity: 'low',
    reason: 'a changed lock file can pull in new third-party code',
    recognizes: /\.lock\b|lockb?$|-lock\.(?:json|yaml)|go\.sum|shrinkwrap/i,
  },
  { name: 'container definition', severity: 'low', reason: 'container files decide what runs in production and with which privileges', recognizes: /dockerfile|containerfile|docker-compose|compose\.ya?ml/i },
];

/**
 * One rule per configured glob, named and graded by its family. Globs are kept as
 * written; an empty list yields no rules (risky-path checks off).
 */
export function riskyPathRulesFromGlobs(globs: readonly string[]): RiskyPathRule[] {
  return globs.map((glob) => {
    const family = PATH_FAMILIES.find((candidate) => candidate.recognizes.test(glob));
    if (family === undefined) return { name: 'risky path', severity: 'low', globs: [glob], reason: `it matches the configured risky path ${glob}` };
    return { name: family.name, severity: family.severity, globs: [glob], reason: family.reason };
  });
}
