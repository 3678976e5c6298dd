import { describe, expect, it } from 'vitest';
import type { TableModel } from '../../model/table.ts';
import { DEFAULT_PROFILE, type WorkloadProfile } from '../profile.ts';
import { TableOpGenerator, takeTableOps } from './generate.ts';
import { tableStepsOf, type TableOp, type TableStep } from './ops.ts';
import { ORDERS_MODELS } from './orders-example.ts';
import { LEDGER } from '../../../test/fixtures/ledger.ts';

const PROFILE: WorkloadProfile = { ...DEFAULT_PROFILE, keySpace: 200 };

/** A third level with a composite key (order, line number) whose first column is the foreign key. */
const LINES: TableModel = {
  name: 'lines',
  key: ['order_id', 'line_no'],
  columns: [
    { name: 'order_id', type: { kind: 'uuid' }, nullable: false, default: null, toastable: false },
    { name: 'line_no', type: { kind: 'int2' }, nullable: false, default: null, toastable: false },
    { name: 'sku', type: { kind: 'varchar', length: 12 }, nullable: false, default: null, toastable: true },
    { name: 'qty', type: { kind: 'int4' }, nullable: false, default: '1', toastable: false },
  ],
  foreignKeys: [
    {
      name: 'lines_order_id_fkey',
      columns: ['order_id'],
      references: { table: 'orders', columns: ['order_id'] },
      onDelete: 'cascade',
    },
  ],
  replicaIdentity: 'default',
};
const THREE = [...ORDERS_MODELS, LINES];

/**
 * Replays ops as if each committed and checks what the foreign keys and the workers need: a child names a live
 * parent, a parent is deleted only once it has no live children, key columns are never NULL, an update sets
 * something and never a key column, and every row stays in one shard, its root's.
 */
function replay(ops: TableOp[], tables: readonly TableModel[]) {
  const models = new Map(tables.map((t) => [t.name, t]));
  const live = new Map<string, { shard: number; parent: string | null }>(); // "table key" → ...
  const shardOf = new Map<string, number>();
  const counts = { parentDeletesWithChildren: 0, familyTxns: 0, omittedDefaults: 0, steps: 0 };
  const id = (table: string, key: string): string => `${table} ${key}`;
  for (const op of ops) {
    const steps = tableStepsOf(op);
    if (op.kind === 'txn' && new Set(steps.map((s) => s.table)).size > 1 && steps.every((s) => s.kind === 'insert'))
      counts.familyTxns++;
    if (op.kind === 'txn' && steps.filter((s) => s.kind === 'delete').length > 1) counts.parentDeletesWithChildren++;
    for (const s of steps) {
      counts.steps++;
      const m = models.get(s.table)!;
      const me = id(s.table, s.key);
      const known = shardOf.get(me);
      if (known !== undefined) expect(known, `${me} changed shard`).toBe(op.shard);
      shardOf.set(me, op.shard);
      const keyValues = 'values' in s ? s.values : s.where;
      for (const k of m.key) expect(keyValues[k] ?? null, `${me}: key ${k}`).not.toBeNull();
      stepFk(s, m, live, me, op.shard, counts);
    }
  }
  return { counts, live };
}

function stepFk(
  s: TableStep,
  m: TableModel,
  live: Map<string, { shard: number; parent: string | null }>,
  me: string,
  shard: number,
  counts: { omittedDefaults: number },
): void {
  const fk = m.foreignKeys[0];
  switch (s.kind) {
    case 'insert':
    case 'reinsert': {
      expect(live.has(me), `${me} inserted while live`).toBe(false);
      let parent: string | null = null;
      if (fk !== undefined) {
        const v = s.values[fk.columns[0]!];
        parent = `${fk.references.table} ${String(v).toLowerCase()}`;
        expect(live.get(parent), `${me} names ${parent}, not live`).toBeDefined();
        expect(live.get(parent)!.shard, `${me} not in its parent's shard`).toBe(shard);
      }
      for (const c of m.columns)
        if (!(c.name in s.values)) {
          expect(c.default, `${me} leaves out ${c.name}`).not.toBeNull();
          counts.omittedDefaults++;
        }
      live.set(me, { shard, parent });
      break;
    }
    case 'update':
      expect(live.has(me), `${me} updated while not live`).toBe(true);
      expect(Object.keys(s.set).length).toBeGreaterThan(0);
      for (const k of m.key) expect(s.set).not.toHaveProperty(k);
      for (const f of m.foreignKeys) for (const c of f.columns) expect(s.set).not.toHaveProperty(c);
      break;
    case 'delete': {
      expect(live.has(me), `${me} deleted while not live`).toBe(true);
      const children = [...live.entries()].filter(([, v]) => v.parent === me).map(([k]) => k);
      expect(children, `${me} deleted before its children`).toEqual([]);
      live.delete(me);
      break;
    }
  }
}

