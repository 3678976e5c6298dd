/**
 * The table workload against a real, throwaway Postgres 15 cluster (no stack), on the orders example's schema.
 * Skips when Postgres 15 is not installed. Postgres must accept every generated value and foreign-key order, and
 * the final tables must equal the last committed `after` per key derived from the history alone.
 */
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startThrowawayPg, throwawayPgSuite, type ThrowawayPg } from '../../../test/fixtures/pg-throwaway.ts';
import { AppendCheck } from '../../check/appends.ts';
import { indexReadingOf } from '../../check/mapping.ts';
import { readPgRows } from '../../check/read-pg.ts';
import { HistoryCheck } from '../../check/history-check.ts';
import { VersionsBuilder } from '../../check/versions.ts';
import { readTableModels } from '../../model/catalog.ts';
import { rowKey, type Row, type TableModel } from '../../model/table.ts';
import { HistoryWriter, readHistory } from '../../record/history-file.ts';
import type { HistoryEntry } from '../../record/history.ts';
import { runWorkload } from '../driver.ts';
import { DEFAULT_PROFILE } from '../profile.ts';
import { tableWorkloadHash } from './codec.ts';
import { intendedTableEffects, type TableBeliefs } from './effects.ts';
import { tableStepsOf, type TableOp } from './ops.ts';
import { LEDGER } from '../../../test/fixtures/ledger.ts';
import { ORDERS_MODELS } from './orders-example.ts';
import { TableStatements } from './statements.ts';

const { skip, title } = throwawayPgSuite('table workload');

