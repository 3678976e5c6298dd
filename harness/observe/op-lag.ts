import type { HistoryEntry } from '../record/history.ts';
import type { Emit } from '../record/samples-file.ts';
import { searchHits } from './es-search.ts';
import { FailureLog, type LogLine } from './failure-log.ts';
import { startLoop } from './loop.ts';
import { OpTracker, type OpTrackerOptions, type OpTrackerStats } from './op-tracker.ts';

export interface OpLagOptions extends OpTrackerOptions {
  esUrl: string;
  index: string;
  emit: Emit;
  log: LogLine;
  /** Search period. Default 100 ms. */
  everyMs?: number;
}

export interface OpLagSummary extends OpTrackerStats {
  searches: number;
  searchFailures: number;
}

export interface OpLagObserver {
  /** Called by the runner for every acknowledged op (others are accepted and only supersede). */
  track(entry: HistoryEntry): void;
  stop(): Promise<OpLagSummary>;
}

/** Visibility lag of a sample of workload ops: one batched ids search per period over all pending ops. */
export function startOpLag(opts: OpLagOptions): OpLagObserver {
  const tracker = new OpTracker(opts);
  const failures = new FailureLog('op-lag', opts.log);
  let searches = 0;

  const loop = startLoop(
    opts.everyMs ?? 100,
    async () => {
      tracker.expire(Date.now());
      const search = tracker.beginSearch();
      if (search.ids.length === 0) return;
      searches++;
      const hits = await searchHits(opts.esUrl, opts.index, {
        size: search.ids.length,
        query: { ids: { values: search.ids } },
        _source: ['name', 'description', 'price'],
      });
      const seenAt = Date.now();
      const docs = new Map(hits.map((h) => [h._id, h._source]));
      for (const s of tracker.observe(search, docs, seenAt)) opts.emit(s);
      failures.ok();
    },
    (e) => failures.fail(e),
  );

  return {
    track: (entry) => {
      try {
        tracker.track(entry);
      } catch (err) {
        failures.fail(err); // a malformed entry must not break the runner's loop
      }
    },
    async stop() {
      await loop.stop();
      return { ...tracker.stats(), searches, searchFailures: failures.failures };
    },
  };
}
