/**
 * history.jsonl: one HistoryEntry per line, seq = position in the file. Entries are buffered and written in
 * large chunks (an op is ~200 bytes, a TOAST one ~20 KB; a write per op would cost more than the op), and the
 * buffer is flushed at least every `flushMs` so a crashed run loses only the last moments.
 */
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { HistoryEntry } from './history.ts';

export type NewHistoryEntry = Omit<HistoryEntry, 'seq'>;

export interface HistoryWriterOptions {
  /** Flush when this many bytes are buffered (default 256 KiB). */
  chunkBytes?: number;
  /** Flush at least this often while entries are pending (default 200 ms). */
  flushMs?: number;
  /** Called with every entry as it is appended (e.g. to sample ops for visibility lag). */
  onEntry?: (entry: HistoryEntry) => void;
}

export class HistoryWriter {
  private readonly stream: WriteStream;
  private readonly chunkBytes: number;
  private readonly flushMs: number;
  private readonly onEntry: ((entry: HistoryEntry) => void) | undefined;
  private lines: string[] = [];
  private bufferedBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private error: Error | null = null;
  private closed = false;
  private seq = 0;
  private listenerFailed = false;

  /** Creates the parent directory and opens (truncates) the file. */
  static async open(path: string, options: HistoryWriterOptions = {}): Promise<HistoryWriter> {
    await mkdir(dirname(path), { recursive: true });
    const w = new HistoryWriter(path, options);
    await new Promise<void>((resolve, reject) => {
      w.stream.once('open', () => resolve());
      w.stream.once('error', reject);
    });
    return w;
  }

  constructor(
    readonly path: string,
    options: HistoryWriterOptions = {},
  ) {
    this.chunkBytes = options.chunkBytes ?? 256 * 1024;
    this.flushMs = options.flushMs ?? 200;
    this.onEntry = options.onEntry;
    this.stream = createWriteStream(path, { flags: 'w', highWaterMark: 1024 * 1024 });
    this.stream.on('error', (e) => {
      this.error ??= e;
    });
  }

  /** Entries appended so far (= the next seq). */
  get count(): number {
    return this.seq;
  }

  /** Assigns the next seq and buffers the line. Synchronous so concurrent workers get a total order. */
  append(entry: NewHistoryEntry): HistoryEntry {
    if (this.error) throw this.error;
    if (this.closed) throw new Error(`history ${this.path} is closed`);
    const full: HistoryEntry = { seq: this.seq++, ...entry };
    const line = `${JSON.stringify(full)}\n`;
    this.lines.push(line);
    this.bufferedBytes += line.length;
    if (this.bufferedBytes >= this.chunkBytes) this.flushNow();
    else this.timer ??= setTimeout(() => this.flushNow(), this.flushMs).unref();
    if (this.onEntry) {
      // A listener's bug must not cost history entries: report it once and keep recording.
      try {
        this.onEntry(full);
      } catch (e) {
        if (!this.listenerFailed) console.warn(`history ${this.path}: onEntry listener threw: ${String(e)}`);
        this.listenerFailed = true;
      }
    }
    return full;
  }

  /** Resolves once the file stream has room again; await it now and then to bound memory under a slow disk. */
  async ready(): Promise<void> {
    if (this.error) throw this.error;
    if (!this.stream.writableNeedDrain) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.stream.off('drain', done);
        this.stream.off('error', done);
        resolve();
      };
      this.stream.once('drain', done);
      this.stream.once('error', done);
    });
    if (this.error) throw this.error;
  }

  /** Hands everything buffered to the OS. */
  async flush(): Promise<void> {
    this.flushNow();
    await this.ready();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.flushNow();
    this.closed = true;
    await new Promise<void>((resolve) => {
      this.stream.end(() => resolve());
      this.stream.once('error', () => resolve());
    });
    if (this.error) throw this.error;
  }

  private flushNow(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.lines.length === 0 || this.closed) return;
    const chunk = this.lines.join('');
    this.lines = [];
    this.bufferedBytes = 0;
    this.stream.write(chunk);
  }
}

export interface ReadHistoryOptions {
  /**
   * A run that crashed mid-write leaves a last line without its newline. By default that fragment is skipped
   * (it is the only line that can be partial); set false to throw instead.
   */
  skipTruncatedTail?: boolean;
}

/** Streams the entries of a history.jsonl back, in file order, without loading the file into memory. */
export async function* readHistory(path: string, options: ReadHistoryOptions = {}): AsyncGenerator<HistoryEntry> {
  const skipTail = options.skipTruncatedTail ?? true;
  let rest = '';
  let lineNo = 0;
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1024 * 1024 })) {
    const text = rest + (chunk as string);
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      const line = text.slice(start, nl);
      start = nl + 1;
      lineNo++;
      if (line.trim() !== '') yield parseLine(path, lineNo, line);
    }
    rest = text.slice(start);
  }
  if (rest.trim() !== '') {
    lineNo++;
    try {
      yield parseLine(path, lineNo, rest);
    } catch (e) {
      if (!skipTail) throw e;
    }
  }
}

function parseLine(path: string, lineNo: number, line: string): HistoryEntry {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (e) {
    throw new Error(`${path}:${lineNo}: not JSON (${(e as Error).message})`);
  }
  if (typeof v !== 'object' || v === null) throw new Error(`${path}:${lineNo}: not an object`);
  const o = v as Record<string, unknown>;
  if (
    typeof o['seq'] !== 'number' ||
    typeof o['kind'] !== 'string' ||
    typeof o['outcome'] !== 'string' ||
    !Array.isArray(o['effects'])
  ) {
    throw new Error(`${path}:${lineNo}: not a history entry (needs seq, kind, outcome, effects)`);
  }
  return v as HistoryEntry;
}
