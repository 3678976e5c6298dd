/**
 * A bounded FIFO between the dispatcher and one worker. Bounded so a stalled worker (database down) makes the
 * dispatcher wait instead of buffering the stream in memory.
 */
export class OpQueue<T> {
  private items: T[] = [];
  private head = 0;
  private closed = false;
  private stopped = false;
  private wakeTaker: (() => void) | null = null;
  private wakePusher: (() => void) | null = null;

  constructor(private readonly capacity: number) {}

  get length(): number {
    return this.items.length - this.head;
  }

  /** Waits for room. Returns false when the queue was stopped (the item is dropped). */
  async push(item: T): Promise<boolean> {
    while (this.length >= this.capacity && !this.stopped) {
      await new Promise<void>((resolve) => (this.wakePusher = resolve));
    }
    if (this.stopped) return false;
    this.items.push(item);
    this.wake('taker');
    return true;
  }

  /**
   * Takes exactly `n` items, waiting until they are there, so batches are the same consecutive chunks in every
   * run. Returns fewer only when the queue was closed (end of stream), and [] when stopped or drained.
   */
  async take(n: number): Promise<T[]> {
    while (this.length < n && !this.closed && !this.stopped) {
      await new Promise<void>((resolve) => (this.wakeTaker = resolve));
    }
    if (this.stopped) return [];
    return this.shift(n);
  }

  /** Up to `n` items that are already queued, without waiting. */
  takeAvailable(n: number): T[] {
    return this.stopped ? [] : this.shift(n);
  }

  /** End of stream: takers get what is left, then []. */
  close(): void {
    this.closed = true;
    this.wake('taker');
  }

  /** Abandon: pending and future pushes/takes return at once; queued items are dropped. */
  stop(): void {
    this.stopped = true;
    this.wake('taker');
    this.wake('pusher');
  }

  private shift(n: number): T[] {
    const out = this.items.slice(this.head, this.head + n);
    this.head += out.length;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head); // compact now and then instead of shifting every item
      this.head = 0;
    }
    this.wake('pusher');
    return out;
  }

  private wake(who: 'taker' | 'pusher'): void {
    const fn = who === 'taker' ? this.wakeTaker : this.wakePusher;
    if (who === 'taker') this.wakeTaker = null;
    else this.wakePusher = null;
    fn?.();
  }
}
