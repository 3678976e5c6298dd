/**
 * Pipeline throughput at saturation, commit → searchable: insert `rows` products into Postgres as fast as
 * one connection can (batches of `batchRows` per transaction, generated server-side), then time until a
 * search counts all of them in Elasticsearch. The topic's end offset is watched too, so the time splits into
 * the source half (WAL → Debezium → Kafka) and the sink half (Kafka → sink → ES, refresh included).
 */
import { Kafka, logLevel, type Admin } from 'kafkajs';
import pg from 'pg';
import { registeredNames } from '../../harness/pipeline/lifecycle.ts';
import type { Stack } from '../../harness/provider/local-stack.ts';
import { counterDelta, esCount, esNodeCounters, type EsNodeCounters } from './es.ts';
import { load1, sleep } from './measure.ts';
import { cpuMsByGroup, selfCpuMs } from './proc-cpu.ts';

export interface SaturationOptions {
  rows: number;
  batchRows?: number;
  table?: string;
  index?: string;
  /** ES _count poll period (default 100 ms). */
  pollMs?: number;
  timeoutMs?: number;
  label?: string;
}

export interface SaturationResult {
  label: string;
  /** 1-minute load average when the run started. */
  load1: number;
  rows: number;
  batchRows: number;
  /** First INSERT sent → last commit acknowledged. */
  insertMs: number;
  /** First INSERT sent → the first of the rows searchable. */
  firstVisibleMs: number;
  /** First INSERT sent → all rows searchable (null: timed out). */
  allVisibleMs: number | null;
  /** rows / allVisibleMs: the commit → searchable figure. */
  eventsPerSec: number | null;
  /** Rate between 20 % and 80 % of the rows searchable: the pipeline's pace once it is flowing. */
  steadyEventsPerSec: number | null;
  /** First INSERT sent → all rows' events in the Kafka topic (null: not observed). */
  kafkaAllMs: number | null;
  /** rows / kafkaAllMs: the source half alone. */
  sourceEventsPerSec: number | null;
  /** CPU ms per program (and this process) from the first INSERT until all rows were searchable. */
  cpuMs: Record<string, number>;
  /** Elasticsearch's node counters over the run: bulk shard requests, docs indexed, refreshes, searches. */
  es?: EsNodeCounters & { docsPerBulk: number | null };
  /** (ms since the first INSERT, rows searchable), as polled. */
  curve: [number, number][];
}

async function nextIdBase(c: pg.Client, table: string): Promise<number> {
  // Above the workload's range (1e6 … 1.01e8) and below int4's maximum; grows across runs on one table.
  const floor = 1_500_000_000;
  const r = await c.query<{ m: string | null }>(
    `SELECT max(product_id)::text AS m FROM "${table}" WHERE product_id >= $1`,
    [floor],
  );
  return r.rows[0]?.m ? Number(r.rows[0].m) + 1 : floor;
}

async function kafkaAdmin(bootstrap: string): Promise<Admin | undefined> {
  const admin = new Kafka({
    clientId: 'outbox-chaos-bench',
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    requestTimeout: 5000,
    retry: { retries: 1 },
  }).admin();
  try {
    await admin.connect();
    return admin;
  } catch {
    return undefined;
  }
}

