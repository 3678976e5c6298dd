import { EnvError } from '../util/errors.ts';
import { logTail } from './processes.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `probe` until it returns a value or the deadline passes. On expiry the error says what was awaited
 * and shows the last lines of the service log, which is nearly always where the reason is.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  opts: { timeoutMs: number; intervalMs?: number; logFile?: string; alive?: () => boolean },
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  let lastErr = '';
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== null && v !== false) return v;
    } catch (err) {
      lastErr = err instanceof Error ? err.message : String(err);
    }
    if (opts.alive && !opts.alive()) {
      throw new EnvError(
        `${what}: the process exited`,
        `see ${opts.logFile ?? 'its log'}`,
        opts.logFile ? logTail(opts.logFile) : lastErr,
      );
    }
    if (Date.now() > deadline) {
      throw new EnvError(
        `timed out after ${Math.round(opts.timeoutMs / 1000)} s waiting for ${what}` +
          `${lastErr ? ` (last error: ${lastErr})` : ''}`,
        opts.logFile ? `see ${opts.logFile}` : undefined,
        opts.logFile ? logTail(opts.logFile) : undefined,
      );
    }
    await sleep(opts.intervalMs ?? 250);
  }
}
