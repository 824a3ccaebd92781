import { displayWidth, fitToWidth } from './review-box.js';
import { STAGES } from './stage.js';
import { flattenUntrustedText } from './untrusted-text.js';

/**
 * One readable line per record of a ticket's log (`nightshift logs`), e.g.
 * `22:33:43 C0#1 tool-call Read src/index.js` or `22:41:02      gate-end test failed 210 ms`.
 * Records come from agents and tools, so every value is untrusted: it is flattened to
 * one line (no terminal escapes), and a record of a type this version does not know is
 * still shown, as compact JSON, rather than dropped.
 */

export interface TicketLogFormatOptions {
  /** The IANA time zone of the time column (the reader's own); UTC when absent. */
  timeZone?: string;
  /** Terminal columns a line may take; longer lines end with `…`. Default 160. */
  maximumWidth?: number;
}

const DEFAULT_MAXIMUM_WIDTH = 160;
const UNKNOWN_TIME = '--:--:--';
/** Width of the stage column (`C0#1`), so the record types line up. */
const STAGE_COLUMN_WIDTH = 4;
/** Input fields that say best what a tool call does, most telling first. */
const TOOL_INPUT_SUMMARY_FIELDS = ['file_path', 'notebook_path', 'command', 'pattern', 'path', 'url', 'query', 'description', 'prompt'];

type LogRecord = Record<string, unknown>;

/** Formats one raw NDJSON line of a ticket log; a line that is not a JSON object is shown as such. */
export function formatTicketLogLine(line: string, options: TicketLogFormatOptions = {}): string {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return fit(`${UNKNOWN_TIME} ${' '.repeat(STAGE_COLUMN_WIDTH)} unreadable ${flattenUntrustedText(line)}`, options);
  }
  return formatTicketLogRecord(record, options);
}

/** Formats one parsed log record as `time stage type detail`, cut to the width. */
export function formatTicketLogRecord(record: unknown, options: TicketLogFormatOptions = {}): string {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) {
    return fit(`${UNKNOWN_TIME} ${' '.repeat(STAGE_COLUMN_WIDTH)} unreadable ${flattenUntrustedText(JSON.stringify(record) ?? String(record))}`, options);
  }
  const fields = record as LogRecord;
  const type = typeof fields.type === 'string' && fields.type.trim() !== '' ? flattenUntrustedText(fields.type) : 'record';
  const detail = describeRecord(type, fields);
  const line = `${formatTime(fields.at, options.timeZone ?? 'UTC')} ${stageColumn(fields)} ${type}${detail === '' ? '' : ` ${detail}`}`;
  return fit(line, options);
}

function describeRecord(type: string, record: LogRecord): string {
  const text = (name: string): string => (typeof record[name] === 'string' ? flattenUntrustedText(record[name]) : '');
  const join = (...parts: string[]): string => parts.filter((part) => part !== '').join(' ');
  const count = (name: string, singular: string, plural = `${singular}s`): string => {
    const value = record[name];
    return typeof value === 'number' ? `${value} ${value === 1 ? singular : plural}` : `? ${plural}`;
  };
  switch (type) {
    case 'agent-start':
      return join(text('agent'), prefixed('model', text('model')), prefixed('session', text('sessionId')));
    case 'tool-call':
      return join(text('tool'), summarizeToolInput(record.input));
    case 'text-delta':
      return text('text');
    case 'usage':
      return describeUsage(record.usage);
    case 'rate-limit':
      return join(text('message'), typeof record.retryAfterSeconds === 'number' ? `(retry after ${record.retryAfterSeconds} s)` : '', prefixed('resets at', text('resetAt')));
    case 'agent-end':
    case 'stage-end':
      return withExplanation(text('outcome'), text('errorMessage'));
    case 'stage-start':
      return '';
    case 'answer-rejected':
      return text('problem');
    case 'checkpoint':
      return 'saved';
    case 'transition': {
      const to = text('state') || '?';
      const move = text('from') === '' ? join(`→ ${to}`, text('event') === '' ? '' : `(${text('event')})`) : `${text('from')} → ${to}`;
      return withExplanation(move, text('reason'));
    }
    case 'worktree':
      return join(text('branch'), prefixed('from', text('startPoint')));
    case 'set-aside': {
      const files = Array.isArray(record.files) ? record.files.length : 0;
      return `${files} file${files === 1 ? '' : 's'} an earlier run left uncommitted, kept in stash ${text('stash').slice(0, 12)} (git stash list)`;
    }
    case 'merge-request':
      return join(text('id'), text('url'), prefixed('at', text('commit').slice(0, 12)));
    case 'error':
      return text('message');
    case 'gate-start':
      return withExplanation(text('gate'), text('command'));
    case 'gate-end':
      return join(text('gate'), text('status'), typeof record.durationMilliseconds === 'number' ? formatMilliseconds(record.durationMilliseconds) : '');
    case 'gate-rerun':
      return join(text('gate'), `failed (exit ${typeof record.exitCode === 'number' ? record.exitCode : '?'}), running it again to tell a flaky check from a failing one`);
    case 'gates-refused':
      return text('reason');
    case 'security-start':
      return 'scanning the change for secrets, risky paths, dependencies and dangerous patterns';
    case 'security-end':
      return join(
        `${count('findings', 'finding')}, ${count('flags', 'security flag')}`,
        prefixed('SARIF', text('sarif')),
      );
    case 'security-audit':
      return record.ok === true
        ? join(text('directory') || '.', `${count('packages', 'changed package')} audited, ${count('vulnerable', 'with an advisory', 'with an advisory')}`)
        : withExplanation(join(text('directory') || '.', 'audit failed'), text('reason'));
    case 'security-secret-scan-skipped':
      return join(text('scanner'), 'could not scan', Array.isArray(record.skipped) ? `${record.skipped.length} file${record.skipped.length === 1 ? '' : 's'}` : '');
    case 'confinement-breach':
      return Array.isArray(record.breaches) ? `${record.breaches.length} change${record.breaches.length === 1 ? '' : 's'} outside the worktree: ${flattenUntrustedText(JSON.stringify(record.breaches))}` : '';
    case 'stage-retry':
      return text('reason');
    case 'work-kept':
      return join(Array.isArray(record.files) ? `${record.files.length} file${record.files.length === 1 ? '' : 's'} committed` : '', prefixed('as', text('commit').slice(0, 12)));
    case 'session-resume':
      return prefixed('resuming agent session', text('sessionId'));
    case 'follow-up':
      return join(text('ticketId'), record.created === false ? '(already filed)' : '(draft filed)');
    case 'review-action':
      return join(text('action'), prefixed('by', text('reviewer')), text('comment') === '' ? '' : `— ${text('comment')}`);
    case 'merge-request-retargeted':
      return join(text('from'), '→', text('to'));
    case 'agent-failover':
      return withExplanation(`${text('from')} → ${text('to')}`, text('reason'));
    case 'gates-complete':
      return [
        typeof record.qualityScore === 'number' ? `score ${record.qualityScore}` : '',
        typeof record.securityFlags === 'number' ? `${record.securityFlags} security flag${record.securityFlags === 1 ? '' : 's'}` : '',
      ]
        .filter((part) => part !== '')
        .join(', ');
    default:
      return describeUnknownRecord(record);
  }
}