describe('TableOpGenerator', () => {
  it('the same seed, profile and tables give the same ops; another seed others', () => {
    const a = takeTableOps(3, PROFILE, THREE, 2_000);
    expect(takeTableOps(3, PROFILE, THREE, 2_000)).toEqual(a);
    expect(takeTableOps(4, PROFILE, THREE, 2_000)).not.toEqual(a);
    expect(a.map((op) => op.n)).toEqual(a.map((_, i) => i));
  });

  it('foreign keys: children name live parents in their shard, parents go after their children', () => {
    const ops = takeTableOps(11, PROFILE, THREE, 6_000);
    const { counts } = replay(ops, THREE);
    expect(counts.familyTxns).toBeGreaterThan(20);
    expect(counts.parentDeletesWithChildren).toBeGreaterThan(20);
    expect(counts.omittedDefaults).toBeGreaterThan(20); // customers.vip, lines.qty
    const kinds = new Set(ops.flatMap((op) => tableStepsOf(op).map((s) => `${s.table} ${s.kind}`)));
    for (const t of ['customers', 'orders', 'lines'])
      for (const k of ['insert', 'update', 'delete', 'reinsert']) expect(kinds).toContain(`${t} ${k}`);
  });

  it('the replay check fails on a child insert whose parent is gone, and on a parent deleted first', () => {
    const ops = takeTableOps(11, PROFILE, ORDERS_MODELS, 500);
    const orphan: TableOp = {
      n: 0,
      shard: 0,
      kind: 'insert',
      table: 'orders',
      key: 'new',
      values: { order_id: 'new', customer_id: -5 },
    };
    expect(() => replay([...ops, orphan], ORDERS_MODELS)).toThrow(/names customers -5, not live/);
    // A customer delete with its orders' deletes after it instead of before.
    const i = ops.findIndex((op) => op.kind === 'txn' && op.steps.filter((s) => s.kind === 'delete').length > 1);
    const txn = ops[i] as TableOp & { kind: 'txn' };
    const swapped: TableOp = { ...txn, steps: [...txn.steps].reverse() };
    expect(() => replay([...ops.slice(0, i), swapped], ORDERS_MODELS)).toThrow(/deleted before its children/);
  });

  it('hot-key bursts: consecutive updates of 1–3 rows, numbered', () => {
    const p = { ...PROFILE, hotKeyBurst: { probability: 0.02, size: 10 } };
    const ops = takeTableOps(9, p, ORDERS_MODELS, 3_000);
    const bursts = new Map<number, TableOp[]>();
    for (const op of ops) if (op.burst !== undefined) bursts.set(op.burst, [...(bursts.get(op.burst) ?? []), op]);
    expect(bursts.size).toBeGreaterThan(10);
    for (const b of bursts.values()) {
      expect(b.every((op) => op.kind === 'update')).toBe(true);
      expect(b[b.length - 1]!.n - b[0]!.n).toBe(b.length - 1); // consecutive
      expect(new Set(b.map((op) => (op as TableStep).key)).size).toBeLessThanOrEqual(3);
    }
    replay(ops, ORDERS_MODELS);
  });

  it('keeps each table within keySpace, integer keys within profile.ids', () => {
    const p = { ...PROFILE, keySpace: 30, mix: { insert: 80, update: 5, delete: 5, reinsert: 5, txn: 5 } };
    const gen = new TableOpGenerator(5, p, ORDERS_MODELS);
    const ops: TableOp[] = [];
    for (let i = 0; i < 3_000; i++) ops.push(gen.next().value as TableOp);
    expect(gen.liveCount('customers')).toBeLessThanOrEqual(30);
    expect(gen.liveCount('orders')).toBeLessThanOrEqual(30);
    for (const op of ops)
      for (const s of tableStepsOf(op))
        if (s.table === 'customers') {
          const k = Number(s.key);
          expect(k).toBeGreaterThanOrEqual(p.ids.base);
          expect(k).toBeLessThan(p.ids.base + p.ids.span);
          expect((k - p.ids.base) % 64).toBe(op.shard);
        }
  });

  it('refuses a foreign key to a table it does not write, from a NOT NULL column', () => {
    expect(() => new TableOpGenerator(1, PROFILE, [ORDERS_MODELS[1]!])).toThrow(/capture customers too/);
    expect(() => new TableOpGenerator(1, PROFILE, [])).toThrow(/at least one table/);
  });
});

describe('keys a search engine can hold as an _id', () => {
  it('a one-column text key is never empty nor over 512 bytes (no sink can index such a row)', () => {
    const notes: TableModel = {
      name: 'notes',
      key: ['note_key'],
      columns: [
        { name: 'note_key', type: { kind: 'text' }, nullable: false, default: null, toastable: true },
        { name: 'body', type: { kind: 'text' }, nullable: true, default: null, toastable: true },
      ],
      foreignKeys: [],
      replicaIdentity: 'full',
    };
    const keys = takeTableOps(3, PROFILE, [notes], 3_000)
      .flatMap(tableStepsOf)
      .flatMap((s) => (s.kind === 'insert' || s.kind === 'reinsert' ? [String(s.values['note_key'])] : []));
    expect(keys.length).toBeGreaterThan(500);
    const bytes = keys.map((k) => Buffer.byteLength(k));
    expect(Math.min(...bytes)).toBeGreaterThan(0);
    expect(Math.max(...bytes)).toBeLessThanOrEqual(512);
  });
});

describe('an append column', () => {
  it('every insert writes a new token and every update appends one, unique in the run', () => {
    const ops = takeTableOps(5, PROFILE, [LEDGER], 400);
    const steps = ops.flatMap(tableStepsOf);
    const tokens = steps.flatMap((s) =>
      s.kind === 'insert' || s.kind === 'reinsert'
        ? [s.values['tokens']]
        : s.kind === 'update'
          ? [s.set['tokens']]
          : [],
    );
    expect(tokens.length).toBe(steps.filter((s) => s.kind !== 'delete').length);
    expect(tokens.every((t) => typeof t === 'string' && /^t\d+$/.test(t))).toBe(true);
    expect(new Set(tokens).size).toBe(tokens.length);
    expect(steps.some((s) => s.kind === 'update')).toBe(true);
  });
});
