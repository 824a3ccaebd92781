import { lstat, readFile, realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { lintSource } from '@secretlint/core';
import { creator as recommendedRules } from '@secretlint/secretlint-rule-preset-recommend';
import type { SecretLintCoreConfig, SecretLintRuleSeverityLevel } from '@secretlint/types';
import { maskSecret, type SecuritySeverity } from '../../../domain/secret-scan.js';
import { flattenUntrustedText } from '../../../domain/untrusted-text.js';
import type { DetectedSecret, SecretScanner, SecretScanOutcome, SkippedFile } from '../../../ports/secret-scanner.js';

/** Limits of the secretlint adapter. */
export interface SecretlintSecretScannerOptions {
  /** Larger files are skipped (the built-in scan of added lines still sees them); 1 MiB unless told. */
  maximumFileBytes?: number;
}

const SEVERITY: Record<SecretLintRuleSeverityLevel, SecuritySeverity> = { error: 'high', warning: 'medium', info: 'low' };
const RULE_PACKAGE_PREFIX = '@secretlint/secretlint-rule-';
const CONFIG: SecretLintCoreConfig = { rules: [{ id: '@secretlint/secretlint-rule-preset-recommend', rule: recommendedRules }] };

/**
 * secretlint with its recommended preset, through its core API (`lintSource`), one file
 * at a time. The core returns the file's whole text with each result; this adapter
 * reads only the reported range, masks it at once and keeps nothing else, so no raw
 * secret leaves it (secretlint's own messages are masked too, and unused).
 */
export class SecretlintSecretScanner implements SecretScanner {
  readonly name = 'secretlint';
  private readonly maximumFileBytes: number;

  constructor(options: SecretlintSecretScannerOptions = {}) {
    this.maximumFileBytes = options.maximumFileBytes ?? 1024 * 1024;
  }

  async scanFiles(request: { directory: string; paths: readonly string[] }): Promise<SecretScanOutcome> {
    const outcome: SecretScanOutcome = { secrets: [], skipped: [] };
    const root = await realpath(request.directory);
    for (const path of request.paths) {
      const read = await this.readScannable(root, path);
      if ('reason' in read) {
        outcome.skipped.push(read);
        continue;
      }
      try {
        outcome.secrets.push(...(await scanText(path, read.absolutePath, read.content)));
      } catch (error) {
        outcome.skipped.push({ path, reason: `secretlint failed: ${flattenUntrustedText((error as Error).message, 200)}` });
      }
    }
    return outcome;
  }

  private async readScannable(root: string, path: string): Promise<{ absolutePath: string; content: string } | SkippedFile> {
    const absolutePath = resolve(root, path);
    if (!isInside(root, absolutePath)) return { path, reason: 'outside the scanned directory' };
    let stats;
    try {
      stats = await lstat(absolutePath);
    } catch {
      return { path, reason: 'missing' };
    }
    if (stats.isSymbolicLink()) return { path, reason: 'a symbolic link (never followed)' };
    if (!stats.isFile()) return { path, reason: 'not a regular file' };
    if (!isInside(root, await realpath(absolutePath))) return { path, reason: 'outside the scanned directory' };
    if (stats.size > this.maximumFileBytes) return { path, reason: `larger than ${this.maximumFileBytes} bytes` };
    const bytes = await readFile(absolutePath);
    if (bytes.subarray(0, 8000).includes(0)) return { path, reason: 'binary' };
    return { absolutePath, content: bytes.toString('utf8') };
  }
}

/** Whether a path lies strictly inside a directory (both real paths). */
function isInside(root: string, path: string): boolean {
  const inside = relative(root, path);
  return inside !== '' && inside !== '..' && !inside.startsWith(`..${sep}`) && !isAbsolute(inside);
}

async function scanText(path: string, absolutePath: string, content: string): Promise<DetectedSecret[]> {
  const result = await lintSource({
    source: { content, filePath: absolutePath, contentType: 'text' },
    options: { config: CONFIG, maskSecrets: true },
  });
  return result.messages.map((message) => {
    const rule = message.ruleId.startsWith(RULE_PACKAGE_PREFIX) ? message.ruleId.slice(RULE_PACKAGE_PREFIX.length) : message.ruleId.replace(/^@/, '');
    const value = content.slice(message.range[0], message.range[1]).trim().replace(/["'`;,]+$/, '');
    return {
      path,
      line: message.loc.start.line,
      rule: `secretlint/${rule}`,
      severity: SEVERITY[message.severity],
      kind: `${rule.replace(/-/g, ' ')} (${message.messageId})`,
      maskedValue: maskSecret(value),
    };
  });
}
