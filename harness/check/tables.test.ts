import { describe, expect, it } from 'vitest';
import { codecOf } from '../model/codecs.ts';
import { rowKey, type Column, type Row, type TableModel } from '../model/table.ts';
import type { EsDoc } from '../record/anomalies.ts';
import type { HistoryEntry } from '../record/history.ts';
import type { RunReport } from '../record/report.ts';
import { evidenceLines } from '../report/labels.ts';
import { compare } from './compare.ts';
import { compareKeys, keyOrderOf } from './keys.ts';
import { indexReadingOf } from './mapping.ts';
import { byKeyThenId } from './read-es.ts';
import { snapshotSelect } from './read-pg.ts';
import { buildVersions } from './versions.ts';
import { readSource, unexpectedFields } from './normalise.ts';

/** A column of a test table. */
export function col(name: string, type: Column['type'], nullable = true): Column {
  return { name, type, nullable, default: null, toastable: false };
}

describe('column names that are the reading’s own words', () => {
  const odd: TableModel = {
    name: 'odd',
    key: ['id'],
    columns: [
      col('id', { kind: 'int8' }, false),
      col('declared', { kind: 'text' }),
      col('table', { kind: 'text' }),
      col('columns', { kind: 'text' }),
      col('constructor', { kind: 'text' }),
    ],
    foreignKeys: [],
    replicaIdentity: 'default',
  };

  it('each is read by its own mapping, and is explained by the row', () => {
    const mapping = {
      properties: {
        declared: { type: 'keyword', ignore_above: 3 },
        table: { type: 'keyword', ignore_above: 3 },
        constructor: { type: 'keyword', ignore_above: 3 },
      },
    };
    const reading = indexReadingOf(mapping, [], odd);
    const source = { id: 1, declared: 'ab', table: 'cd', columns: 'a long one', constructor: 'ef' };
    expect(readSource(source, reading)).toEqual({ ok: true, row: source });
    expect(unexpectedFields(source, reading)).toEqual([]);
    for (const name of ['declared', 'table', 'constructor'])
      expect(readSource({ ...source, [name]: 'long' }, reading)).toMatchObject({ ok: false, field: name });
  });
});

/** A history of one table: each call one ok op with one effect, seq and ackMs in call order. */
class Ops {
  readonly entries: HistoryEntry<Row>[] = [];
  constructor(private readonly table: TableModel) {}
  write(after: Row, outcome: HistoryEntry['outcome'] = 'ok'): this {
    return this.effect(rowKey(this.table, after), after, outcome);
  }
  delete(key: Row): this {
    return this.effect(rowKey(this.table, key), null, 'ok');
  }
  private effect(key: string, after: Row | null, outcome: HistoryEntry['outcome']): this {
    const seq = this.entries.length;
    const kind = after === null ? 'delete' : 'update';
    const pid = keyOrderOf(this.table).numeric ? Number(key) : -1;
    const effects = [{ product_id: pid, key, after }];
    this.entries.push({ seq, kind, worker: 0, request: {}, effects, sendMs: seq, ackMs: seq, outcome });
    return this;
  }
}

const model = (name: string, key: string[], columns: Column[]): TableModel => ({
  name,
  key,
  columns,
  foreignKeys: [],
  replicaIdentity: 'default',
});

