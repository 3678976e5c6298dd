/**
 * The deterministic operation generator for captured tables: (seed, profile, tables) → an endless stream of ops
 * on those tables, no I/O.
 *
 * Keys are the generator's own, as for products (../generate.ts): a one-column integer key counts up inside
 * profile.ids; any other key (uuid, text, composite) is drawn from the seeded source, never one used before.
 * Foreign keys are respected: a child insert names a parent the generator believes live, and deleting a parent
 * deletes its live children first in the same transaction (explicit DELETE steps, so the history holds every
 * row's delete even where the foreign key would cascade: RETURNING does not report cascaded rows). Every row
 * lives in its root parent's shard, so a parent and its children are always written by one worker.
 */
import type fc from 'fast-check';
import { formatPgType } from '../../model/pg-type.ts';
import { isComputed, rowKey, type Column, type ForeignKey, type Row, type TableModel } from '../../model/table.ts';
import { ID_SHARDS, type WorkloadProfile } from '../profile.ts';
import { chance, draw, pickWeighted, seededRandom } from '../rng.ts';
import type { SqlParam, TableOp, TableStep } from './ops.ts';
import { defaultIntent } from './defaults.ts';
import { intentOf, valueArb } from './values.ts';

type Kind = 'insert' | 'update' | 'delete' | 'reinsert';
const KINDS: readonly Kind[] = ['insert', 'update', 'delete', 'reinsert'];
/** Deleted rows remembered per table and shard for reinserts. */
const DELETED_PER_SHARD_CAP = 4_096;
/** Share of inserts that leave out the columns the server fills by default. */
const OMIT_DEFAULTS = 0.3;
/** Share of transactions that insert a root row together with children naming it. */
const FAMILY_TXN = 0.3;
const INT_MAX: Record<string, number> = { int2: 32_767, int4: 2_147_483_647, int8: Number.MAX_SAFE_INTEGER };

interface LiveRow {
  table: TableState;
  key: string;
  /** The key columns' parameters, as written. */
  where: Record<string, SqlParam>;
  shard: number;
  /** The row each foreign key names (null: the foreign key's columns are NULL). */
  parents: (LiveRow | null)[];
  children: Set<LiveRow>;
  /** Position in its table's live or deleted list of its shard. */
  pos: number;
}

interface Parent {
  fk: ForeignKey;
  table: TableState;
}

interface TableState {
  model: TableModel;
  /** Its one integer key column, assigned from the id counter (unless a foreign key gives it). */
  counterKey: Column | null;
  parents: Parent[];
  children: TableState[];
  fkColumns: Set<string>;
  /** Non-key, non-foreign-key columns the workload writes, with their arbitraries. */
  written: { column: Column; arb: fc.Arbitrary<SqlParam>; omittable: boolean }[];
  keyArbs: Map<string, fc.Arbitrary<SqlParam>>;
  /** The append column (model/append.ts): every write of a row gives it one new token. */
  append: string | null;
  live: LiveRow[][];
  deleted: LiveRow[][];
  liveCount: number;
  deletedCount: number;
  nextK: number[];
  /** Keys drawn so far, so none is drawn twice; not kept for a lone uuid key (122 random bits never repeat). */
  trackKeys: boolean;
  used: Set<string>;
}

export class TableOpGenerator implements IterableIterator<TableOp> {
  private readonly mrng: fc.Random;
  private readonly tables: TableState[];
  private n = 0;
  private burst: { no: number; rows: LiveRow[]; remaining: number } | null = null;
  private bursts = 0;
  /** Tokens given to append columns so far: each is `t<n>`, unique in the run. */
  private tokens = 0;

