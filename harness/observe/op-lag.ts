import type { Row } from '../model/table.ts';
import type { HistoryEntry } from '../record/history.ts';
import type { Emit } from '../record/samples-file.ts';
import { searchHits } from './es-search.ts';
import { FailureLog, type LogLine } from './failure-log.ts';
import { startLoop } from './loop.ts';
import { OpTracker, type OpTrackerOptions, type OpTrackerStats } from './op-tracker.ts';
import { TableReading, type WatchedTable } from './watched-table.ts';

export interface OpLagOptions extends Omit<OpTrackerOptions, 'table'> {
  esUrl: string;
  /** Products' index; a watched table searches its own. */
  index: string;
  /** A definition's own table instead of products: its effects, its index, read through its mapping. */
  table?: WatchedTable;
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
  track(entry: HistoryEntry<Row>): void;
  stop(): Promise<OpLagSummary>;
}

/**
 * Visibility lag of a sample of workload ops: one batched ids search per period over all pending ops (of
 * products, or of one watched table: one observer per table).
 */
export function startOpLag(opts: OpLagOptions): OpLagObserver {
  const t = opts.table;
  const reading = t ? new TableReading(opts.esUrl, t) : undefined;
  const tracker = new OpTracker({
    sampleEvery: opts.sampleEvery,
    maxPending: opts.maxPending,
    maxAgeMs: opts.maxAgeMs,
    ...(t && reading ? { table: { model: t.model, reading: () => reading.current } } : {}),
  });
  const failures = new FailureLog(t ? `op-lag ${t.name}` : 'op-lag', opts.log);
  const index = t ? t.index : opts.index;
  // Products' documents are compared on these; a table's on every compared column.
  const fields = t ? t.model.columns.filter((c) => c.lossy === undefined).map((c) => c.name) : PRODUCT_FIELDS;
  let searches = 0;

  const loop = startLoop(
    opts.everyMs ?? 100,
    async () => {
      tracker.expire(Date.now());
      const search = tracker.beginSearch();
      if (search.ids.length === 0) return;
      searches++;
      await reading?.refresh();
      const hits = await searchHits(opts.esUrl, index, {
        size: search.ids.length,
        query: { ids: { values: search.ids } },
        _source: fields,
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

const PRODUCT_FIELDS = ['name', 'description', 'price'];