export async function saturate(stack: Stack, o: SaturationOptions): Promise<SaturationResult> {
  const ep = stack.endpoints;
  const table = o.table ?? 'products';
  const index = o.index ?? 'products';
  const batchRows = o.batchRows ?? 1000;
  const pollMs = o.pollMs ?? 100;
  const timeoutMs = o.timeoutMs ?? 300_000;
  const names = await registeredNames(ep);
  const topic = `${names.topicPrefix}.public.${table}`;
  const c = new pg.Client({ ...ep.pg, connectionTimeoutMillis: 5000 });
  await c.connect();
  try {
    const base = await nextIdBase(c, table);
    const query = { range: { product_id: { gte: base, lt: base + o.rows } } };
    const admin = await kafkaAdmin(ep.kafkaBootstrap);
    const topicEnd = async (): Promise<number> => {
      if (!admin) throw new Error('no Kafka admin');
      return (await admin.fetchTopicOffsets(topic)).reduce((s, p) => s + Number(p.high), 0);
    };
    const kafka0 = await topicEnd().catch(() => undefined);
    const pids = Object.fromEntries(Object.entries(stack.services).map(([k, s]) => [k, s.pid]));
    const cpu0 = cpuMsByGroup(pids);
    const self0 = selfCpuMs();
    const es0 = await esNodeCounters(ep.esUrl);

    const startLoad = load1();
    const t0 = Date.now();
    let insertMs = 0;
    const inserting = (async () => {
      for (let from = base; from < base + o.rows; from += batchRows) {
        const to = Math.min(base + o.rows, from + batchRows) - 1;
        await c.query(
          `INSERT INTO "${table}" (product_id, name, description, price) SELECT g, 'saturation ' || g, ` +
            "'bench row ' || g || ', a description of ordinary length for a product', (g % 1000) + 0.99 " +
            'FROM generate_series($1::int, $2::int) g',
          [from, to],
        );
      }
      insertMs = Date.now() - t0;
    })();

    // The topic also carries heartbeats and probe updates: "all in Kafka" = the end offset moved by ≥ rows.
    let kafkaAllMs: number | null = null;
    let stopKafka = false;
    const watchingKafka = (async () => {
      if (kafka0 === undefined) return;
      while (!stopKafka && Date.now() - t0 < timeoutMs) {
        const end = await topicEnd().catch(() => undefined);
        if (end !== undefined && end - kafka0 >= o.rows) {
          kafkaAllMs = Date.now() - t0;
          return;
        }
        await sleep(200);
      }
    })();

    const curve: [number, number][] = [];
    let firstVisibleMs = -1;
    let allVisibleMs: number | null = null;
    while (Date.now() - t0 < timeoutMs) {
      const n = await esCount(ep.esUrl, index, query).catch(() => undefined);
      const at = Date.now() - t0;
      if (n !== undefined) {
        if (curve.length === 0 || curve[curve.length - 1]![1] !== n) curve.push([at, n]);
        if (n > 0 && firstVisibleMs < 0) firstVisibleMs = at;
        if (n >= o.rows) {
          allVisibleMs = at;
          break;
        }
      }
      await sleep(pollMs);
    }
    const cpu1 = cpuMsByGroup(pids);
    const self1 = selfCpuMs();
    const esd = counterDelta(es0, await esNodeCounters(ep.esUrl));
    await inserting;
    stopKafka = true;
    await watchingKafka;
    await admin?.disconnect().catch(() => undefined);
    const at = (frac: number): number | undefined => curve.find(([, n]) => n >= frac * o.rows)?.[0];
    const t20 = at(0.2);
    const t80 = at(0.8);
    const cpuMs: Record<string, number> = { harness: Math.round(self1 - self0) };
    for (const k of Object.keys(cpu1)) cpuMs[k] = Math.round((cpu1[k] ?? 0) - (cpu0[k] ?? 0));
    return {
      label: o.label ?? '',
      load1: startLoad,
      rows: o.rows,
      batchRows,
      insertMs,
      firstVisibleMs,
      allVisibleMs,
      eventsPerSec: allVisibleMs ? Math.round((o.rows * 1000) / allVisibleMs) : null,
      steadyEventsPerSec:
        t20 !== undefined && t80 !== undefined && t80 > t20 ? Math.round((0.6 * o.rows * 1000) / (t80 - t20)) : null,
      kafkaAllMs,
      sourceEventsPerSec: kafkaAllMs ? Math.round((o.rows * 1000) / kafkaAllMs) : null,
      cpuMs,
      ...(esd ? { es: { ...esd, docsPerBulk: esd.writeTasks ? Math.round(esd.indexed / esd.writeTasks) : null } } : {}),
      curve,
    };
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** Rows per saturation run. */
export function saturationRows(quick: boolean): number {
  return quick ? 10_000 : 50_000;
}
