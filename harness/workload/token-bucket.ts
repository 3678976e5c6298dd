/**
 * Rate limiter for the dispatcher. The bucket holds at most ~50 ms worth of tokens: enough that timer
 * granularity (~1 ms) does not cap high rates, small enough that after a stall the workload does not
 * flood the database to "catch up".
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly capacity: number;

  constructor(
    private readonly ratePerSec: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.capacity = Math.max(1, ratePerSec / 20);
    this.tokens = 1;
    this.last = this.now();
  }

  /** Waits for one token. Returns false if `signal` aborted first. A rate of 0 means unlimited. */
  async take(signal?: AbortSignal): Promise<boolean> {
    if (this.ratePerSec <= 0) return !signal?.aborted;
    for (;;) {
      if (signal?.aborted) return false;
      const t = this.now();
      this.tokens = Math.min(this.capacity, this.tokens + ((t - this.last) * this.ratePerSec) / 1000);
      this.last = t;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return true;
      }
      await sleep(Math.max(1, ((1 - this.tokens) * 1000) / this.ratePerSec), signal);
    }
  }
}

/** setTimeout as a promise that resolves early (never rejects) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
