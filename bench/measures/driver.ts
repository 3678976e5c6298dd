/**
 * Workload driver throughput against Postgres: single-op transactions/s and batched ops/s. The database is a
 * throwaway Postgres 15 cluster with the stack's Postgres settings (fsync off, wal_level=logical, 256 MB
 * shared buffers), so the figure is what the driver can push into a stack, without Debezium, Kafka and
 * Elasticsearch competing for the two cores. The operation mix is the default profile's (5 % of
 * descriptions ≥ 8 KB, transactions, deletes, hot-key bursts): the figure is for the real workload, not for
 * trivial inserts.
 */
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { HistoryWriter } from '../../harness/record/history-file.ts';
import { runWorkload, type WorkloadSummary } from '../../harness/workload/driver.ts';
import { DEFAULT_PROFILE, type WorkloadProfile } from '../../harness/workload/profile.ts';
import { PRODUCTS_TABLE_DDL, startThrowawayPg, throwawayPgAvailable } from '../../test/fixtures/pg-throwaway.ts';
import { load1, metric, type BenchContext, type Measure, type MeasureOutput } from '../lib/measure.ts';

/** The stack's Postgres settings (harness/stack/services/postgres.ts) that matter for write throughput. */
const STACK_LIKE_SETTINGS = {
  wal_level: 'logical',
  fsync: 'off',
  full_page_writes: 'off',
  shared_buffers: '256MB',
  max_connections: 200,
  max_wal_senders: 10,
  max_replication_slots: 10,
};

/** A port of the benchmark's own block (others use 17400–17999); the throwaway falls back to any free one. */
export const DRIVER_PG_PORT = 18_890;

interface Case {
  id: 'batched' | 'single';
  profile: Partial<WorkloadProfile>;
}

// The fastest settings of a sweep over connections and batch sizes on this machine class; 4 connections keep
// the two cores busy without making Postgres thrash on lock waits.
const CASES: Case[] = [
  { id: 'batched', profile: { concurrency: 4, batch: 50 } },
  { id: 'single', profile: { concurrency: 8, batch: 1 } },
];

interface RunDetail {
  run: number;
  load1: number;
  case: Case['id'];
  opsPerSec: number;
  txnPerSec: number;
  ops: number;
  byOutcome: WorkloadSummary['byOutcome'];
  driverCpuUsPerOp: number;
  postgresCpuUsPerOp: number;
}

export const driverMeasure: Measure = {
  name: 'driver',
  title: 'workload driver → Postgres',
  needsStack: false,
  async run(ctx: BenchContext): Promise<MeasureOutput> {
    const avail = throwawayPgAvailable();
    if (!avail.ok) throw new Error(`no Postgres for the driver benchmark: ${avail.reason}`);
    const seconds = ctx.quick ? 3 : 10;
    const db = await startThrowawayPg({ port: DRIVER_PG_PORT, settings: STACK_LIKE_SETTINGS });
    const dir = join(tmpdir(), `oc-bench-driver-${process.pid}`);
    const details: RunDetail[] = [];
    try {
      const admin = new pg.Client(db.url);
      await admin.connect();
      try {
        await admin.query(PRODUCTS_TABLE_DDL);
        for (let run = 1; run <= ctx.runs; run++) {
          for (const c of CASES) {
            await admin.query('TRUNCATE products');
            await admin.query('CHECKPOINT');
            const history = await HistoryWriter.open(join(dir, `history-${run}-${c.id}.jsonl`));
            const profile: WorkloadProfile = {
              ...DEFAULT_PROFILE,
              ratePerSec: 0,
              durationMs: seconds * 1000,
              ...c.profile,
            };
            const startLoad = load1();
            const cpu0 = process.cpuUsage();
            const pg0 = await db.cpuMs();
            const s = await runWorkload({ pgUrl: db.url, seed: run, profile, history });
            await history.close();
            const cpu = process.cpuUsage(cpu0);
            const pgCpuMs = (await db.cpuMs()) - pg0;
            const perOp = (ms: number): number => Math.round((ms * 1000) / Math.max(1, s.opsRecorded));
            const d: RunDetail = {
              run,
              load1: startLoad,
              case: c.id,
              opsPerSec: Math.round(s.opsPerSec),
              txnPerSec: Math.round(s.transactionsPerSec),
              ops: s.opsRecorded,
              byOutcome: s.byOutcome,
              driverCpuUsPerOp: perOp((cpu.user + cpu.system) / 1000),
              postgresCpuUsPerOp: perOp(pgCpuMs),
            };
            details.push(d);
            ctx.log(
              `  driver run ${run} ${c.id}: ${d.opsPerSec} ops/s, ${d.txnPerSec} txn/s ` +
                `(CPU µs/op: driver ${d.driverCpuUsPerOp}, postgres ${d.postgresCpuUsPerOp})`,
            );
            await rm(join(dir, `history-${run}-${c.id}.jsonl`), { force: true });
          }
        }
      } finally {
        await admin.end();
      }
    } finally {
      await db.stop();
      await rm(dir, { recursive: true, force: true });
    }
    const of = (id: Case['id']): RunDetail[] => details.filter((d) => d.case === id);
    return {
      metrics: [
        metric(
          'driver.batched',
          'driver, batched transactions (4 conns × 50 ops/txn)',
          'ops/s',
          of('batched').map((d) => d.opsPerSec),
          { kind: 'min', value: 5000 },
          undefined,
          of('batched').map((d) => d.load1),
        ),
        metric(
          'driver.single',
          'driver, single-op transactions (8 conns)',
          'txn/s',
          of('single').map((d) => d.txnPerSec),
          { kind: 'min', value: 1000 },
          undefined,
          of('single').map((d) => d.load1),
        ),
      ],
      details: { seconds, postgres: STACK_LIKE_SETTINGS, cases: CASES, runs: details },
    };
  },
};
