/**
 * A wide synthetic table for the checker benchmark: a bigint key and fourteen typed columns, one of each type
 * family the checker reads (integers of three widths, a double, a NUMERIC(12,4), a boolean, text, a varchar, a
 * uuid, an enum, jsonb, a date, a timestamptz, a text[]). Rows are in the codecs' normalised form (what the
 * snapshot reader gives); documents are what Debezium's JSON converter and a realistic sink put in the index
 * (decimal.handling.mode=string, jsonb as Postgres prints it, ISO dates from a date-converting transform,
 * timestamptz as Debezium's ZonedTimestamp with microseconds), read through WIDE_MAPPING. Everything is a pure
 * function of the row number, so every run sees the same data, generated lazily.
 */
import type { PgType } from '../../harness/model/pg-type.ts';
import type { Column, Row, TableModel } from '../../harness/model/table.ts';
import type { EsDoc } from '../../harness/record/anomalies.ts';
import type { HistoryEntry } from '../../harness/record/history.ts';

const column = (name: string, type: PgType, nullable = true): Column => ({
  name,
  type,
  nullable,
  default: null,
  toastable: false,
});

const STATUSES = ['new', 'paid', 'shipped', 'cancelled'] as const;

/** 1 key + 14 columns. */
export const WIDE: TableModel = {
  name: 'wide',
  key: ['id'],
  columns: [
    column('id', { kind: 'int8' }, false),
    column('small', { kind: 'int2' }, false),
    column('qty', { kind: 'int4' }),
    column('big', { kind: 'int8' }),
    column('ratio', { kind: 'float8' }),
    column('amount', { kind: 'numeric', precision: 12, scale: 4 }, false),
    column('active', { kind: 'bool' }, false),
    column('label', { kind: 'text' }),
    column('code', { kind: 'varchar', length: 32 }, false),
    column('ref', { kind: 'uuid' }, false),
    column('status', { kind: 'enum', name: 'wide_status', labels: STATUSES }, false),
    column('attrs', { kind: 'jsonb' }),
    column('day', { kind: 'date' }),
    column('at', { kind: 'timestamptz', precision: null }, false),
    column('tags', { kind: 'array', element: { kind: 'text' } }),
  ],
  foreignKeys: [],
  replicaIdentity: 'default',
};

/** The index mapping a team would write for it (GET <index>/_mapping's `mappings`). */
export const WIDE_MAPPING = {
  properties: {
    id: { type: 'long' },
    small: { type: 'short' },
    qty: { type: 'integer' },
    big: { type: 'long' },
    ratio: { type: 'double' },
    amount: { type: 'scaled_float', scaling_factor: 10_000 },
    active: { type: 'boolean' },
    label: { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } },
    code: { type: 'keyword' },
    ref: { type: 'keyword' },
    status: { type: 'keyword' },
    attrs: { type: 'keyword', index: false, doc_values: false },
    day: { type: 'date', format: 'strict_date' },
    at: { type: 'date_nanos' },
    tags: { type: 'keyword' },
  },
};

/** Keys above 2^32: a bigint key, numeric in the join. */
const KEY_BASE = 10_000_000_000;
const T0 = 1_700_000_000_000;
const DAY_MS = 86_400_000;

export const wideKey = (i: number): number => KEY_BASE + i;

/** A deterministic v4-shaped uuid of i (lowercase, as Postgres prints a uuid). */
function uuidOf(i: number): string {
  const a = ((i * 2_654_435_761) >>> 0).toString(16).padStart(8, '0');
  const b = i.toString(16).padStart(12, '0').slice(-12);
  return `${a}-${b.slice(0, 4)}-4${b.slice(4, 7)}-8${b.slice(7, 10)}-${a}${b.slice(8, 12)}`;
}

/** Row i's jsonb value (null every 19th row). */
export function wideAttrs(i: number, version: number): Record<string, unknown> | null {
  if (i % 19 === 0) return null;
  return {
    size: i % 5,
    color: COLORS[i % 3],
    dims: { w: (i % 100) + 0.5, h: i % 37 },
    flags: i % 2 === 0 ? [] : ['fragile', version],
  };
}
const COLORS = ['red', 'green', 'blue'] as const;

/**
 * wideAttrs' texts, written out rather than serialised (a million rows twice over): the row's canonical JSON
 * (keys in code-point order, no spaces; the test checks it against canonicalJson), and Postgres' jsonb text as
 * Debezium sends it (keys by length then bytes, ", " and ": " between items): one value, two texts.
 */
function attrsTexts(i: number, version: number): { canonical: string; pg: string } | null {
  if (i % 19 === 0) return null;
  const color = COLORS[i % 3]!;
  const [w, h, size] = [(i % 100) + 0.5, i % 37, i % 5];
  const flags = i % 2 === 0 ? '[]' : `["fragile",${version}]`;
  const pgFlags = i % 2 === 0 ? '[]' : `["fragile", ${version}]`;
  return {
    canonical: `{"color":"${color}","dims":{"h":${h},"w":${w}},"flags":${flags},"size":${size}}`,
    pg: `{"dims": {"h": ${h}, "w": ${w}}, "size": ${size}, "color": "${color}", "flags": ${pgFlags}}`,
  };
}