  constructor(
    readonly seed: number,
    readonly profile: WorkloadProfile,
    tables: readonly TableModel[],
  ) {
    if (tables.length === 0) throw new Error('the table workload needs at least one table');
    this.mrng = seededRandom(seed);
    this.tables = tables.map((t) => tableState(t, profile));
    const byName = new Map(this.tables.map((t) => [t.model.name, t]));
    for (const t of this.tables) {
      for (const fk of t.model.foreignKeys) {
        const parent = byName.get(fk.references.table);
        if (parent === undefined || parent === t) {
          // A reference out of the captured tables (or to itself): written as NULL, so it can name nothing wrong.
          const required = fk.columns.filter((c) => !t.model.columns.find((x) => x.name === c)?.nullable);
          if (required.length > 0)
            throw new Error(
              `${t.model.name}.${fk.name}: references ${fk.references.table}, which the workload does not write, ` +
                `from NOT NULL column(s) ${required.join(', ')}: capture ${fk.references.table} too`,
            );
          continue;
        }
        const refs = fk.references.columns;
        if (refs.length !== parent.model.key.length || refs.some((c) => !parent.model.key.includes(c)))
          throw new Error(`${t.model.name}.${fk.name}: the workload writes foreign keys to the parent's key only`);
        t.parents.push({ fk, table: parent });
        parent.children.push(t);
        for (const c of fk.columns) t.fkColumns.add(c);
      }
      t.written = t.written.filter((w) => !t.fkColumns.has(w.column.name));
      if (t.counterKey !== null && t.fkColumns.has(t.counterKey.name)) t.counterKey = null;
      // A key (partly) given by a parent repeats unless the keys in use are remembered.
      if (t.model.key.some((k) => t.fkColumns.has(k))) t.trackKeys = true;
    }
    for (const t of this.tables) {
      const seen = new Set<TableState>();
      const visit = (x: TableState): void => {
        if (seen.has(x)) throw new Error(`the foreign keys of ${t.model.name} form a cycle: not supported`);
        seen.add(x);
        x.parents.forEach((p) => visit(p.table));
        seen.delete(x);
      };
      visit(t);
    }
  }

  [Symbol.iterator](): IterableIterator<TableOp> {
    return this;
  }

  next(): IteratorResult<TableOp> {
    const op = this.burst !== null ? this.burstUpdate() : this.fresh();
    return op === null ? { done: true, value: undefined } : { done: false, value: op };
  }

  /** Rows the generator believes live in `table` (assuming every op so far committed). */
  liveCount(table: string): number {
    return this.tables.find((t) => t.model.name === table)?.liveCount ?? 0;
  }

  /**
   * Hot keys: `hotKeyBurst.size` consecutive updates spread over 1–3 live rows. Nothing else runs in between, so
   * the rows stay live for the whole burst.
   */
  private startBurst(): TableOp | null {
    const tables = this.candidates('update', null);
    if (tables.length === 0) return null;
    const rows = new Set<LiveRow>();
    const want = this.mrng.nextInt(1, 3);
    for (let i = 0; i < want; i++) {
      const t = tables[this.mrng.nextInt(0, tables.length - 1)]!;
      rows.add(this.randomRow(t.live, null));
    }
    this.burst = { no: this.bursts++, rows: [...rows], remaining: this.profile.hotKeyBurst.size };
    return this.burstUpdate();
  }

  private burstUpdate(): TableOp {
    const b = this.burst!;
    const row = b.rows[b.rows.length === 1 ? 0 : this.mrng.nextInt(0, b.rows.length - 1)]!;
    if (--b.remaining <= 0) this.burst = null;
    return { n: this.n++, shard: row.shard, burst: b.no, ...this.update(row) };
  }

  private fresh(): TableOp | null {
    if (chance(this.mrng, this.profile.hotKeyBurst.probability)) {
      const op = this.startBurst();
      if (op !== null) return op;
    }
    const { mix } = this.profile;
    const weights = [...KINDS.map((k) => (this.candidates(k, null).length > 0 ? mix[k] : 0)), mix.txn];
    const k = pickWeighted(this.mrng, weights);
    if (k === 4) {
      const txn = this.txn();
      if (txn !== null) return txn;
    }
    // A step can turn out impossible (a second parent not live in the first one's shard, a used-up key type):
    // try the other kinds, in a fixed order, so the stream goes on.
    const first = k !== null && k < 4 ? [KINDS[k]!] : [];
    for (const kind of [...first, ...KINDS]) {
      if (this.candidates(kind, null).length === 0) continue;
      const made = this.steps(kind, null);
      if (made === null) continue;
      if (made.steps.length === 1) return { n: this.n++, shard: made.shard, ...made.steps[0]! };
      return { n: this.n++, shard: made.shard, kind: 'txn', steps: made.steps };
    }
    return null;
  }

