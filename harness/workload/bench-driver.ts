/**
 * Measures the driver against a throwaway local Postgres 15 (not a test: numbers depend on the machine).
 *   npx tsx harness/workload/bench-driver.ts [seconds=10]
 * Prints single-op transactions/s and batched ops/s for a few concurrency/batch settings.
 */
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { runWorkload, type WorkloadSummary } from './driver.ts';
import { HistoryWriter } from '../record/history-file.ts';
import { PRODUCTS_TABLE_DDL, startThrowawayPg, throwawayPgAvailable } from './pg-throwaway.ts';
import { DEFAULT_PROFILE, type WorkloadProfile } from './profile.ts';

interface Case {
  label: string;
  profile: Partial<WorkloadProfile>;
  pipelineDepth?: number;
}

export async function benchDriver(seconds: number, cases: Case[]): Promise<{ label: string; summary: WorkloadSummary }[]> {
  const avail = throwawayPgAvailable();
  if (!avail.ok) throw new Error(avail.reason);
  const db = await startThrowawayPg();
  const dir = join(tmpdir(), `oc-bench-${process.pid}`);
  const out: { label: string; summary: WorkloadSummary }[] = [];
  try {
    const admin = new pg.Client(db.url);
    await admin.connect();
    await admin.query(PRODUCTS_TABLE_DDL);
    for (const c of cases) {
      await admin.query('TRUNCATE products');
      await admin.query('CHECKPOINT');
      const history = await HistoryWriter.open(join(dir, 'history.jsonl'));
      const profile: WorkloadProfile = { ...DEFAULT_PROFILE, ratePerSec: 0, durationMs: seconds * 1000, ...c.profile };
      const cpu0 = process.cpuUsage();
      const pg0 = await db.cpuMs();
      const summary = await runWorkload({ pgUrl: db.url, seed: 1, profile, history, pipelineDepth: c.pipelineDepth ?? 1 });
      await history.close();
      const cpu = process.cpuUsage(cpu0);
      const pgCpuMs = (await db.cpuMs()) - pg0;
      out.push({ label: c.label, summary });
      // CPU per op as well as wall-clock rates: on a shared machine the rates swing with the neighbours' load.
      const per = (ms: number): string => ((ms * 1000) / Math.max(1, summary.opsRecorded)).toFixed(0).padStart(4);
      console.log(
        `${c.label.padEnd(28)} ${summary.opsPerSec.toFixed(0).padStart(6)} ops/s ` +
          `${summary.transactionsPerSec.toFixed(0).padStart(6)} txn/s | CPU µs/op driver ${per((cpu.user + cpu.system) / 1000)} ` +
          `postgres ${per(pgCpuMs)} | ${JSON.stringify(summary.byOutcome)}`,
      );
    }
    await admin.end();
  } finally {
    await db.stop();
    await rm(dir, { recursive: true, force: true });
  }
  return out;
}

const isMain = process.argv[1]?.endsWith('bench-driver.ts');
if (isMain) {
  const seconds = Number(process.argv[2] ?? 10);
  await benchDriver(seconds, [
    { label: 'single-op, concurrency 4', profile: { concurrency: 4, batch: 1 } },
    { label: 'single-op, concurrency 8', profile: { concurrency: 8, batch: 1 } },
    { label: 'single-op, concurrency 16', profile: { concurrency: 16, batch: 1 } },
    { label: 'single-op, c 4, pipeline 16', profile: { concurrency: 4, batch: 1 }, pipelineDepth: 16 },
    { label: 'batch 20, concurrency 4', profile: { concurrency: 4, batch: 20 } },
    { label: 'batch 50, concurrency 4', profile: { concurrency: 4, batch: 50 } },
    { label: 'batch 50, concurrency 8', profile: { concurrency: 8, batch: 50 } },
    { label: 'batch 100, concurrency 2', profile: { concurrency: 2, batch: 100 } },
  ]);
}
