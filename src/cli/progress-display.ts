import type { ProgressEvent } from '../pipeline/pipeline-dependencies.js';

const SPINNER_FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

const DONE_MARKS: Record<string, string> = {
  ready: '✓',
  gated: '✓',
  gating: '✓',
  partial: '◐',
  escalated: '⚠',
  failed: '✗',
  timed_out: '✗',
  skipped: '↷',
};

/** Where progress goes: a terminal (live) or any writable text sink (plain lines). */
export interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/**
 * Shows each ticket's current stage while the night's work runs: a live block of
 * spinner lines on a terminal, plain timestamped lines otherwise (CI, cron, files).
 */
export class ProgressDisplay {
  private readonly lines = new Map<string, { text: string; done: boolean }>();
  private readonly messages: string[] = [];
  private renderedLineCount = 0;
  private pausedUntil: Date | undefined;
  private frame = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly output: ProgressOutput,
    private readonly live: boolean = output.isTTY === true && process.env.TERM !== 'dumb',
  ) {}

  start(title: string): void {
    if (this.live) {
      this.output.write(`${title}\n`);
      this.timer = setInterval(() => this.render(), 100);
      this.timer.unref();
    } else {
      this.output.write(`${title}\n`);
    }
  }

  /** Receives the pipeline's progress events. */
  readonly listener = (event: ProgressEvent): void => {
    if (event.type === 'paused') {
      this.pausedUntil = new Date(event.until);
      const line = `paused by a rate limit until ${event.until.slice(11, 19)} UTC: ${event.reason}`;
      if (this.live) this.messages.push(`⏸ ${line}`);
      else this.output.write(`${timestamp()} ${line}\n`);
      return;
    }
    if (event.type === 'message') {
      if (this.live) this.messages.push(event.message);
      else this.output.write(`${timestamp()} ${event.message}\n`);
      return;
    }
    const text =
      event.type === 'ticket-stage'
        ? `${event.ticketId}  ${event.stage}${event.detail === undefined ? '' : `  ${event.detail}`}`
        : `${event.ticketId}  ${event.state}${event.detail === undefined ? '' : `  ${event.detail}`}`;
    const done = event.type === 'ticket-done';
    if (this.live) {
      this.lines.set(event.ticketId, { text: done ? `${DONE_MARKS[event.state] ?? '•'} ${text}` : text, done });
    } else {
      this.output.write(`${timestamp()} ${text}\n`);
    }
  };

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    if (this.live) this.render(true);
  }

  private countdownLine(final: boolean): string | undefined {
    if (this.pausedUntil === undefined || final) return undefined;
    const remaining = this.pausedUntil.getTime() - Date.now();
    if (remaining <= 0) {
      this.pausedUntil = undefined;
      return undefined;
    }
    return `⏸ resuming in ${formatRemaining(remaining)}`;
  }

  private render(final = false): void {
    const spinner = SPINNER_FRAMES[this.frame % SPINNER_FRAMES.length] ?? '•';
    this.frame += 1;
    const width = Math.max(20, (this.output.columns || 100) - 1);
    const countdown = this.countdownLine(final);
    const body = [
      ...this.messages.splice(0).map((message) => message.slice(0, width)),
      ...[...this.lines.values()].map((line) => (line.done || final ? line.text : `${spinner} ${line.text}`).slice(0, width)),
      ...(countdown === undefined ? [] : [countdown.slice(0, width)]),
    ];
    let text = this.renderedLineCount > 0 ? `\u001b[${this.renderedLineCount}A` : '';
    text += body.map((line) => `\u001b[2K${line}\n`).join('');
    if (countdown === undefined && this.renderedLineCount > this.lines.size) text += '\u001b[2K';
    this.output.write(text);
    this.renderedLineCount = this.lines.size + (countdown === undefined ? 0 : 1);
  }
}

function formatRemaining(milliseconds: number): string {
  const seconds = Math.max(0, Math.ceil(milliseconds / 1000));
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  return `${hours > 0 ? `${hours}:` : ''}${String(minutes).padStart(hours > 0 ? 2 : 1, '0')}:${String(rest).padStart(2, '0')}`;
}

function timestamp(): string {
  return new Date().toISOString().slice(11, 19);
}