  /** 2–5 steps on one shard, or a root row and children naming it. */
  private txn(): TableOp | null {
    const shard = this.randomShard();
    const steps: TableStep[] = [];
    const family = chance(this.mrng, FAMILY_TXN) ? this.family(shard) : null;
    if (family !== null) steps.push(...family);
    else {
      const count = this.mrng.nextInt(2, 5);
      for (let i = 0; i < count; i++) {
        const weights = KINDS.map((k) => (this.candidates(k, shard).length > 0 ? this.profile.mix[k] : 0));
        const k = pickWeighted(this.mrng, weights);
        if (k === null) break;
        const more = this.steps(KINDS[k]!, shard);
        if (more !== null) steps.push(...more.steps);
      }
    }
    if (steps.length === 0) return null;
    return { n: this.n++, shard, kind: 'txn', steps };
  }

  /** A row of a table with children, then 1–3 rows of each child table naming it. */
  private family(shard: number): TableStep[] | null {
    const roots = this.tables.filter((t) => t.children.length > 0 && this.canInsert(t, shard));
    if (roots.length === 0) return null;
    const root = roots[this.mrng.nextInt(0, roots.length - 1)]!;
    const first = this.insert(root, shard);
    if (first === null) return null;
    const steps = [first];
    for (const child of root.children) {
      const count = this.mrng.nextInt(1, 3);
      for (let i = 0; i < count && this.canInsert(child, shard); i++) {
        const s = this.insert(child, shard);
        if (s !== null) steps.push(s);
      }
    }
    return steps;
  }

  /** The tables where a step of `kind` is possible (within `shard` when given). */
  private candidates(kind: Kind, shard: number | null): TableState[] {
    return this.tables.filter((t) => {
      switch (kind) {
        case 'insert':
          return this.canInsert(t, shard);
        case 'update':
          return t.written.length > 0 && this.liveIn(t, shard) > 0;
        case 'delete':
          return this.liveIn(t, shard) > 0;
        case 'reinsert':
          return (
            t.liveCount < this.profile.keySpace && (shard === null ? t.deletedCount : t.deleted[shard]!.length) > 0
          );
      }
    });
  }

  /** The steps of one `kind` on a random candidate table; several for a delete of a row with children. */
  private steps(kind: Kind, shard: number | null): { shard: number; steps: TableStep[] } | null {
    const tables = this.candidates(kind, shard);
    if (tables.length === 0) return null;
    const t = tables[this.mrng.nextInt(0, tables.length - 1)]!;
    switch (kind) {
      case 'insert': {
        const s = this.insertShard(t, shard);
        const step = s === null ? null : this.insert(t, s);
        return step === null || s === null ? null : { shard: s, steps: [step] };
      }
      case 'update': {
        const row = this.randomRow(t.live, shard);
        return { shard: row.shard, steps: [this.update(row)] };
      }
      case 'delete': {
        const row = this.randomRow(t.live, shard);
        return { shard: row.shard, steps: this.delete(row) };
      }
      case 'reinsert': {
        const row = this.randomRow(t.deleted, shard);
        const step = this.reinsert(row);
        return step === null ? null : { shard: row.shard, steps: [step] };
      }
    }
  }

  private canInsert(t: TableState, shard: number | null): boolean {
    if (t.liveCount >= this.profile.keySpace) return false;
    for (const p of t.parents) if (!this.fkNullable(t, p.fk) && this.liveIn(p.table, shard) === 0) return false;
    if (t.counterKey === null) return true;
    if (shard !== null) return this.hasFresh(t, shard);
    for (let s = 0; s < ID_SHARDS; s++) if (this.hasFresh(t, s)) return true;
    return false;
  }

