/**
 * The workload's application writes beyond the products row, against a real throwaway Postgres 15 (no stack;
 * skipped when Postgres 15 is not installed): an outbox application's rows, in the product's own transaction
 * or in a second one, and a dual-writing application's Elasticsearch calls and their failures, against a
 * small fake Elasticsearch.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
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
import type { HistoryEntry } from '../record/history.ts';
import type { ApplicationWrites } from './after-commit.ts';
import { runWorkload } from './driver.ts';
import { DEFAULT_PROFILE, type WorkloadProfile } from './profile.ts';

const { skip, title } = throwawayPgSuite('application writes');
const IDS = DEFAULT_PROFILE.ids;
const profile = (over: Partial<WorkloadProfile> = {}): WorkloadProfile => ({
  ...DEFAULT_PROFILE,
  ratePerSec: 0,
  durationMs: 60_000,
  keySpace: 100,
  toastProbability: 0.05,
  maxOps: 600,
  ...over,
});

// Every outbox row, with the transaction that wrote it, kept by a trigger: the application deletes its rows
// again before it commits, so the table itself is always empty.
const OUTBOX_DDL =
  `
CREATE TABLE outbox (id UUID PRIMARY KEY, aggregatetype VARCHAR(255) NOT NULL, aggregateid VARCHAR(255) NOT NULL, ` +
  `type VARCHAR(255) NOT NULL, payload JSONB);
CREATE TABLE outbox_log (seq BIGSERIAL PRIMARY KEY, xid BIGINT NOT NULL, aggregateid TEXT, type TEXT, payload JSONB);
CREATE FUNCTION log_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO outbox_log (xid, aggregateid, type, payload) ` +
  `VALUES (txid_current(), NEW.aggregateid, NEW.type, NEW.payload); RETURN NEW; END $$;
CREATE TRIGGER log_outbox AFTER INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION log_outbox();`;

/** A fake Elasticsearch: PUT/DELETE of /<index>/_doc/<id> on a map; `failing` answers 503 instead. */
function fakeEs(): { server: Server; docs: Map<number, unknown>; calls: number; failing: boolean; url: () => string } {
  const state = {
    docs: new Map<number, unknown>(),
    calls: 0,
    failing: false,
    server: undefined as unknown as Server,
    url: () => '',
  };
  state.server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      state.calls++;
      const id = Number(req.url?.split('/').pop());
      if (state.failing) return void res.writeHead(503).end('{"error":"unavailable"}');
      if (req.method === 'PUT') state.docs.set(id, JSON.parse(body));
      else if (req.method === 'DELETE') state.docs.delete(id);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"result":"ok"}');
    });
  });
  state.url = () => {
    const a = state.server.address();
    return `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
  };
  return state;
}

describe.skipIf(skip)(title, () => {
  let db: ThrowawayPg | undefined;
  let admin: pg.Client;
  let dir: string;
  let runNo = 0;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oc-app-pg-'));
    db = await startThrowawayPg();
    admin = new pg.Client(db.url);
    await admin.connect();
    await admin.query(PRODUCTS_TABLE_DDL);
    await admin.query(OUTBOX_DDL);
  }, 120_000);

  afterAll(async () => {
    await admin?.end().catch(() => undefined);
    await db?.stop();
    await rm(dir, { recursive: true, force: true });
  }, 120_000);

  beforeEach(async () => {
    await admin.query('TRUNCATE products, outbox, outbox_log RESTART IDENTITY');
  });

  async function run(app: ApplicationWrites, p = profile()) {
    const path = join(dir, `run-${runNo++}`, 'history.jsonl');
    const history = await HistoryWriter.open(path);
    const summary = await runWorkload({ pgUrl: db?.url ?? '', seed: 7, profile: p, history, app }).finally(() =>
      history.close(),
    );
    const entries: HistoryEntry[] = [];
    for await (const e of readHistory(path)) entries.push(e);
    return { summary, entries };
  }

  /** The products' final rows as the index would hold them, with the transaction that last wrote each. */
  async function products(): Promise<Map<number, { doc: Record<string, unknown>; xid: number }>> {
    const r = await admin.query(
      'SELECT product_id, name, description, price::text AS price, ' +
        `floor(extract(epoch from created_at) * 1000)::bigint AS created_at, xmin::text::bigint AS xid
         FROM products WHERE product_id >= $1 AND product_id < $2`,
      [IDS.base, IDS.base + IDS.span],
    );
    return new Map(
      r.rows.map((x: Record<string, unknown>) => [
        Number(x['product_id']),
        {
          xid: Number(x['xid']),
          doc: {
            product_id: Number(x['product_id']),
            name: x['name'],
            description: x['description'],
            price: x['price'],
            created_at: Number(x['created_at']),
          },
        },
      ]),
    );
  }

  /** The last outbox row per product, in commit order of the log. */
  async function lastEvents(): Promise<Map<number, { xid: number; type: string; payload: unknown }>> {
    const r = await admin.query('SELECT xid, aggregateid, type, payload FROM outbox_log ORDER BY seq');
    return new Map(
      r.rows.map((x: Record<string, unknown>) => [
        Number(x['aggregateid']),
        { xid: Number(x['xid']), type: String(x['type']), payload: x['payload'] },
      ]),
    );
  }

  it(
    'outbox, same transaction: every change comes with its outbox row, written by the same transaction; ' +
      'the table stays empty',
    async () => {
      const { summary, entries } = await run({
        kind: 'outbox',
        outboxTable: 'outbox',
        write: 'same-transaction',
        deletes: 'empty-payload',
      });
      expect(summary.byOutcome.ok).toBeGreaterThan(500);
      // Nothing happens after the commit.
      expect(summary.app).toEqual({ kind: 'outbox', written: 0, failed: 0, skipped: 0 });
      expect((await admin.query('SELECT count(*)::int AS n FROM outbox')).rows[0].n).toBe(0);
      const rows = await products();
      const events = await lastEvents();
      expect(rows.size).toBeGreaterThan(10);
      for (const [id, row] of rows) {
        const ev = events.get(id);
        expect(ev, `product ${id} has no outbox row`).toBeDefined();
        // The row that last changed the product was written by the very transaction that changed it, with its state.
        expect(ev?.xid, `product ${id}`).toBe(row.xid);
        expect(ev?.payload, `product ${id}`).toEqual(row.doc);
      }
      // Deleted products: their last event is a ProductDeleted with an empty payload (the router's tombstone).
      const deleted = new Set(
        entries.flatMap((e) =>
          e.outcome === 'ok' ? e.effects.filter((x) => x.after === null).map((x) => x.product_id) : [],
        ),
      );
      const gone = [...deleted].filter((id) => !rows.has(id));
      expect(gone.length).toBeGreaterThan(0);
      for (const id of gone) expect(events.get(id)).toMatchObject({ type: 'ProductDeleted', payload: null });
    },
  );

  it('outbox, deletes with their last state: the delete event carries the deleted product', async () => {
    await run(
      { kind: 'outbox', outboxTable: 'outbox', write: 'same-transaction', deletes: 'last-state' },
      profile({ mix: { insert: 40, update: 10, delete: 40, reinsert: 5, txn: 5 } }),
    );
    const r = await admin.query(`SELECT payload FROM outbox_log WHERE type = 'ProductDeleted'`);
    expect(r.rowCount).toBeGreaterThan(0);
    for (const x of r.rows as { payload: Record<string, unknown> | null }[])
      expect(x.payload).toMatchObject({ product_id: expect.any(Number), name: expect.any(String) });
  });

  it(
    'outbox, separate transaction: each change gets its row from a later transaction, ' +
      'from the state the commit returned',
    async () => {
      const { summary } = await run({
        kind: 'outbox',
        outboxTable: 'outbox',
        write: 'separate-transaction',
        deletes: 'empty-payload',
      });
      expect(summary.app).toMatchObject({ kind: 'outbox', failed: 0, skipped: 0 });
      expect(summary.app?.written).toBeGreaterThan(500);
      const rows = await products();
      const events = await lastEvents();
      for (const [id, row] of rows) {
        expect(events.get(id)?.payload, `product ${id}`).toEqual(row.doc);
        expect(events.get(id)?.xid, `product ${id}: a second transaction`).toBeGreaterThan(row.xid);
      }
      expect((await admin.query('SELECT count(*)::int AS n FROM outbox')).rows[0].n).toBe(0);
    },
  );

  it(
    'dual-write: every committed change is indexed by the application, ' + 'and the index ends equal to the table',
    async () => {
      const es = fakeEs();
      await new Promise<void>((r) => es.server.listen(0, '127.0.0.1', r));
      try {
        const { summary } = await run({ kind: 'dual-write', esUrl: es.url(), index: 'products', timeoutMs: 2000 });
        expect(summary.app).toMatchObject({ kind: 'dual-write', failed: 0 });
        const rows = await products();
        expect(new Map([...es.docs].filter(([id]) => id >= IDS.base))).toEqual(
          new Map([...rows].map(([id, r]) => [id, r.doc])),
        );
      } finally {
        es.server.close();
      }
    },
  );

  it(
    'dual-write: a failed Elasticsearch call is logged and given up, ' + 'and the operation still counts as committed',
    async () => {
      const es = fakeEs();
      es.failing = true;
      await new Promise<void>((r) => es.server.listen(0, '127.0.0.1', r));
      try {
        const { summary, entries } = await run(
          { kind: 'dual-write', esUrl: es.url(), index: 'products', timeoutMs: 2000 },
          profile({ maxOps: 200 }),
        );
        expect(summary.byOutcome.ok).toBe(entries.filter((e) => e.outcome === 'ok').length);
        expect(summary.byOutcome.ok).toBeGreaterThan(150);
        expect(summary.app?.written).toBe(0);
        expect(summary.app?.failed).toBe(es.calls);
        expect(
          summary.errors.find((x) => x.message.startsWith('dual write to Elasticsearch failed, given up'))?.message,
        ).toMatch(/HTTP 503/);
        expect(es.docs.size).toBe(0);
        expect((await products()).size).toBeGreaterThan(0);
      } finally {
        es.server.close();
      }
    },
  );

  it('dual-write: an Elasticsearch that does not answer costs the timeout per call, then is given up', async () => {
    const hang = createServer(() => undefined); // accepts, never answers
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
    const a = hang.address();
    try {
      const t0 = Date.now();
      const { summary } = await run(
        {
          kind: 'dual-write',
          esUrl: `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`,
          index: 'products',
          timeoutMs: 200,
        },
        profile({ maxOps: 6, concurrency: 1, mix: { insert: 100, update: 0, delete: 0, reinsert: 0, txn: 0 } }),
      );
      expect(summary.app?.failed).toBe(6);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(6 * 200);
      expect(summary.errors[0]?.message).toMatch(/no answer within 200 ms/);
    } finally {
      hang.closeAllConnections();
      hang.close();
    }
  });
});
