import type { ServiceFailure } from '../../provider/interface.ts';
import type { RunPhase } from '../../record/timeline.ts';

/** Why a run stopped before its end: a signal (Ctrl-C, SIGTERM), or a service that went away. */
export interface Interruption {
  reason: string;
  during: RunPhase;
  /** Set when a service went away: the run then fails with it (exit 3) once its faults are healed. */
  failure?: ServiceFailure;
}

/** Thrown out of a phase the run abandons on an interruption; the runner catches it and heals. */
export class RunInterrupted extends Error {}

/** An abort's reason for humans: a signal name from the CLI, or whatever the caller gave. */
export function describeAbort(reason: unknown): string {
  if (reason === 'SIGINT') return 'SIGINT (Ctrl-C)';
  if (typeof reason === 'string') return reason;
  if (reason instanceof Error && reason.name !== 'AbortError') return reason.message;
  return 'the caller aborted the run';
}

/**
 * Resolves or rejects as `fn` does, or rejects with RunInterrupted as soon as `signal` aborts. What `fn`
 * started is left to finish on its own: the phases raced this way only read, or set up what the next run
 * resets anyway.
 */
export function interruptible<T>(signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
  if (signal.aborted) return Promise.reject(new RunInterrupted(describeAbort(signal.reason)));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new RunInterrupted(describeAbort(signal.reason)));
    signal.addEventListener('abort', onAbort, { once: true });
    fn()
      .then(resolve, reject)
      .finally(() => signal.removeEventListener('abort', onAbort));
  });
}