  /** Where a new row of `t` goes: its first parent's shard, or a shard with fresh ids. */
  private insertShard(t: TableState, shard: number | null): number | null {
    if (shard !== null) return shard;
    const first = t.parents[0];
    if (first !== undefined && !this.fkNullable(t, first.fk)) return this.randomRow(first.table.live, null).shard;
    const start = this.mrng.nextInt(0, ID_SHARDS - 1);
    for (let i = 0; i < ID_SHARDS; i++) {
      const s = (start + i) % ID_SHARDS;
      if (t.counterKey === null || this.hasFresh(t, s)) return s;
    }
    return null;
  }

  private hasFresh(t: TableState, shard: number): boolean {
    const { base, span } = this.profile.ids;
    const id = base + t.nextK[shard]! * ID_SHARDS + shard;
    return id < base + span && id <= INT_MAX[t.counterKey!.type.kind]!;
  }

  /** A new row of `t` in `shard`, naming live parents there; null when a required parent is missing. */
  private insert(t: TableState, shard: number): TableStep | null {
    const values: Record<string, SqlParam> = {};
    const parents = this.pickParents(t, shard, null);
    if (parents === null) return null;
    t.parents.forEach((p, i) => {
      const parent = parents[i] ?? null;
      p.fk.columns.forEach((c, j) => (values[c] = parent === null ? null : parent.where[p.fk.references.columns[j]!]!));
    });
    const key = this.newKey(t, shard, values);
    if (key === null) return null;
    this.drawValues(t, values, true);
    this.appendToken(t, values);
    const row = this.addLive(t, shard, key.text, key.where, parents);
    return { kind: 'insert', table: t.model.name, key: row.key, values };
  }

  private reinsert(row: LiveRow): TableStep | null {
    const t = row.table;
    const parents = this.pickParents(t, row.shard, row);
    if (parents === null) return null;
    const values: Record<string, SqlParam> = { ...row.where };
    t.parents.forEach((p, i) => {
      const parent = parents[i] ?? null;
      p.fk.columns.forEach((c, j) => (values[c] = parent === null ? null : parent.where[p.fk.references.columns[j]!]!));
    });
    this.drawValues(t, values, true);
    this.appendToken(t, values);
    this.remove(t.deleted[row.shard]!, row);
    t.deletedCount--;
    this.addLive(t, row.shard, row.key, row.where, parents, row);
    return { kind: 'reinsert', table: t.model.name, key: row.key, values };
  }

  private update(row: LiveRow): TableStep {
    const t = row.table;
    const set: Record<string, SqlParam> = {};
    for (const w of t.written) if (chance(this.mrng, 0.5)) set[w.column.name] = draw(w.arb, this.mrng);
    if (Object.keys(set).length === 0 && t.written.length > 0) {
      const w = t.written[this.mrng.nextInt(0, t.written.length - 1)]!;
      set[w.column.name] = draw(w.arb, this.mrng);
    }
    this.appendToken(t, set);
    if (Object.keys(set).length === 0) throw new Error(`${t.model.name}: no column the workload can update`);
    return { kind: 'update', table: t.model.name, key: row.key, where: { ...row.where }, set };
  }

  /** The write's new token for the table's append column (the statement inserts it as a list, or appends it). */
  private appendToken(t: TableState, values: Record<string, SqlParam>): void {
    if (t.append !== null) values[t.append] = `t${this.tokens++}`;
  }

  /** The row's live descendants' deletes, deepest first, then its own. */
  private delete(row: LiveRow): TableStep[] {
    const steps: TableStep[] = [];
    for (const child of [...row.children]) steps.push(...this.delete(child));
    const t = row.table;
    this.remove(t.live[row.shard]!, row);
    t.liveCount--;
    row.parents.forEach((p) => p?.children.delete(row));
    const deleted = t.deleted[row.shard]!;
    if (deleted.length >= DELETED_PER_SHARD_CAP) {
      // Forget one (deterministically) so memory stays bounded in long runs; it just won't be reinserted.
      this.remove(deleted, deleted[0]!);
      t.deletedCount--;
    }
    row.pos = deleted.push(row) - 1;
    t.deletedCount++;
    steps.push({ kind: 'delete', table: t.model.name, key: row.key, where: { ...row.where } });
    return steps;
  }

