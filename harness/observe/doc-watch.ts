import { AppendCheck } from '../check/appends.ts';
import { keyOrderOf } from '../check/keys.ts';
import { indexReadingOf } from '../check/mapping.ts';
import { readIndexMapping } from '../check/read-es.ts';
import type { Row } from '../model/table.ts';
import type { HistoryEntry } from '../record/history.ts';
import type { Sample } from '../record/samples.ts';
import type { Emit } from '../record/samples-file.ts';
import { searchHits } from './es-search.ts';
import { FailureLog, type LogLine } from './failure-log.ts';
import { startLoop } from './loop.ts';
import { RegressionWatch, type RegressionWatchOptions, type WatchCoverage } from './regression-watch.ts';
import { TableReading, type WatchedTable } from './watched-table.ts';

export interface DocWatchOptions extends Omit<RegressionWatchOptions, 'table'> {
  esUrl: string;
  /** Products' index; a watched table searches its own. */
  index: string;
  /** A definition's own table instead of products: its rows, its index, read through its mapping. */
  table?: WatchedTable;
  emit: Emit;
  log: LogLine;
  /** Search period. Default 250 ms. */
  everyMs?: number;
  /**
   * Where the coverage goes (default: a `doc-watch` sample): several watches sum theirs into one sample, since
   * the report reads the largest coverage sample as the watch's last word.
   */
  coverage?: (t: number, c: WatchCoverage) => void;
}

export interface DocWatchObserver {
  /** Every acknowledged op, in ack order. */
  track(entry: HistoryEntry<Row>): void;
  stop(): Promise<WatchCoverage & { failures: number }>;
}

/** Searches the watched products (or rows of a table) periodically, as a search user, and reports regressions. */
export function startDocWatch(opts: DocWatchOptions): DocWatchObserver {
  if (opts.table) return startTableWatch(opts, opts.table);
  const watch = new RegressionWatch(opts);
  const failures = new FailureLog('doc-watch', opts.log);
  const coverage = opts.coverage ?? ((t, c) => opts.emit({ t, kind: 'doc-watch', ...c }));
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
      if (watch.reads % 20 === 1) coverage(t, watch.coverage());
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
      coverage(Date.now(), watch.coverage());
      return { ...watch.coverage(), failures: failures.failures };
    },
  };
}

/** The watch of a definition's own table: rows by key text, an `ids` search of its index, read by its mapping. */
function startTableWatch(opts: DocWatchOptions, table: WatchedTable): DocWatchObserver {
  // The append check judges every row: a sampled one would say nothing of the rest. A table whose _id is a
  // column's value is searched whole too, its documents told apart by their key fields rather than their _id.
  const appends = table.model.append === undefined ? undefined : new AppendCheck(table.model);
  const byKey = table.model.idColumn === undefined ? undefined : keyOrderOf(table.model);
  const exhaustive = opts.exhaustive || appends !== undefined || byKey !== undefined;
  const watch = new RegressionWatch<string>({ ...opts, table, exhaustive });
  const reading = new TableReading(opts.esUrl, table);
  const failures = new FailureLog(`doc-watch ${table.name}`, opts.log);
  const coverage = opts.coverage ?? ((t, c) => opts.emit({ t, kind: 'doc-watch', ...c }));
  const loop = startLoop(
    opts.everyMs ?? 250,
    async () => {
      const ids = watch.ids();
      if (ids.length === 0) return;
      const t = Date.now();
      try {
        // Documents are read as the checker reads them: by the index's mapping, once it has every column.
        await reading.refresh(t);
        watch.setReading(reading.current);
        const hits = await searchHits(opts.esUrl, table.index, {
          size: watch.exhaustive ? ids.length * 2 : ids.length,
          query: watch.exhaustive ? { match_all: {} } : { ids: { values: ids } },
        });
        const found = new Map<string, Record<string, unknown>>();
        for (const h of hits) {
          const key = byKey ? byKey.ofSource(h._source) : h._id;
          if (key !== undefined) found.set(String(key), h._source);
        }
        for (const s of watch.observe(found, ids, t)) opts.emit(s);
        if (appends)
          for (const id of ids) {
            const a = appends.observe(id, found.get(id), t, reading.current);
            if (a) opts.emit({ ...a, kind: 'append' });
          }
      } catch (e) {
        watch.failedPoll();
        throw e;
      }
      if (watch.reads % 20 === 1) {
        coverage(t, watch.coverage());
        if (appends) opts.emit(appendCoverage(t, table, appends));
      }
      failures.ok();
    },
    (e) => failures.fail(e),
  );
  return {
    track: (entry) => {
      try {
        watch.track(entry);
        appends?.track(entry);
      } catch (err) {
        failures.fail(err);
      }
    },
    async stop() {
      await loop.stop();
      const t = Date.now();
      coverage(t, watch.coverage());
      if (appends) opts.emit(appendCoverage(t, table, appends));
      return { ...watch.coverage(), failures: failures.failures };
    },
  };
}

function appendCoverage(t: number, table: WatchedTable, appends: AppendCheck): Sample {
  const column = table.model.append!;
  return {
    t,
    kind: 'append-watch',
    table: table.name,
    column,
    rows: appends.rowCount,
    observations: appends.observations,
  };
}
