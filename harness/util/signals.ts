import { info } from './log.ts';

/**
 * Cleanups to run on Ctrl-C / SIGTERM: whatever the command started is stopped before the process exits.
 * A second Ctrl-C exits at once.
 */
const cleanups: (() => Promise<void>)[] = [];
let installed = false;
let stopping = false;

export function onInterrupt(fn: () => Promise<void>): () => void {
  cleanups.push(fn);
  if (!installed) {
    installed = true;
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.on(sig, () => {
        if (stopping) process.exit(130);
        stopping = true;
        info(`\n${sig}: stopping what this command started (Ctrl-C again to exit at once)…`);
        void (async () => {
          for (const c of [...cleanups].reverse()) await c().catch(() => undefined);
          process.exit(130);
        })();
      });
    }
  }
  return () => {
    const i = cleanups.indexOf(fn);
    if (i >= 0) cleanups.splice(i, 1);
  };
}