  /**
   * A live parent in `shard` per foreign key (null where the columns may be NULL and none is live, or by chance);
   * for a reinsert, a foreign key inside the key keeps the row's own parent. Null when a required one is missing.
   */
  private pickParents(t: TableState, shard: number, again: LiveRow | null): (LiveRow | null)[] | null {
    const out: (LiveRow | null)[] = [];
    for (const [i, p] of t.parents.entries()) {
      const inKey = p.fk.columns.some((c) => t.model.key.includes(c));
      if (again !== null && inKey) {
        const own = again.parents[i] ?? null;
        if (own === null || own.pos < 0 || p.table.live[shard]![own.pos] !== own) return null;
        out.push(own);
        continue;
      }
      const live = p.table.live[shard]!;
      const nullable = this.fkNullable(t, p.fk);
      if (live.length === 0 || (nullable && chance(this.mrng, 0.1))) {
        if (!nullable) return null;
        out.push(null);
      } else out.push(live[this.mrng.nextInt(0, live.length - 1)]!);
    }
    return out;
  }

  /** The new row's key: from the id counter, or drawn until unused; key columns a foreign key gave are kept. */
  private newKey(
    t: TableState,
    shard: number,
    values: Record<string, SqlParam>,
  ): { text: string; where: Record<string, SqlParam> } | null {
    const { model } = t;
    for (let attempt = 0; attempt < 20; attempt++) {
      const where: Record<string, SqlParam> = {};
      if (t.counterKey !== null && !this.hasFresh(t, shard)) return null;
      for (const k of model.key) {
        if (k in values) where[k] = values[k]!;
        else if (t.counterKey?.name === k) where[k] = this.profile.ids.base + t.nextK[shard]!++ * ID_SHARDS + shard;
        else where[k] = draw(t.keyArbs.get(k)!, this.mrng);
      }
      const row: Record<string, SqlParam | number | string | boolean> = {};
      for (const k of model.key) {
        const v = intentOf(
          model.columns.find((c) => c.name === k)!,
          where[k]!,
        );
        if (v === undefined || v === null) throw new Error(`${model.name}.${k}: a key value ${String(where[k])}`);
        row[k] = v;
      }
      const text = rowKey(model, row as Row);
      if (t.trackKeys && t.used.has(text)) continue;
      if (t.trackKeys) t.used.add(text);
      Object.assign(values, where);
      return { text, where };
    }
    return null; // the key space of a small key type is used up
  }

  private drawValues(t: TableState, values: Record<string, SqlParam>, insert: boolean): void {
    const omit = insert && chance(this.mrng, OMIT_DEFAULTS);
    for (const w of t.written) {
      if (omit && w.omittable) continue;
      values[w.column.name] = draw(w.arb, this.mrng);
    }
  }

  private addLive(
    t: TableState,
    shard: number,
    key: string,
    where: Record<string, SqlParam>,
    parents: (LiveRow | null)[],
    reuse?: LiveRow,
  ): LiveRow {
    const row: LiveRow = reuse ?? { table: t, key, where, shard, parents, children: new Set(), pos: -1 };
    row.parents = parents;
    row.children = new Set();
    parents.forEach((p) => p?.children.add(row));
    row.pos = t.live[shard]!.push(row) - 1;
    t.liveCount++;
    return row;
  }

  /** Swap-remove, keeping every row's `pos` right. */
  private remove(list: LiveRow[], row: LiveRow): void {
    const last = list.pop()!;
    if (last !== row) {
      list[row.pos] = last;
      last.pos = row.pos;
    }
    row.pos = -1;
  }

  private fkNullable(t: TableState, fk: ForeignKey): boolean {
    return fk.columns.every((c) => t.model.columns.find((x) => x.name === c)?.nullable === true);
  }

  private liveIn(t: TableState, shard: number | null): number {
    return shard === null ? t.liveCount : t.live[shard]!.length;
  }

