import type { Emit } from '../record/samples-file.ts';
import { startLoop, type Loop } from './loop.ts';

/** Counts ops as the runner reports them and emits an op-rate sample per period. */
export class OpRateMeter {
  private count = 0;
  private since: number;
  private loop: Loop | undefined;

  constructor(
    private readonly emit: Emit,
    private readonly now: () => number = Date.now,
  ) {
    this.since = now();
  }

  add(n = 1): void {
    this.count += n;
  }

  /** Emits the rate over the time since the previous sample (not the nominal period: timers drift). */
  sample(): void {
    const t = this.now();
    const secs = (t - this.since) / 1000;
    if (secs <= 0) return;
    this.emit({ t, kind: 'op-rate', opsPerSec: Math.round((this.count / secs) * 10) / 10 });
    this.count = 0;
    this.since = t;
  }

  start(everyMs = 1000): void {
    this.since = this.now();
    this.loop = startLoop(
      everyMs,
      async () => this.sample(),
      () => undefined,
      { immediate: false },
    );
  }

  async stop(): Promise<void> {
    await this.loop?.stop();
  }
}
