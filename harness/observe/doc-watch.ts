import { indexReadingOf } from '../check/mapping.ts';
import { readIndexMapping } from '../check/read-es.ts';
import type { HistoryEntry } from '../record/history.ts';
import type { Emit } from '../record/samples-file.ts';
import { searchHits } from './es-search.ts';
import { FailureLog, type LogLine } from './failure-log.ts';
import { startLoop } from './loop.ts';
import { RegressionWatch, type RegressionWatchOptions, type WatchCoverage } from './regression-watch.ts';

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
  stop(): Promise<WatchCoverage & { failures: number }>;
}

/** Searches the watched products periodically (what a search user sees) and reports regressions. */
export function startDocWatch(opts: DocWatchOptions): DocWatchObserver {
  const watch = new RegressionWatch(opts);
  const failures = new FailureLog('doc-watch', opts.log);
  let mapped = false;
  const loop = startLoop(
    opts.everyMs ?? 250,
    async () => {
      const ids = watch.ids();
      if (ids.length === 0) return;
      const t = Date.now();
      try {
        // Documents are read as the checker reads them: by the index's mapping (once it has price and created_at).
        if (!mapped) {
          const mapping = await readIndexMapping(opts.esUrl, opts.index);
          const props = mapping?.['properties'] as Record<string, unknown> | undefined;
          if (props && 'price' in props && 'created_at' in props) {
            watch.setReading(indexReadingOf(mapping));
            mapped = true;
          }
        }
      } catch (e) {
        watch.failedPoll();
        throw e;
      }
      // Exhaustive (a small key space): the whole index in one search, cheaper than a list of every id.
      const hits = await searchHits(opts.esUrl, opts.index, {
        size: ids.length * 2,
        query: watch.exhaustive ? { match_all: {} } : { terms: { product_id: ids } },
        _source: ['product_id', 'name', 'description', 'price', 'created_at'],
      }).catch((e: unknown) => {
        watch.failedPoll();
        throw e;
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
