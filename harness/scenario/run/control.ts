import type { RunPhase } from '../../record/timeline.ts';
import { warn } from '../../util/log.ts';
import type { RunContext } from './context.ts';
import { describeAbort, interruptible, RunInterrupted, type Interruption } from './interrupt.ts';

/** Phases that always run to their end: the workload stops itself on the abort, heal and report must finish. */
const UNINTERRUPTIBLE: readonly RunPhase[] = ['workload', 'heal', 'report'];

/**
 * The runner's own state while phases run: which phase is on, and the interruption that cut the run short.
 * Only the runner holds it; phases see the abort through the context's signal.
 */
export class RunControl {
  /** The phase now running. */
  phase: RunPhase = 'register';
  interruption?: Interruption;

  constructor(private readonly ctx: RunContext) {}

  mark(name: RunPhase): void {
    this.phase = name;
    this.ctx.timeline.record({ t: Date.now(), kind: 'phase', name });
  }

  /** Marks the phase in the timeline, then runs it; any other phase is skipped or abandoned once interrupted. */
  async run<T>(name: RunPhase, fn: () => Promise<T>): Promise<T> {
    const always = UNINTERRUPTIBLE.includes(name);
    if (this.interruption && !always) throw new RunInterrupted(this.interruption.reason);
    this.mark(name);
    return always ? fn() : interruptible(this.ctx.abort.signal, fn);
  }

  /**
   * Turns the caller's abort and the provider's word that a service went away into one interruption of the
   * run (the first one wins), noted in the timeline. Returns a function that stops watching.
   */
  watch(): () => void {
    const { ctx } = this;
    const interrupt = (reason: string, failure?: Interruption['failure']): void => {
      if (this.interruption) return;
      this.interruption = { reason, during: this.phase, ...(failure ? { failure } : {}) };
      ctx.timeline.record({ t: Date.now(), kind: 'note', message: `interrupted during ${this.phase}: ${reason}` });
      ctx.progress.done();
      warn(
        `${failure ? 'service failure' : 'interrupted'} during ${this.phase}: ${reason};` +
          ` healing every fault, then writing a partial report`,
      );
      ctx.abort.abort(reason);
    };
    const signal = ctx.o.signal;
    const onAbort = () => interrupt(describeAbort(signal?.reason));
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    const unwatch = ctx.provider.watch?.((f) => interrupt(f.message, f));
    return () => {
      signal?.removeEventListener('abort', onAbort);
      unwatch?.();
    };
  }
}