/** Three tables that are not products, one per kind of key, each with a row factory `at(i, note)`. */
const TABLES = [
  {
    kind: 'bigint key',
    table: model('events', ['id'], [col('id', { kind: 'int8' }, false), col('note', { kind: 'text' })]),
    at: (i: number, note: string | null): Row => ({ id: 2 ** 40 + i, note }),
    // Numeric order: 2^40 + 10 after 2^40 + 9 (as text it would sort first).
  },
  {
    kind: 'uuid key',
    table: model(
      'accounts',
      ['account_id'],
      [col('account_id', { kind: 'uuid' }, false), col('note', { kind: 'text' })],
    ),
    at: (i: number, note: string | null): Row => ({
      account_id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      note,
    }),
  },
  {
    kind: 'composite key',
    table: model(
      'sales.lines',
      ['order_id', 'region'],
      [col('order_id', { kind: 'int8' }, false), col('region', { kind: 'text' }, false), col('note', { kind: 'text' })],
    ),
    at: (i: number, note: string | null): Row => ({ order_id: Math.floor(i / 2), region: i % 2 ? 'eu' : 'us', note }),
  },
  {
    kind: 'composite key and an id column',
    table: {
      ...model(
        'stock',
        ['warehouse', 'sku'],
        [
          col('warehouse', { kind: 'int2' }, false),
          col('sku', { kind: 'text' }, false),
          col('note', { kind: 'text' }),
          { ...col('doc_id', { kind: 'text' }, false), generated: true },
        ],
      ),
      idColumn: 'doc_id',
    },
    at: (i: number, note: string | null): Row => ({ warehouse: i % 3, sku: `s${i}`, note, doc_id: `${i % 3}/s${i}` }),
  },
];

