import { mkdirSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Sample } from './samples.ts';

/** Where observers put their samples. */
export type Emit = (s: Sample) => void;

export interface SampleWriterOptions {
  /** Flush at least this often. Default 250 ms. */
  flushMs?: number;
  /** Flush early when this many lines are buffered. Default 500. */
  batchLines?: number;
  /** Lines kept while the disk refuses them; the oldest go first beyond it. Default 100 000. */
  maxBuffered?: number;
  onError?: (err: unknown) => void;
}

/**
 * Appends samples to a JSON-lines file, buffered: observers emit at up to ~40 lines/s and must never wait on
 * the disk. Appends are serialised, so lines keep their emission order.
 */
export class SampleWriter {
  private buffer: string[] = [];
  private chain: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;
  private closed = false;
  written = 0;
  dropped = 0;

  constructor(
    readonly path: string,
    private readonly opts: SampleWriterOptions = {},
  ) {
    mkdirSync(dirname(path), { recursive: true });
    this.timer = setInterval(() => void this.flush(), opts.flushMs ?? 250);
  }

  readonly write: Emit = (s) => {
    if (this.closed) return;
    this.buffer.push(JSON.stringify(s));
    const max = this.opts.maxBuffered ?? 100_000;
    if (this.buffer.length > max) {
      this.dropped += this.buffer.length - max;
      this.buffer.splice(0, this.buffer.length - max);
    }
    if (this.buffer.length >= (this.opts.batchLines ?? 500)) void this.flush();
  };

  /** Resolves when everything buffered so far is on disk (or failed and was put back). */
  flush(): Promise<void> {
    this.chain = this.chain.then(async () => {
      if (this.buffer.length === 0) return;
      const lines = this.buffer;
      this.buffer = [];
      try {
        await appendFile(this.path, lines.join('\n') + '\n');
        this.written += lines.length;
      } catch (err) {
        this.buffer = lines.concat(this.buffer); // retried at the next flush
        this.opts.onError?.(err);
      }
    });
    return this.chain;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.flush();
    this.dropped += this.buffer.length; // the last flush failed: nobody will retry it
    this.buffer = [];
  }
}