function summarizeToolInput(input: unknown): string {
  if (typeof input === 'string') return flattenUntrustedText(input);
  if (input === null || typeof input !== 'object') return input === undefined ? '' : flattenUntrustedText(String(input));
  const fields = input as Record<string, unknown>;
  for (const name of TOOL_INPUT_SUMMARY_FIELDS) {
    const value = fields[name];
    if (typeof value === 'string' && value.trim() !== '') return flattenUntrustedText(value);
  }
  return flattenUntrustedText(JSON.stringify(input) ?? '');
}

function describeUsage(usage: unknown): string {
  if (usage === null || typeof usage !== 'object') return '';
  const { inputTokens, outputTokens, costUsd } = usage as Record<string, unknown>;
  const count = (value: unknown): string => (typeof value === 'number' ? value.toLocaleString('en-US') : '?');
  const cost = typeof costUsd === 'number' ? ` $${costUsd.toFixed(4)}` : '';
  return `${count(inputTokens)} in / ${count(outputTokens)} out tokens${cost}`;
}

function describeUnknownRecord(record: LogRecord): string {
  const { type: _type, at: _at, stage: _stage, attempt: _attempt, batchId: _batchId, ticketId: _ticketId, ...rest } = record;
  return Object.keys(rest).length === 0 ? '' : flattenUntrustedText(JSON.stringify(rest));
}

function stageColumn(record: LogRecord): string {
  const stage = typeof record.stage === 'string' && (STAGES as readonly string[]).includes(record.stage) ? record.stage : '';
  const attempt = stage !== '' && typeof record.attempt === 'number' && Number.isInteger(record.attempt) ? `#${record.attempt}` : '';
  return `${stage}${attempt}`.padEnd(STAGE_COLUMN_WIDTH);
}

const timeFormats = new Map<string, Intl.DateTimeFormat>();

function formatTime(at: unknown, timeZone: string): string {
  const time = typeof at === 'string' ? new Date(at) : undefined;
  if (time === undefined || Number.isNaN(time.getTime())) return UNKNOWN_TIME;
  let format = timeFormats.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    timeFormats.set(timeZone, format);
  }
  return format.format(time);
}

/** `210 ms`, `12.3 s`, `2 min 5 s`: a gate's duration as a person reads it. */
export function formatMilliseconds(milliseconds: number): string {
  if (!Number.isFinite(milliseconds) || milliseconds < 0) return '? ms';
  if (milliseconds < 1000) return `${Math.round(milliseconds)} ms`;
  if (milliseconds < 60_000) return `${(milliseconds / 1000).toFixed(1)} s`;
  const seconds = Math.round(milliseconds / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** `failed: the agent crashed`: a word and, when there is one, why. */
function withExplanation(summary: string, explanation: string): string {
  if (explanation === '') return summary;
  return summary === '' ? explanation : `${summary}: ${explanation}`;
}

function prefixed(label: string, value: string): string {
  return value === '' ? '' : `${label} ${value}`;
}

function fit(line: string, options: TicketLogFormatOptions): string {
  const width = Math.max(20, options.maximumWidth ?? DEFAULT_MAXIMUM_WIDTH);
  return displayWidth(line) <= width ? line : fitToWidth(line, width).trimEnd();
}
