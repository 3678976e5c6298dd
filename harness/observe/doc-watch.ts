import type { HistoryEntry } from '../record/history.ts';
import type { Emit } from '../record/samples-file.ts';
import { searchHits } from './es-search.ts';
import { FailureLog, type LogLine } from './failure-log.ts';
import { startLoop } from './loop.ts';
import { RegressionWatch, type RegressionWatchOptions } from './regression-watch.ts';

export interface DocWatchOptions extends RegressionWatchOptions {
  esUrl: string;
  index: string;
  emit: Emit;
  log: LogLine;
  /** Search period. Default 250 ms. */
  everyMs?: number;
}

export interface DocWatchObserver {
  /** Every acknowledged op, in ack order. */
  track(entry: HistoryEntry): void;
  stop(): Promise<{ products: number; reads: number; failures: number }>;
}

/** Searches the watched products periodically (what a search user sees) and reports regressions. */
export function startDocWatch(opts: DocWatchOptions): DocWatchObserver {
  const watch = new RegressionWatch(opts);
  const failures = new FailureLog('doc-watch', opts.log);
  const loop = startLoop(
    opts.everyMs ?? 250,
    async () => {
      const ids = watch.ids();
      if (ids.length === 0) return;
      const t = Date.now();
      const hits = await searchHits(opts.esUrl, opts.index, {
        size: ids.length * 2,
        query: { terms: { product_id: ids } },
        _source: ['product_id', 'name', 'description', 'price', 'created_at'],
      });
      const found = new Map<number, Record<string, unknown>>();
      for (const h of hits) found.set(Number(h._source['product_id']), h._source);
      for (const s of watch.observe(found, ids, t)) opts.emit(s);
      if (watch.reads % 20 === 1) opts.emit({ t, kind: 'doc-watch', ...watch.coverage() });
      failures.ok();
    },
    (e) => failures.fail(e),
  );
  return {
    track: (entry) => {
      try {
        watch.track(entry);
      } catch (err) {
        failures.fail(err);
      }
    },
    async stop() {
      await loop.stop();
      opts.emit({ t: Date.now(), kind: 'doc-watch', ...watch.coverage() });
      return { ...watch.coverage(), failures: failures.failures };
    },
  };
}
