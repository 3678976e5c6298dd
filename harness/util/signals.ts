import { constants } from 'node:os';
import { info } from './log.ts';

/**
 * Cleanups to run on Ctrl-C / SIGTERM / SIGHUP: whatever the command started is healed and stopped before
 * the process exits, with 128 + the signal's number (130 for Ctrl-C). A second signal exits at once.
 */
type Cleanup = (signal: NodeJS.Signals) => Promise<void>;
const cleanups: Cleanup[] = [];
let installed = false;
let stopping = false;

export function exitCodeFor(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 2);
}

export function onInterrupt(fn: Cleanup): () => void {
  cleanups.push(fn);
  if (!installed) {
    installed = true;
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.on(sig, () => {
        if (stopping) process.exit(exitCodeFor(sig));
        stopping = true;
        info(`\n${sig}: stopping what this command started (Ctrl-C again to exit at once)…`);
        void (async () => {
          for (const c of [...cleanups].reverse()) await c(sig).catch(() => undefined);
          process.exit(exitCodeFor(sig));
        })();
      });
    }
  }
  return () => {
    const i = cleanups.indexOf(fn);
    if (i >= 0) cleanups.splice(i, 1);
  };
}

/**
 * For a command that runs scenarios: Ctrl-C or SIGTERM aborts `signal`, and the process exits only once
 * `release()` says the command has healed its faults, written its partial report and stopped what it started.
 */
export function interruptGuard(): { signal: AbortSignal; release: () => void } {
  const abort = new AbortController();
  let settle = (): void => undefined;
  const settled = new Promise<void>((resolve) => (settle = resolve));
  const off = onInterrupt(async (sig) => {
    abort.abort(sig);
    await settled;
  });
  return {
    signal: abort.signal,
    release: () => {
      off();
      settle();
    },
  };
}