function tagsOf(i: number, version: number): (string | null)[] | null {
  if (i % 23 === 0) return null;
  if (i % 13 === 0) return [];
  const tags: (string | null)[] = [`t${i % 10}`, `v${version}`];
  if (i % 17 === 0) tags.push(null);
  return tags;
}

/** Row i's state: version 1 as inserted, version 2 after its update (every third row). */
function wideAt(i: number, version: 1 | 2): { row: Row; attrs: string | null; tags: unknown } {
  const attrs = attrsTexts(i, version);
  const tags = tagsOf(i, version);
  const at = T0 + i * 1000 + (i % 1000) + (version - 1) * 3_600_000;
  const row: Row = {
    id: wideKey(i),
    small: (i % 65_536) - 32_768,
    qty: i % 29 === 0 ? null : ((i * 7919) % 2_000_000_000) - 1_000_000_000,
    big: i % 31 === 0 ? null : i * 1_000_003 - 2 ** 40,
    ratio: i % 37 === 0 ? null : i / 7 - 1000,
    amount:
      version === 1
        ? `${(i * 13) % 99_999_999}.${String(i % 10_000).padStart(4, '0')}`
        : `${i % 5000}.${String((i * 7) % 10_000).padStart(4, '0')}`,
    active: i % 3 !== 0,
    label: i % 11 === 0 ? null : `Item ${i} – déjà vu ☕ ${'x'.repeat(i % 40)}`,
    code: `SKU-${i.toString(36).toUpperCase()}`,
    ref: uuidOf(i),
    status: STATUSES[(i + version) % 4]!,
    attrs: attrs === null ? null : attrs.canonical,
    day: i % 41 === 0 ? null : new Date(T0 + (i % 20_000) * DAY_MS).toISOString().slice(0, 10),
    at,
    tags: tags === null ? null : JSON.stringify(tags),
  };
  return { row, attrs: attrs === null ? null : attrs.pg, tags };
}

const updated = (i: number): boolean => i % 3 === 0;
const deleted = (i: number): boolean => i % 50 === 0;

/** The row's first committed state (its insert). */
export function wideFirst(i: number): Row {
  return wideAt(i, 1).row;
}

/** The row as Postgres holds it at the end (deleted rows included: the state before the delete). */
export function wideLatest(i: number): Row {
  return wideAt(i, updated(i) ? 2 : 1).row;
}

/** Row i's document at that version, as the sink indexes it. */
export function wideDoc(i: number, version: 1 | 2): EsDoc {
  const { row, attrs, tags } = wideAt(i, version);
  const ms = row['at'] as number;
  // ZonedTimestamp: UTC ISO text with the microseconds Postgres kept (the row floors them to the millisecond).
  const at = `${new Date(ms).toISOString().slice(0, -1)}${String((i * 7) % 1000).padStart(3, '0')}Z`;
  return {
    _id: String(row['id']),
    _source: {
      id: row['id'],
      small: row['small'],
      qty: row['qty'],
      big: row['big'],
      ratio: row['ratio'],
      amount: row['amount'], // decimal.handling.mode=string: the plain decimal at the column's scale
      active: row['active'],
      label: row['label'],
      code: row['code'],
      ref: row['ref'],
      status: row['status'],
      attrs,
      day: row['day'],
      at,
      tags,
    },
  };
}

/** Insert every row, update every third, delete every fiftieth: 1.39 versions per key. */
export function* wideHistory(n: number): Generator<HistoryEntry<Row>> {
  let seq = 0;
  const entry = (i: number, kind: HistoryEntry['kind'], after: Row | null): HistoryEntry<Row> => ({
    seq: seq++,
    kind,
    worker: 0,
    request: null,
    effects: [{ product_id: wideKey(i), key: String(wideKey(i)), table: WIDE.name, after }],
    sendMs: T0 + seq,
    ackMs: T0 + seq,
    outcome: 'ok',
  });
  for (let i = 1; i <= n; i++) yield entry(i, 'insert', wideFirst(i));
  for (let i = 3; i <= n; i += 3) yield entry(i, 'update', wideLatest(i));
  for (let i = 50; i <= n; i += 50) yield entry(i, 'delete', null);
}

/** Postgres' rows in key order, normalised. */
export function* wideRows(n: number): Generator<Row> {
  for (let i = 1; i <= n; i++) if (!deleted(i)) yield wideLatest(i);
}

/**
 * The index's documents in key order; with anomalies, one of each kind per 30 000 rows, as for products:
 * 1 missing, 50 zombie, 3 stale, 4 corrupt (its amount as decimal.handling.mode=precise's base64), 5 duplicate.
 */
export function* wideDocs(n: number, anomalies: boolean): Generator<EsDoc> {
  for (let i = 1; i <= n; i++) {
    const planted = anomalies ? i % 30_000 : -1;
    if (planted === 1) continue;
    if (deleted(i) && planted !== 50) continue;
    const doc = wideDoc(i, planted === 3 || !updated(i) ? 1 : 2);
    if (planted === 4) doc._source['amount'] = 'AQID';
    yield doc;
    if (planted === 5) yield { ...doc, _id: `wide+0+${wideKey(i)}` };
  }
}
