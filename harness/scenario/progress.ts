/**
 * One live status line on a terminal (rewritten in place), or a plain line every few seconds when stderr is
 * not a TTY (CI logs), so long runs always show phase, ops, lag and time left.
 */
export class ProgressLine {
  private last = 0;
  private shown = false;
  private readonly tty = Boolean(process.stderr.isTTY) && !process.env.CI;

  update(text: string): void {
    const now = Date.now();
    if (this.tty) {
      process.stderr.write(`\r\x1b[2K${text}`);
      this.shown = true;
    } else if (now - this.last >= 5000) {
      process.stderr.write(`${text}\n`);
      this.last = now;
    }
  }

  done(): void {
    if (this.tty && this.shown) process.stderr.write('\n');
    this.shown = false;
  }
}

export function fmtMs(ms: number | undefined | null): string {
  if (ms === undefined || ms === null) return '–';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