describe.skipIf(skip)(title, () => {
  let db: ThrowawayPg | undefined;
  let admin: pg.Client;
  let dir: string;
  let models: TableModel[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oc-twl-pg-'));
    db = await startThrowawayPg();
    admin = new pg.Client(db.url);
    admin.on('error', () => undefined);
    await admin.connect();
    const schema = await readFile(new URL('../../../examples/orders/schema.sql', import.meta.url), 'utf8');
    await admin.query(schema.replaceAll('${PUBLICATION}', 'orders_pub'));
    // A third level with a composite key whose first column is the foreign key, and a constant default.
    await admin.query(`CREATE TABLE lines (
      order_id UUID NOT NULL REFERENCES orders (order_id) ON DELETE CASCADE,
      line_no SMALLINT NOT NULL,
      sku VARCHAR(12) NOT NULL,
      qty INTEGER NOT NULL DEFAULT 1,
      PRIMARY KEY (order_id, line_no))`);
    await admin.query('ALTER PUBLICATION orders_pub ADD TABLE lines');
    models = await readTableModels(admin, { publication: 'orders_pub' });
  }, 120_000);

  afterAll(async () => {
    await admin?.end().catch(() => undefined);
    await db?.stop(); // always: a leaked postmaster would outlive the test run
    await rm(dir, { recursive: true, force: true });
  }, 120_000);

  it('the example models the unit tests use are what the catalog reads', () => {
    expect(models.filter((m) => m.name !== 'lines')).toEqual(ORDERS_MODELS);
    expect(models.map((m) => m.name)).toEqual(['customers', 'lines', 'orders']);
  });

  it('2,000 ops at concurrency 4: no failed op; each table equals the history (three tables)', async () => {
    const path = join(dir, 'history.jsonl');
    const history = await HistoryWriter.open(path);
    const profile = { ...DEFAULT_PROFILE, ratePerSec: 0, durationMs: 120_000, concurrency: 4, maxOps: 2_000 };
    const summary = await runWorkload({ pgUrl: db?.url ?? '', seed: 7, profile, history, tables: models }).finally(() =>
      history.close(),
    );
    console.log(`table workload: ${summary.opsPerSec.toFixed(0)} ops/s, ${summary.rowsChanged} rows changed`);
    expect(summary.errors).toEqual([]);
    expect(summary.byOutcome).toEqual({ ok: 2_000, failed: 0, unknown: 0 });
    expect(summary.workloadHash).toBe(tableWorkloadHash(7, profile, models, 2_000));

    const entries: HistoryEntry<Row>[] = [];
    for await (const e of readHistory(path)) entries.push(e as unknown as HistoryEntry<Row>);
    for (const model of models) {
      const last = new Map<string, Row | null>();
      for (const e of [...entries].sort((a, b) => a.seq - b.seq))
        for (const eff of e.effects) if (eff.table === model.name) last.set(eff.key!, eff.after);
      const table = new Map<string, Row>();
      for await (const row of readPgRows(db?.url ?? '', { model })) table.set(rowKey(model, row), row);
      expect(last.size, `${model.name}: keys the history wrote`).toBeGreaterThan(50);
      for (const [key, after] of last) {
        if (after === null) expect(table.has(key), `${model.name} ${key} was deleted`).toBe(false);
        else expect(table.get(key), `${model.name} ${key}`).toEqual(after);
      }
      for (const key of table.keys()) expect(last.has(key), `${model.name} ${key} in no op`).toBe(true);
      // The checker's own reader of the history accepts every effect.
      const versions = new VersionsBuilder(model);
      for (const e of entries) versions.add({ ...e, effects: e.effects.filter((x) => x.table === model.name) });
      expect(versions.finish().keys.length).toBe(last.size);
    }
    // What an unknown-outcome op records (its intent) is what Postgres made of the values: uuid case, offsets,
    // numeric scale, jsonb key order, arrays, bytea, omitted defaults.
    const statements = new TableStatements(models);
    const beliefs: TableBeliefs = new Map();
    for (const e of entries) {
      const intended = intendedTableEffects(tableStepsOf(e.request as TableOp), beliefs, statements);
      expect(intended, `op #${e.seq}`).toEqual(e.effects);
    }
    // Deletes of customers took their orders first, in the same transaction: no order was left to cascade.
    const deletes = entries.flatMap((e) => e.effects).filter((x) => x.after === null);
    expect(deletes.some((x) => x.table === 'orders')).toBe(true);
    expect(deletes.some((x) => x.table === 'customers')).toBe(true);
    expect(deletes.some((x) => x.table === 'lines')).toBe(true);
  }, 180_000);

  it('an append column: Postgres appends each token, and every final row shows its full committed list', async () => {
    await admin.query(`CREATE TABLE ledger (id BIGINT PRIMARY KEY, tokens TEXT[] NOT NULL DEFAULT '{}', note TEXT)`);
    await admin.query('ALTER TABLE ledger REPLICA IDENTITY FULL');
    const [read] = await readTableModels(admin, { tables: ['ledger'] });
    expect({ ...read!, append: 'tokens' }).toEqual(LEDGER);
    const path = join(dir, 'ledger.jsonl');
    const history = await HistoryWriter.open(path);
    const profile = {
      ...DEFAULT_PROFILE,
      ratePerSec: 0,
      durationMs: 60_000,
      concurrency: 4,
      maxOps: 1_500,
      keySpace: 100,
    };
    const summary = await runWorkload({ pgUrl: db?.url ?? '', seed: 9, profile, history, tables: [LEDGER] }).finally(
      () => history.close(),
    );
    expect(summary.byOutcome).toEqual({ ok: 1_500, failed: 0, unknown: 0 });
    const check = new AppendCheck(LEDGER);
    const statements = new TableStatements([LEDGER]);
    const beliefs: TableBeliefs = new Map();
    let updates = 0;
    for await (const e of readHistory(path)) {
      const entry = e as unknown as HistoryEntry<Row>;
      check.track(entry);
      // The intent recorded for an unacknowledged write is the list Postgres makes.
      expect(intendedTableEffects(tableStepsOf(entry.request as TableOp), beliefs, statements)).toEqual(entry.effects);
      updates += tableStepsOf(entry.request as TableOp).filter((s) => s.kind === 'update').length;
    }
    expect(updates).toBeGreaterThan(300);
    const reading = indexReadingOf(undefined, [], LEDGER);
    let rows = 0;
    let longest = 0;
    for await (const product of readPgRows(db?.url ?? '', { model: LEDGER })) {
      const row = product as unknown as Row;
      rows++;
      const tokens = JSON.parse(String(row['tokens'])) as string[];
      longest = Math.max(longest, tokens.length);
      expect(check.observe(String(row['id']), { ...row, tokens }, 1, reading), `ledger ${row['id']}`).toBeUndefined();
    }
    expect(rows).toBeGreaterThan(20);
    expect(longest).toBeGreaterThan(5);
    expect(check.observations).toBe(rows);
  }, 120_000);

  it('refuses to start on tables that already hold rows (the last run left some)', async () => {
    const history = await HistoryWriter.open(join(dir, 'again.jsonl'));
    const profile = { ...DEFAULT_PROFILE, ratePerSec: 0, maxOps: 10 };
    await expect(
      runWorkload({ pgUrl: db?.url ?? '', seed: 7, profile, history, tables: models }).finally(() => history.close()),
    ).rejects.toThrow(/customers already holds \d+ row\(s\).*TRUNCATE/);
  });

  it('backends killed mid-run: unknown outcomes; the checker finds Postgres as the history allows', async () => {
    await admin.query('TRUNCATE customers, orders, lines');
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
    const path = join(dir, 'killed.jsonl');
    const history = await HistoryWriter.open(path);
    const profile = { ...DEFAULT_PROFILE, ratePerSec: 0, durationMs: 4_000, concurrency: 4, batch: 5 };
    const summary = await runWorkload({
      pgUrl: db?.url ?? '',
      seed: 8,
      profile,
      history,
      tables: models,
      pipelineDepth: 4,
    }).finally(() => history.close());
    killing = false;
    await loop;
    await killer.end();
    console.log(`killed backends: ${kills} kills, outcomes ${JSON.stringify(summary.byOutcome)}`);
    expect(kills).toBeGreaterThan(3);
    expect(summary.byOutcome.unknown).toBeGreaterThan(0);
    expect(summary.byOutcome.ok).toBeGreaterThan(100);

    const entries: HistoryEntry<Row>[] = [];
    for await (const e of readHistory(path)) entries.push(e as unknown as HistoryEntry<Row>);
    for (const model of models) {
      const versions = new VersionsBuilder(model);
      for (const e of entries) versions.add({ ...e, effects: e.effects.filter((x) => x.table === model.name) });
      const check = new HistoryCheck(versions.finish(), 5);
      for await (const row of readPgRows(db?.url ?? '', { model })) check.row(row);
      expect(check.finish(), model.name).toEqual({ count: 0, examples: [] });
    }
  }, 120_000);
});
