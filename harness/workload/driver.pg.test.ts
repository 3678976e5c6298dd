/**
 * The driver against a real, throwaway Postgres 15 cluster (no stack). Skips when Postgres 15 is not installed.
 * The central check: the final table equals the last committed `after` per id derived from the history alone.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  PRODUCTS_TABLE_DDL,
  startThrowawayPg,
  throwawayPgSuite,
  type ThrowawayPg,
} from '../../test/fixtures/pg-throwaway.ts';
import { HistoryWriter, readHistory } from '../record/history-file.ts';
import type { HistoryEntry, ProductRow } from '../record/history.ts';
import { runWorkload, type RunWorkloadOptions, type WorkloadSummary } from './driver.ts';
import { workloadHash } from './op-hash.ts';
import { DEFAULT_PROFILE, type WorkloadProfile } from './profile.ts';
import { toProductRow } from './sql.ts';

const { skip, title } = throwawayPgSuite('driver');

const IDS = DEFAULT_PROFILE.ids;
const profile = (over: Partial<WorkloadProfile>): WorkloadProfile => ({
  ...DEFAULT_PROFILE,
  ratePerSec: 0,
  durationMs: 60_000,
  keySpace: 300,
  toastProbability: 0.1,
  hotKeyBurst: { probability: 0.01, size: 10 },
  ...over,
});

describe.skipIf(skip)(title, () => {
  let db: ThrowawayPg | undefined;
  let admin: pg.Client;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oc-wl-pg-'));
    db = await startThrowawayPg();
    admin = new pg.Client(db.url);
    admin.on('error', () => undefined); // the outage test restarts the server under it
    await admin.connect();
    await admin.query(PRODUCTS_TABLE_DDL);
  }, 120_000);

  afterAll(async () => {
    await admin?.end().catch(() => undefined);
    await db?.stop(); // always: a leaked postmaster would outlive the test run
    await rm(dir, { recursive: true, force: true });
  }, 120_000);

  beforeEach(async () => {
    await ensureAdmin();
    await admin.query('TRUNCATE products RESTART IDENTITY');
    await admin.query('ALTER TABLE products DROP CONSTRAINT IF EXISTS test_price_cap');
  });

  async function ensureAdmin(): Promise<void> {
    try {
      await admin.query('SELECT 1');
    } catch {
      admin = new pg.Client(db?.url);
      admin.on('error', () => undefined);
      await admin.connect();
    }
  }

  let runNo = 0;
  async function run(p: WorkloadProfile, extra: Partial<RunWorkloadOptions> = {}, seed = 42) {
    const path = join(dir, `run-${runNo++}`, 'history.jsonl');
    const history = await HistoryWriter.open(path);
    let summary: WorkloadSummary;
    try {
      summary = await runWorkload({ pgUrl: db?.url ?? '', seed, profile: p, history, ...extra });
    } finally {
      await history.close();
    }
    const entries: HistoryEntry[] = [];
    for await (const e of readHistory(path)) entries.push(e);
    return { summary, entries };
  }

  async function tableRows(): Promise<Map<number, ProductRow>> {
    const r = await admin.query(
      `SELECT product_id, name, description, price::text AS price,
              floor(extract(epoch from created_at) * 1000)::bigint AS created_at
         FROM products WHERE product_id >= $1 AND product_id < $2`,
      [IDS.base, IDS.base + IDS.span],
    );
    return new Map(r.rows.map((row: Record<string, unknown>) => [Number(row['product_id']), toProductRow(row)]));
  }

  /** Last committed state per id (null = deleted), and the ids touched by an unknown op after it. */
  function fromHistory(entries: HistoryEntry[]) {
    const last = new Map<number, ProductRow | null>();
    const doubtful = new Set<number>();
    for (const e of [...entries].sort((a, b) => a.seq - b.seq)) {
      for (const eff of e.effects) {
        if (e.outcome === 'ok') {
          last.set(eff.product_id, eff.after);
          doubtful.delete(eff.product_id);
        } else if (e.outcome === 'unknown') {
          doubtful.add(eff.product_id);
        }
      }
    }
    return { last, doubtful };
  }

  /** Every id the history is sure about matches the table exactly; returns the number of ids checked. */
  async function expectTableMatchesHistory(entries: HistoryEntry[]): Promise<number> {
    const table = await tableRows();
    const { last, doubtful } = fromHistory(entries);
    let checked = 0;
    for (const [id, after] of last) {
      if (doubtful.has(id)) continue;
      checked++;
      if (after === null) expect(table.has(id), `id ${id} was deleted`).toBe(false);
      else expect(table.get(id), `row ${id}`).toEqual(after);
    }
    for (const id of table.keys()) {
      if (!last.has(id) && !doubtful.has(id)) throw new Error(`row ${id} is in the table but in no ok/unknown op`);
    }
    return checked;
  }

  it(
    'single-op transactions: final table = last committed after per id; ' + 'ids, sequence and TOAST as designed',
    async () => {
      await admin.query(`INSERT INTO products (name, price) VALUES ('user row 1', 1), ('user row 2', 2)`);
      const p = profile({ concurrency: 4, maxOps: 3_000 });
      const { summary, entries } = await run(p);

      expect(summary.stoppedBy).toBe('maxOps');
      expect(summary.opsRecorded).toBe(3_000);
      expect(summary.byOutcome).toEqual({ ok: 3_000, failed: 0, unknown: 0 });
      expect(summary.workloadHash).toBe(workloadHash(42, p, 3_000));
      expect(summary.noopSteps).toBe(0); // without faults every op meets the row the generator expects
      expect(entries.map((e) => e.seq)).toEqual([...Array(3_000).keys()]);
      expect(new Set(entries.map((e) => e.worker))).toEqual(new Set([0, 1, 2, 3]));
      for (const e of entries) {
        expect(e.ackMs).toBeGreaterThanOrEqual(e.sendMs);
        for (const eff of e.effects) if (eff.after) expect(typeof eff.after.created_at).toBe('number');
      }
      expect(await expectTableMatchesHistory(entries)).toBeGreaterThan(300);

      // Rows inserted with DEFAULT ids by others are untouched, and the sequence now skips the workload range.
      const users = await admin.query(`SELECT product_id FROM products WHERE product_id < $1 ORDER BY 1`, [IDS.base]);
      expect(users.rows.map((r: { product_id: number }) => r.product_id)).toEqual([1, 2]);
      const next = await admin.query(`INSERT INTO products (name, price) VALUES ('after', 3) RETURNING product_id`);
      expect(next.rows[0].product_id).toBeGreaterThanOrEqual(IDS.base + IDS.span);

      // The big descriptions really went out of line.
      const toast = await admin.query(
        `SELECT pg_relation_size(reltoastrelid) AS n FROM pg_class WHERE relname = 'products'`,
      );
      expect(Number(toast.rows[0].n)).toBeGreaterThan(0);
    },
    120_000,
  );

  it('batched transactions: ops of one batch share worker, times and outcome; table matches history', async () => {
    const { summary, entries } = await run(profile({ concurrency: 3, batch: 25, maxOps: 2_000 }));
    expect(summary.byOutcome).toEqual({ ok: 2_000, failed: 0, unknown: 0 });
    expect(summary.transactions).toBeLessThanOrEqual(Math.ceil(2_000 / 25) + 3);
    const batches = new Map<number, HistoryEntry[]>();
    for (const e of entries) batches.set(e.batch ?? -1, [...(batches.get(e.batch ?? -1) ?? []), e]);
    expect(batches.has(-1)).toBe(false);
    for (const members of batches.values()) {
      expect(members.length).toBeLessThanOrEqual(25);
      expect(new Set(members.map((m) => `${m.worker}/${m.sendMs}/${m.ackMs}/${m.outcome}`)).size).toBe(1);
    }
    expect([...batches.values()].filter((m) => m.length === 25).length).toBeGreaterThanOrEqual(2_000 / 25 - 3);
    await expectTableMatchesHistory(entries);
  }, 120_000);

  it('is deterministic against the database: same seed → same per-worker ops and same final table', async () => {
    const p = profile({ concurrency: 4, maxOps: 800 });
    const a = await run(p, { pipelineDepth: 8 });
    const rowsA = await tableRows();
    await admin.query('TRUNCATE products RESTART IDENTITY');
    const b = await run(p, { pipelineDepth: 1 });
    const rowsB = await tableRows();
    const perWorker = (es: HistoryEntry[]) =>
      [0, 1, 2, 3].map((w) => es.filter((e) => e.worker === w).map((e) => JSON.stringify(e.request)));
    expect(perWorker(a.entries)).toEqual(perWorker(b.entries));
    const strip = (m: Map<number, ProductRow>) =>
      [...m.values()].map((r) => ({ ...r, created_at: 0 })).sort((x, y) => x.product_id - y.product_id);
    expect(strip(rowsA)).toEqual(strip(rowsB));
    expect(a.summary.workloadHash).toBe(b.summary.workloadHash);
  }, 120_000);

  it('records rejected statements as failed, and later ops on their ids as recorded 0-row no-ops', async () => {
    await admin.query('ALTER TABLE products ADD CONSTRAINT test_price_cap CHECK (price < 90000000)');
    const { summary, entries } = await run(profile({ concurrency: 2, maxOps: 2_000 }));
    expect(summary.byOutcome.failed).toBeGreaterThan(20);
    expect(summary.byOutcome.unknown).toBe(0);
    const failed = entries.filter((e) => e.outcome === 'failed');
    for (const e of failed) {
      expect(e.effects).toEqual([]);
      expect(e.error).toMatch(/^23514 /);
    }
    // Some failed inserts were followed by updates/deletes of the id that never came to exist.
    expect(summary.noopSteps).toBeGreaterThan(0);
    expect(
      entries.some(
        (e) => e.outcome === 'ok' && e.rowCounts?.includes(0) && e.effects.length < (e.rowCounts?.length ?? 0),
      ),
    ).toBe(true);
    await expectTableMatchesHistory(entries);
  }, 120_000);

  it('survives backends being killed mid-run: unknown outcomes, reconnects, consistent table', async () => {
    const killer = new pg.Client(db?.url);
    killer.on('error', () => undefined);
    await killer.connect();
    let kills = 0;
    let killing = true;
    const loop = (async () => {
      while (killing) {
        const r = await killer.query(
          `SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity
            WHERE application_name LIKE 'outbox-chaos-workload-%' AND random() < 0.5`,
        );
        kills += Number(r.rows[0].n);
        await new Promise((res) => setTimeout(res, 150));
      }
    })();
    const { summary, entries } = await run(profile({ concurrency: 4, durationMs: 4_000, batch: 5 }), {
      pipelineDepth: 4,
    });
    killing = false;
    await loop;
    await killer.end();

    expect(kills).toBeGreaterThan(3);
    expect(summary.reconnects).toBeGreaterThan(0);
    expect(summary.opsRecorded).toBeGreaterThan(200);
    expect(summary.byOutcome.ok).toBeGreaterThan(100);
    for (const e of entries.filter((x) => x.outcome === 'unknown')) expect(e.error).toBeTruthy();
    expect(await expectTableMatchesHistory(entries)).toBeGreaterThan(50);
  }, 120_000);

  it('rides out the database being down and keeps going once it is back', async () => {
    const started = Date.now();
    let resumedAt = 0;
    const outage = (async () => {
      await new Promise((r) => setTimeout(r, 1_000));
      await db?.pause();
      await new Promise((r) => setTimeout(r, 1_500));
      await db?.resume();
      resumedAt = Date.now();
    })();
    const { summary, entries } = await run(profile({ concurrency: 3, durationMs: 6_000, ratePerSec: 300 }), {
      connectTimeoutMs: 1_000,
    });
    await outage;
    await ensureAdmin();
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(summary.connectFailures).toBeGreaterThan(0);
    expect(summary.reconnects).toBeGreaterThan(0);
    expect(entries.filter((e) => e.sendMs > resumedAt && e.outcome === 'ok').length).toBeGreaterThan(50);
    await expectTableMatchesHistory(entries);
  }, 120_000);

  it('paces to ratePerSec and stops at durationMs', async () => {
    const t0 = Date.now();
    const { summary } = await run(profile({ concurrency: 2, ratePerSec: 250, durationMs: 2_000 }));
    expect(Date.now() - t0).toBeLessThan(4_000);
    expect(summary.stoppedBy).toBe('duration');
    expect(summary.opsRecorded).toBeGreaterThan(300); // 500 minus setup and a loaded machine's hiccups
    expect(summary.opsRecorded).toBeLessThanOrEqual(520); // never above rate × duration (+ one bucket)
  }, 60_000);

  it('refuses to start over rows already in its id range', async () => {
    await admin.query(`INSERT INTO products (product_id, name, price) VALUES ($1, 'leftover', 1)`, [IDS.base + 5]);
    await expect(run(profile({ maxOps: 10 }))).rejects.toThrow(
      /already holds 1 row\(s\) with product_id in the workload range/,
    );
  }, 60_000);
});