  /** A random row of the lists, weighted by the shards' sizes (within `shard` when given). */
  private randomRow(lists: LiveRow[][], shard: number | null): LiveRow {
    if (shard !== null) {
      const l = lists[shard]!;
      return l[this.mrng.nextInt(0, l.length - 1)]!;
    }
    let total = 0;
    for (const l of lists) total += l.length;
    let r = this.mrng.nextInt(0, total - 1);
    for (const l of lists) {
      if (r < l.length) return l[r]!;
      r -= l.length;
    }
    throw new Error('randomRow: no rows');
  }

  /** The shard of a random live row of any table, or any shard when nothing is live. */
  private randomShard(): number {
    const withRows = this.tables.filter((t) => t.liveCount > 0);
    if (withRows.length === 0) return this.mrng.nextInt(0, ID_SHARDS - 1);
    const t = withRows[this.mrng.nextInt(0, withRows.length - 1)]!;
    return this.randomRow(t.live, null).shard;
  }
}

/** Elasticsearch's limits on a document `_id`. */
export const ID_MAX_BYTES = 512;
const idBytesOk = (n: number): boolean => n > 0 && n <= ID_MAX_BYTES;

function tableState(model: TableModel, profile: WorkloadProfile): TableState {
  const keyCols = model.key.map((k) => {
    const c = model.columns.find((x) => x.name === k);
    if (c === undefined) throw new Error(`${model.name}: key column ${k} is not a column`);
    if (c.generated) throw new Error(`${model.name}: key column ${k} is generated: the workload cannot choose keys`);
    return c;
  });
  const only = keyCols.length === 1 ? keyCols[0]! : null;
  const counterKey = only !== null && ['int2', 'int4', 'int8'].includes(only.type.kind) ? only : null;
  if (counterKey !== null && profile.ids.base > INT_MAX[counterKey.type.kind]!)
    throw new Error(
      `${model.name}.${counterKey.name} is ${formatPgType(counterKey.type)}: profile.ids.base ` +
        `${profile.ids.base} is beyond its range; lower profile.ids.base`,
    );
  const written: TableState['written'] = [];
  for (const column of model.columns) {
    // Postgres computes a generated or id column; the append column gets its own token (appendToken).
    if (model.key.includes(column.name) || column.name === model.append || isComputed(model, column)) continue;
    // A column the checker does not compare is left to its default (or NULL).
    if (column.lossy !== undefined) {
      if (!column.nullable && column.default === null)
        throw new Error(`${model.name}.${column.name}: NOT NULL without a default, and not compared (lossy)`);
      continue;
    }
    const omittable = column.default !== null && (column.nullable || defaultIntent(column) !== undefined);
    written.push({ column, arb: valueArb(column), omittable });
  }
  // A one-column key is the document's _id, which Elasticsearch takes only non-empty and up to 512 bytes: a row
  // keyed otherwise can be indexed by no sink (it fails, or drops the record), so the workload writes none.
  const keyArb = (c: Column): fc.Arbitrary<SqlParam> => {
    const arb = valueArb({ ...c, nullable: false });
    return keyCols.length === 1 ? arb.filter((v) => idBytesOk(Buffer.byteLength(String(v)))) : arb;
  };
  const keyArbs = new Map(keyCols.map((c) => [c.name, keyArb(c)]));
  return {
    model,
    counterKey,
    parents: [],
    children: [],
    fkColumns: new Set(),
    written,
    keyArbs,
    append: model.append ?? null,
    live: Array.from({ length: ID_SHARDS }, () => []),
    deleted: Array.from({ length: ID_SHARDS }, () => []),
    liveCount: 0,
    deletedCount: 0,
    nextK: new Array<number>(ID_SHARDS).fill(0),
    trackKeys: counterKey === null && !(only !== null && only.type.kind === 'uuid'),
    used: new Set(),
  };
}

/** The first n ops of (seed, profile, tables). */
export function takeTableOps(
  seed: number,
  profile: WorkloadProfile,
  tables: readonly TableModel[],
  n: number,
): TableOp[] {
  const out: TableOp[] = [];
  const gen = new TableOpGenerator(seed, profile, tables);
  while (out.length < n) {
    const r = gen.next();
    if (r.done) break;
    out.push(r.value);
  }
  return out;
}
