import { describe, expect, it } from 'vitest';
import { DEFAULT_RISKY_PATHS } from '../config/nightshift-config.js';
import { riskyPathRulesFromGlobs } from './risky-path-rules.js';
import { flagRiskyPaths } from './secret-scan.js';
import type { DiffFile, ParsedDiff } from './unified-diff.js';

function changed(...paths: string[]): ParsedDiff {
  return { files: paths.map((path): DiffFile => ({ path, status: 'modified', binary: false, addedLines: [], deletedCount: 1 })) };
}

describe('riskyPathRulesFromGlobs', () => {
  it('names and grades every default glob by its family', () => {
    const rules = riskyPathRulesFromGlobs(DEFAULT_RISKY_PATHS);
    const byGlob = Object.fromEntries(rules.map((rule) => [rule.globs[0], `${rule.severity} ${rule.name}`]));
    expect(byGlob).toMatchObject({
      '.github/workflows/**': 'medium CI configuration',
      '.gitlab-ci.yml': 'medium CI configuration',
      Jenkinsfile: 'medium CI configuration',
      '**/CODEOWNERS': 'medium permission file',
      '**/sudoers*': 'medium permission file',
      '**/.npmrc': 'medium credentials file',
      '**/auth/**': 'low authentication or authorization code',
      '**/*auth*.*': 'low authentication or authorization code',
      '**/migrations/**': 'low database migration',
      '**/package-lock.json': 'low dependency lock file',
      '**/go.sum': 'low dependency lock file',
      '**/Dockerfile': 'low container definition',
      '**/docker-compose*.yml': 'low container definition',
    });
    expect(rules.filter((rule) => rule.name === 'risky path')).toEqual([]);
  });

  it('keeps an unknown glob as a plain low risky path, and an empty list turns the check off', () => {
    expect(riskyPathRulesFromGlobs(['infra/terraform/**'])).toEqual([
      { name: 'risky path', severity: 'low', globs: ['infra/terraform/**'], reason: 'it matches the configured risky path infra/terraform/**' },
    ]);
    expect(flagRiskyPaths(changed('.github/workflows/ci.yml'), riskyPathRulesFromGlobs([]))).toEqual([]);
  });

  it('flags changed files with the most severe matching family', () => {
    const findings = flagRiskyPaths(changed('.github/workflows/ci.yml', 'src/auth/login.ts', 'db/migrations/001.sql', 'src/add.js', '.github/CODEOWNERS'), riskyPathRulesFromGlobs(DEFAULT_RISKY_PATHS));
    expect(findings.map((finding) => [finding.file, finding.severity, finding.message])).toEqual([
      ['.github/workflows/ci.yml', 'medium', 'modified CI configuration: CI configuration runs with the repository’s credentials'],
      ['src/auth/login.ts', 'low', 'modified authentication or authorization code: a mistake here can let the wrong people in'],
      ['db/migrations/001.sql', 'low', 'modified database migration: migrations change production data and are hard to undo'],
      ['.github/CODEOWNERS', 'medium', 'modified permission file: it decides who may approve, deploy or run as an administrator'],
    ]);
  });
});
