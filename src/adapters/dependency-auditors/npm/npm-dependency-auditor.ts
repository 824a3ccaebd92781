import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { flattenUntrustedText } from '../../../domain/untrusted-text.js';
import type { DependencyAuditOutcome, DependencyAuditor, DependencyAuditRequest } from '../../../ports/dependency-auditor.js';
import { delay, ProcessGroup } from '../../shared/process-group.js';
import { parseNpmAuditReport } from './npm-audit-report.js';

/**
 * Variables the audit command sees: what npm needs to find its configuration, the
 * network and its certificates. Tracker and code-host tokens stay out; npm's own
 * settings (`npm_config_*`, e.g. a registry and its token) pass, since npm is the
 * one tool that needs them.
 */
const ENVIRONMENT_ALLOW_LIST = [
  'PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'TEMP', 'TMP',
  'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy', 'NODE_EXTRA_CA_CERTS', 'NPM_CONFIG_USERCONFIG', 'NPM_CONFIG_REGISTRY',
];

/** The owner's audit command and how to run it. */
export interface NpmDependencyAuditorOptions {
  /** The owner's audit command, run with `sh -c` in the project directory, e.g. `npm audit --json`. */
  command: string;
  /** Extra variables for the command (tests point npm's cache elsewhere); they win over the inherited ones. */
  environment?: Record<string, string>;
  /** How long a timed-out command gets between SIGTERM and SIGKILL; 2 s unless told. */
  killGraceMilliseconds?: number;
}

const MAXIMUM_REPORT_BYTES = 64 * 1024 * 1024;

/**
 * Runs the configured audit command (npm's by default) in a project directory of the
 * MR's worktree and reads its JSON report. Every way it can fail to tell us something
 * (no lock file, no network, a timeout, output that is no report) is an `ok: false`
 * outcome with a one-line reason for the reviewer.
 */
export class NpmDependencyAuditor implements DependencyAuditor {
  private readonly killGraceMilliseconds: number;

  constructor(private readonly options: NpmDependencyAuditorOptions) {
    this.killGraceMilliseconds = options.killGraceMilliseconds ?? 2_000;
  }

  async audit(request: DependencyAuditRequest): Promise<DependencyAuditOutcome> {
    if (this.options.command.trim() === '') return { ok: false, reason: 'the dependency audit is turned off (security.audit_command is empty)' };
    const directory = resolve(request.worktreePath, request.directory);
    const inside = relative(resolve(request.worktreePath), directory);
    if (inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside) || !existsSync(directory) || !statSync(directory).isDirectory()) {
      return { ok: false, reason: `the project directory ${request.directory || '.'} does not exist in the worktree` };
    }
    const run = await this.runCommand(directory, request.timeoutMilliseconds);
    if (run.timedOut) return { ok: false, reason: `the audit command did not finish within ${formatDuration(request.timeoutMilliseconds)}` };
    if (run.tooLarge) return { ok: false, reason: `the audit report was larger than ${MAXIMUM_REPORT_BYTES} bytes` };
    const parsed = parseNpmAuditReport(run.stdout);
    if (parsed !== undefined) return parsed.ok ? parsed : { ok: false, reason: describe(parsed.reason) };
    const said = describe(run.stderr.trim() || run.stdout.trim() || 'no output');
    return { ok: false, reason: `the audit command (exit ${run.exitCode ?? 'none'}) printed no JSON report: ${said}` };
  }

  private runCommand(cwd: string, timeoutMilliseconds: number): Promise<{ exitCode: number | null; timedOut: boolean; tooLarge: boolean; stdout: string; stderr: string }> {
    const child = spawn('sh', ['-c', this.options.command], { cwd, env: this.environment(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const group = new ProcessGroup(child.pid, this.killGraceMilliseconds);
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = '';
    let tooLarge = false;
    let timedOut = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (stdoutBytes > MAXIMUM_REPORT_BYTES) {
        tooLarge = true;
        group.terminate();
      } else stdout.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4000);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      group.terminate();
    }, timeoutMilliseconds);
    return new Promise((resolveRun) => {
      const finish = (exitCode: number | null, problem?: string) => {
        clearTimeout(timer);
        group.forget();
        resolveRun({ exitCode, timedOut, tooLarge, stdout: Buffer.concat(stdout).toString('utf8'), stderr: problem ?? stderr });
      };
      child.once('error', (error) => finish(null, `cannot run the audit command: ${error.message}`));
      child.once('close', (code) => {
        group.terminate();
        void Promise.race([group.waitUntilGone(), delay(this.killGraceMilliseconds * 2)]).then(() => finish(code));
      });
    });
  }

  private environment(): Record<string, string> {
    const environment: Record<string, string> = {};
    for (const [name, value] of Object.entries(process.env)) {
      if (value !== undefined && (ENVIRONMENT_ALLOW_LIST.includes(name) || /^npm_config_/i.test(name))) environment[name] = value;
    }
    return { ...environment, ...this.options.environment };
  }
}

function formatDuration(milliseconds: number): string {
  return milliseconds < 1000 ? `${milliseconds} ms` : `${Math.round(milliseconds / 1000)} s`;
}

/** One line for the reviewer, with any `user:password@` in URLs masked. */
function describe(text: string): string {
  return flattenUntrustedText(text.replace(/(\/\/)[^/\s:@]+:[^/\s@]+@/g, '$1***@'), 300);
}

