/**
 * Keeps the last lines of a stream of output, so a chatty test run cannot fill
 * memory while its end (where the failure usually is) is kept for the review.
 */
export class OutputTail {
  private lines: string[] = [];
  private partial = '';

  constructor(
    private readonly maximumLines: number,
    /** Longer lines are cut, so one huge line cannot stand in for the whole tail. */
    private readonly maximumLineLength = 2_000,
  ) {}

  push(chunk: string): void {
    const pieces = (this.partial + chunk).split('\n');
    this.partial = pieces.pop() ?? '';
    for (const piece of pieces) this.lines.push(this.clip(piece));
    if (this.partial.length > this.maximumLineLength * 4) {
      this.lines.push(this.clip(this.partial));
      this.partial = '';
    }
    if (this.lines.length > this.maximumLines * 2) this.lines = this.lines.slice(-this.maximumLines);
  }

  /** The kept lines joined with newlines, the unfinished last line included. */
  text(): string {
    const lines = this.partial === '' ? this.lines : [...this.lines, this.clip(this.partial)];
    return lines.slice(-this.maximumLines).join('\n');
  }

  private clip(line: string): string {
    const withoutReturn = line.endsWith('\r') ? line.slice(0, -1) : line;
    return withoutReturn.length > this.maximumLineLength ? `${withoutReturn.slice(0, this.maximumLineLength)}…` : withoutReturn;
  }
}
