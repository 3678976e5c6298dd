import { compare } from '../../harness/check/compare.ts';
import { indexReadingOf } from '../../harness/check/mapping.ts';
import { buildVersions } from '../../harness/check/versions.ts';
import type { Comparison, EsDoc } from '../../harness/record/anomalies.ts';
import type { HistoryEntry, ProductRow } from '../../harness/record/history.ts';
import { WIDE, WIDE_MAPPING, wideDocs, wideHistory, wideRows } from './wide-data.ts';

/** The benchmark's tables: the seed's products (5 columns), or the wide table of wide-data.ts (15 columns). */
export const BENCH_TABLES = ['products', 'wide'] as const;
export type BenchTable = (typeof BENCH_TABLES)[number];

export interface BenchOptions {
  /** Feed compare async generators, as the snapshot readers do (default: sync generators). */
  async?: boolean;
  /** Plant one anomaly of each kind per 30 000 rows (default true). */
  anomalies?: boolean;
  /** Which table (default products). */
  table?: BenchTable;
}

export interface BenchResult {
  table: BenchTable;
  n: number;
  versions: number;
  mode: 'sync' | 'async';
  buildMs: number;
  /** CPU time of the build, history generation included. */
  buildCpuMs: number;
  compareMs: number;
  /** CPU time (user + system) of compare: on a loaded machine, closer to its cost than wall time. */
  compareCpuMs: number;
  /** Rows compared per second. */
  rate: number;
  /** Heap in use after compare, with the versions index still alive. */
  heapUsedMb: number;
  /** Peak resident set size of the whole process so far. */
  maxRssMb: number;
  comparison: Comparison;
}

/**
 * Times the checker on n synthetic products: build the versions index from a history (insert every product,
 * update every third, delete every fiftieth), then compare a Postgres stream with an Elasticsearch stream in
 * Debezium's default encodings (price as a string, created_at as fractional epoch ms). Rows and documents are generated
 * lazily, as the readers produce them, so the measured memory is the checker's, not the fixture's.
 * With `table: 'wide'`, the same on n rows of the wide table (wide-data.ts), read through its index mapping.
 */
export async function benchCompare(n: number, options: BenchOptions = {}): Promise<BenchResult> {
  const anomalies = options.anomalies ?? true;
  const table = options.table ?? 'products';
  const wide = table === 'wide';
  const t0 = performance.now();
  const buildCpu = process.cpuUsage();
  const versions = wide ? buildVersions(wideHistory(n), WIDE) : buildVersions(history(n));
  const t1 = performance.now();
  const built = process.cpuUsage(buildCpu);
  const cpu = process.cpuUsage();
  const rows = wide ? wideRows(n) : pgRows(n);
  const docs = wide ? wideDocs(n, anomalies) : esDocs(n, anomalies);
  const pg = options.async ? toAsync(rows) : rows;
  const es = options.async ? toAsync(docs) : docs;
  const reading = wide ? indexReadingOf(WIDE_MAPPING, [], WIDE) : undefined;
  const comparison = await compare({ versions, pg, es, ...(reading ? { reading } : {}) });
  const t2 = performance.now();
  const used = process.cpuUsage(cpu);
  return {
    table,
    n,
    versions: versions.fingerprints.length,
    mode: options.async ? 'async' : 'sync',
    buildMs: Math.round(t1 - t0),
    buildCpuMs: Math.round((built.user + built.system) / 1000),
    compareMs: Math.round(t2 - t1),
    compareCpuMs: Math.round((used.user + used.system) / 1000),
    rate: Math.round(n / ((t2 - t1) / 1000)),
    heapUsedMb: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    comparison,
  };
}

const T0 = 1_700_000_000_000;

function first(pid: number): ProductRow {
  return {
    product_id: pid,
    name: `Product ${pid} – déjà vu ☕`,
    description:
      pid % 7 === 0 ? null : `A fairly ordinary description of product number ${pid}, long enough to matter.`,
    price: `${(pid % 9999) + 1}.${String(pid % 100).padStart(2, '0')}`,
    created_at: T0 + pid * 1000 + (pid % 1000),
  };
}

function latest(pid: number): ProductRow {
  return pid % 3 === 0 ? { ...first(pid), price: `${(pid % 500) + 1}.99` } : first(pid);
}

const deleted = (pid: number): boolean => pid % 50 === 0;

function* history(n: number): Generator<HistoryEntry> {
  let seq = 0;
  const entry = (pid: number, after: ProductRow | null): HistoryEntry => ({
    seq: seq++,
    kind: after === null ? 'delete' : 'insert',
    worker: 0,
    request: null,
    effects: [{ product_id: pid, after }],
    sendMs: T0 + seq,
    ackMs: T0 + seq,
    outcome: 'ok',
  });
  for (let pid = 1; pid <= n; pid++) yield entry(pid, first(pid));
  for (let pid = 3; pid <= n; pid += 3) yield entry(pid, latest(pid));
  for (let pid = 50; pid <= n; pid += 50) yield entry(pid, null);
}

function* pgRows(n: number): Generator<ProductRow> {
  for (let pid = 1; pid <= n; pid++) if (!deleted(pid)) yield latest(pid);
}

function* esDocs(n: number, anomalies: boolean): Generator<EsDoc> {
  for (let pid = 1; pid <= n; pid++) {
    const planted = anomalies ? pid % 30_000 : -1; // 30 000: a multiple of 3 and 50, so 3 is updated and 50 deleted
    if (planted === 1) continue; // missing
    if (deleted(pid) && planted !== 50) continue; // 50: zombie
    const row = planted === 3 ? first(pid) : latest(pid); // 3: stale
    const doc = encode(row);
    if (planted === 4) doc._source['description'] = '__debezium_unavailable_value'; // corrupt
    yield doc;
    if (planted === 5) yield { ...encode(row), _id: `products+0+${pid}` }; // duplicate
  }
}

function encode(row: ProductRow): EsDoc {
  return {
    _id: String(row.product_id),
    _source: {
      product_id: row.product_id,
      name: row.name,
      description: row.description,
      price: row.price,
      created_at: row.created_at === null ? null : row.created_at + 0.123,
    },
  };
}

async function* toAsync<T>(items: Iterable<T>): AsyncGenerator<T> {
  yield* items;
}
