/** A periodic task that never overlaps itself and never lets an error or a hung call escape. */
export interface Loop {
  /** Stops scheduling; waits for an iteration in flight, but at most `graceMs` (a hung call is abandoned). */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Runs `run` every `intervalMs` at a fixed rate (start to start). When an iteration overruns, the next starts
 * at once and missed ticks are skipped rather than bunched. Errors go to `onError`.
 */
export function startLoop(
  intervalMs: number,
  run: () => Promise<void>,
  onError: (err: unknown) => void,
  opts: { immediate?: boolean } = {},
): Loop {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;
  const immediate = opts.immediate ?? true;
  let nextAt = Date.now() + (immediate ? 0 : intervalMs);

  const tick = (): void => {
    timer = undefined;
    if (stopped) return;
    nextAt += intervalMs;
    inFlight = Promise.resolve()
      .then(run) // a synchronous throw becomes a rejection too
      .catch(onError)
      .finally(() => {
        inFlight = undefined;
        if (stopped) return;
        const now = Date.now();
        if (nextAt < now) nextAt = now;
        timer = setTimeout(tick, nextAt - now);
      });
  };
  timer = setTimeout(tick, nextAt - Date.now());

  return {
    async stop(graceMs = 2000): Promise<void> {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (!inFlight) return;
      let grace: NodeJS.Timeout | undefined;
      await Promise.race([inFlight, new Promise<void>((r) => (grace = setTimeout(r, graceMs)))]);
      clearTimeout(grace);
    },
  };
}