describe.each(TABLES)('a table with a $kind, through compare', ({ table, at }) => {
  const order = keyOrderOf(table);
  const doc = (row: Row, id = order.docId(order.ofRow(row), row)) => ({ _id: id, _source: { ...row } });
  const sortRows = (rows: Row[]) => rows.sort((a, b) => compareKeys(order.ofRow(a), order.ofRow(b)));
  const sortDocs = (docs: EsDoc[]) =>
    docs
      .map((d) => ({ key: order.ofSource(d._source), doc: d }))
      .sort(byKeyThenId)
      .map((k) => k.doc);

  it('every class, each on its own key, with the key named', async () => {
    const h = new Ops(table);
    // 1 equal, 2 missing, 3 zombie (deleted), 4 stale, 5 corrupt, 6 duplicate, 7 wrong-id, 8 unexpected-field
    for (let i = 1; i <= 8; i++) h.write(at(i, 'v1'));
    for (const i of [4, 5, 6, 7, 8]) h.write(at(i, 'v2'));
    h.delete(at(3, null));
    const pg = sortRows([1, 2, 4, 5, 6, 7, 8].map((i) => at(i, i === 1 || i === 2 ? 'v1' : 'v2')));
    const es = sortDocs([
      doc(at(1, 'v1')),
      doc(at(3, 'v1')),
      doc(at(4, 'v1')),
      doc(at(5, 'never')),
      doc(at(6, 'v2')),
      doc(at(6, 'v2'), 'copy'),
      doc(at(7, 'v2'), 'elsewhere'),
      { _id: order.docId(order.ofRow(at(8, 'v2')), at(8, 'v2')), _source: { ...at(8, 'v2'), __deleted: 'false' } },
    ]);
    const c = await compare({
      versions: buildVersions(h.entries, table),
      pg,
      es,
      reading: indexReadingOf(undefined, [], table),
    });
    const keyOf = (i: number) => String(order.ofRow(at(i, null)));
    const classes = Object.fromEntries(Object.entries(c.examples).map(([cls, list]) => [cls, list.map((a) => a.key)]));
    expect(classes).toEqual({
      missing: [keyOf(2)],
      zombie: [keyOf(3)],
      stale: [keyOf(4)],
      corrupt: [keyOf(5)],
      duplicate: [keyOf(6)],
      'wrong-id': [keyOf(7)],
      'unexpected-field': [keyOf(8)],
    });
    expect(c.setupErrors.count).toBe(0);
    expect(c.examples.stale[0]!.detail).toMatch(/^equals version 1 of 2/);
    // The _id a document must have: the key's, or the id column's value where the table has one.
    const must = table.idColumn ? `is not its ${table.idColumn} "1/s7"` : `is not the ${order.name}`;
    expect(c.examples['wrong-id'][0]!.detail).toContain(must);
    expect(c.examples.zombie[0]!.detail).toMatch(/deleted at op #/);
  });

  it('a Postgres row the history does not explain is a setup error named by its key', async () => {
    const h = new Ops(table).write(at(1, 'v1'));
    const row = at(1, 'other');
    const c = await compare({
      versions: buildVersions(h.entries, table),
      pg: [row],
      es: [doc(row)],
      reading: indexReadingOf(undefined, [], table),
    });
    expect(c.setupErrors.examples.map((e) => e.key)).toEqual([String(order.ofRow(row))]);
  });

  it('rows out of the join order are refused', async () => {
    const rows = sortRows([at(1, 'a'), at(10, 'a')]).reverse();
    const run = compare({
      versions: buildVersions([], table),
      pg: rows,
      es: [],
      reading: indexReadingOf(undefined, [], table),
    });
    await expect(run).rejects.toThrow(/out of order/);
  });
});

describe('key order', () => {
  it('a bigint key joins in numeric order, any other key by its text', () => {
    const [events, accounts, lines] = TABLES.map((t) => keyOrderOf(t.table));
    expect(events!.numeric).toBe(true);
    expect(compareKeys(events!.ofRow({ id: 9 }), events!.ofRow({ id: 10 }))).toBe(-1);
    expect(accounts!.numeric).toBe(false);
    expect(lines!.ofRow({ order_id: 4, region: 'eu', note: null })).toBe('[4,"eu"]');
    expect(lines!.ofSource({ order_id: '4', region: 'eu' })).toBe('[4,"eu"]');
    expect(lines!.ofSource({ order_id: 4 })).toBeUndefined();
    expect(lines!.name).toBe('(order_id, region)');
  });

  it('a document whose key cannot be read is corrupt, named by its _id', async () => {
    const t = TABLES[1]!.table;
    const c = await compare({
      versions: buildVersions([], t),
      pg: [],
      es: [{ _id: 'x', _source: { note: 'n' } }],
      reading: indexReadingOf(undefined, [], t),
    });
    expect(c.examples.corrupt.map((a) => [a.key, a.detail])).toEqual([
      ['x', 'account_id undefined: not a key of accounts (_id x)'],
    ]);
  });
});

describe('lossy columns', () => {
  const audit = model(
    'audit',
    ['id'],
    [
      col('id', { kind: 'int8' }, false),
      col('note', { kind: 'text' }),
      { ...col('at', { kind: 'time', precision: null }), lossy: 'time has no normaliser' },
    ],
  );

  it('are named by the comparison and never compared', async () => {
    const h = new Ops(audit).write({ id: 1, note: 'a' });
    const c = await compare({
      versions: buildVersions(h.entries, audit),
      pg: [{ id: 1, note: 'a' }],
      es: [{ _id: '1', _source: { id: 1, note: 'a', at: 'anything' } }],
      reading: indexReadingOf(undefined, [], audit),
    });
    expect(c.equal).toBe(true);
    expect(c.notCompared).toEqual(['audit.at']);
    const products = await compare({ versions: buildVersions([]), pg: [], es: [] });
    expect(products.notCompared).toBeUndefined();
  });

  it('are a line of the report', () => {
    const lines = evidenceLines({ notCompared: ['audit.at'], budget: {} } as unknown as RunReport);
    expect(lines).toContainEqual({ what: 'not compared (lossy)', result: 'audit.at', bad: false, examples: [] });
  });
});

describe('every type read by its mapping, not by its raw value', () => {
  const typed = model(
    'typed',
    ['id'],
    [
      col('id', { kind: 'int8' }, false),
      col('qty', { kind: 'int4' }),
      col('ratio', { kind: 'float8' }),
      col('paid', { kind: 'bool' }),
      col('born', { kind: 'date' }),
      col('ref', { kind: 'uuid' }),
      col('state', { kind: 'enum', name: 'state', labels: ['new', 'done'] }),
      col('prefs', { kind: 'jsonb' }),
    ],
  );
  const row: Row = {
    id: 1,
    qty: 300,
    ratio: 2.5,
    paid: true,
    born: '2024-01-01',
    ref: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
    state: 'new',
    prefs: '{"a":1,"b":[true,null]}',
  };
  const raw = (name: string, value: unknown) => codecOf(typed.columns.find((c) => c.name === name)!)!.fromPg(value);
  const read = (props: Record<string, unknown>, source: Record<string, unknown>) =>
    readSource<Row>({ ...row, ...source }, indexReadingOf({ properties: props }, [], typed));

  /** The raw reading calls the document's value the row's; the mapping's reading does not. */
  const caught = (name: string, mapping: Record<string, unknown>, value: unknown) => {
    expect(raw(name, value)).toBe(row[name]);
    const r = read({ [name]: mapping }, { [name]: value });
    expect(r.ok ? r.row[name] : r.field).not.toBe(row[name]);
    return r;
  };

  it('the healthy forms are the row', () => {
    const props = {
      qty: { type: 'integer' },
      ratio: { type: 'double' },
      paid: { type: 'boolean' },
      born: { type: 'date' },
      ref: { type: 'keyword' },
      state: { type: 'keyword' },
    };
    expect(read(props, {})).toEqual({ ok: true, row });
    expect(read(props, { qty: '300', paid: 'true', born: Date.UTC(2024, 0, 1) })).toEqual({ ok: true, row });
  });

  it('integers: a byte or short field does not hold the value', () => {
    expect(caught('qty', { type: 'byte' }, 300)).toMatchObject({ ok: false, reason: "out of byte's range" });
    expect(read({ qty: { type: 'short' } }, {})).toEqual({ ok: true, row });
    expect(caught('qty', { type: 'keyword' }, '0300')).toMatchObject({ ok: true });
  });

  it('floats: an integer or scaled_float field holds another number', () => {
    expect(caught('ratio', { type: 'long' }, 2.5)).toMatchObject({ ok: true, row: { ratio: '2.5 (held as 2)' } });
    expect(caught('ratio', { type: 'scaled_float', scaling_factor: 1 }, 2.5)).toMatchObject({ ok: true });
    expect(read({ ratio: { type: 'float' } }, {})).toEqual({ ok: true, row });
  });

  it('booleans: "t" is no boolean to Elasticsearch, "true" is', () => {
    expect(caught('paid', { type: 'boolean' }, 't')).toMatchObject({ ok: false, field: 'paid' });
    expect(read({ paid: { type: 'boolean' } }, { paid: 'true' })).toEqual({ ok: true, row });
    expect(caught('paid', { type: 'long' }, true)).toMatchObject({ ok: false, field: 'paid' });
  });

  it("dates: Debezium's days since the epoch are milliseconds to a date field", () => {
    const days = Date.UTC(2024, 0, 1) / 86_400_000;
    expect(caught('born', { type: 'date' }, days)).toMatchObject({ ok: true });
    expect(read({ born: { type: 'date', format: 'epoch_second' } }, { born: Date.UTC(2024, 0, 1) / 1000 })).toEqual({
      ok: true,
      row,
    });
    expect(caught('born', { type: 'date', format: 'epoch_second' }, '2024-01-01')).toMatchObject({ ok: false });
  });

  it('uuid and enum: an analysed text field without a keyword finds no exact value', () => {
    expect(caught('ref', { type: 'text' }, row['ref'])).toMatchObject({ ok: false, field: 'ref' });
    expect(caught('state', { type: 'text' }, 'new')).toMatchObject({ ok: false, field: 'state' });
    const withKeyword = { type: 'text', fields: { keyword: { type: 'keyword' } } };
    expect(read({ ref: withKeyword, state: withKeyword }, {})).toEqual({ ok: true, row });
    // A free-text column is read as text, as before.
    expect(readSource({ product_id: 1, name: 'n', price: '1.00' })).toMatchObject({ ok: true });
  });

  it('jsonb: an object field holds the value, a string field its text; JSON text in an object field is wrong', () => {
    const text = '{"a": 1, "b": [true, null]}'; // as Debezium sends it: Postgres' jsonb text, a string
    const value = { b: [true, null], a: 1 };
    expect(read({ prefs: { type: 'object', enabled: false } }, { prefs: value })).toEqual({ ok: true, row });
    expect(read({ prefs: { properties: { a: { type: 'long' } } } }, { prefs: value })).toEqual({ ok: true, row });
    expect(read({ prefs: { type: 'keyword', index: false } }, { prefs: text })).toEqual({ ok: true, row });
    // Debezium's default into a field the application reads as an object (a disabled object accepts it).
    expect(caught('prefs', { type: 'object', enabled: false }, text)).toMatchObject({ ok: true });
    expect(caught('prefs', { type: 'flattened' }, text)).toMatchObject({ ok: true });
    expect(caught('prefs', { type: 'keyword' }, value)).toMatchObject({ ok: false, field: 'prefs' });
    expect(caught('prefs', { type: 'long' }, text)).toMatchObject({ ok: false, field: 'prefs' });
    // No mapping for the field: dynamic mapping takes either.
    expect(read({}, { prefs: text })).toEqual({ ok: true, row });
    expect(read({}, { prefs: value })).toEqual({ ok: true, row });
    // A jsonb string scalar is the string itself in an object-like field, and its quoted text in a keyword.
    const scalar = { ...row, prefs: '"hi"' };
    const reading = (m: Record<string, unknown>) => indexReadingOf({ properties: { prefs: m } }, [], typed);
    expect(readSource<Row>({ ...scalar, prefs: 'hi' }, reading({ type: 'flattened' }))).toEqual({
      ok: true,
      row: scalar,
    });
    expect(readSource<Row>({ ...scalar, prefs: '"hi"' }, reading({ type: 'keyword' }))).toEqual({
      ok: true,
      row: scalar,
    });
  });
});

describe('the snapshot reader of any table', () => {
  it('selects the compared columns in table order, timestamps as epoch ms, ordered by the key', () => {
    const t = model(
      'sales.lines',
      ['order_id', 'region'],
      [
        col('order_id', { kind: 'int8' }, false),
        col('region', { kind: 'text' }, false),
        col('at', { kind: 'timestamptz', precision: null }),
        col('paid', { kind: 'bool' }),
        { ...col('slot', { kind: 'time', precision: null }), lossy: 'no normaliser' },
      ],
    );
    expect(snapshotSelect(t)).toEqual({
      sql:
        'SELECT "order_id", "region"::text, floor(extract(epoch FROM "at") * 1000)::bigint, "paid" ' +
        'FROM "sales"."lines" ORDER BY "order_id", "region"',
      columns: ['order_id', 'region', 'at', 'paid'],
    });
  });
});

describe('an unconstrained NUMERIC in a keyword field', () => {
  const t: TableModel = {
    name: 'events',
    key: ['id'],
    columns: [col('id', { kind: 'int8' }, false), col('amount', { kind: 'numeric', precision: null, scale: null })],
    foreignKeys: [],
    replicaIdentity: 'full',
  };
  const reading = indexReadingOf({ properties: { id: { type: 'long' }, amount: { type: 'keyword' } } }, [], t);
  const row = (amount: string): Row => ({ id: 1, amount: codecOf(t.columns[1]!)!.fromPg(amount)! });

  it("is read at the row's own scale: Postgres' 8871.210 and Debezium's \"8871.210\" are one value", () => {
    expect(readSource({ id: 1, amount: '8871.210' }, reading)).toEqual({ ok: true, row: row('8871.210') });
  });

  it('another value is still another term', () => {
    expect(readSource({ id: 1, amount: '8871.2' }, reading)).not.toEqual({ ok: true, row: row('8871.21') });
  });
});

describe('an id column', () => {
  const stock = TABLES[3]!;
  it('is the _id the document must have, not the key', () => {
    const order = keyOrderOf(stock.table);
    const row = stock.at(4, null);
    expect(order.ofRow(row)).toBe('[1,"s4"]');
    expect(order.docId(order.ofRow(row), row)).toBe('1/s4');
  });
});
