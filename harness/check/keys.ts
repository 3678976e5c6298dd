import { codecOf, type Codec } from '../model/codecs.ts';
import { PRODUCTS } from '../model/products.ts';
import { rowKey, type Row, type TableModel } from '../model/table.ts';

/**
 * A row's key as the merge-join compares it: a number for a one-column integer key (products' product_id, a
 * bigint id), kept in numeric order as Postgres and Elasticsearch sort it; otherwise the key's text (rowKey: the
 * value of a one-column text/uuid key, the JSON array of a composite key's values) in UTF-16 code-unit order,
 * which both snapshot readers sort by in JS rather than trusting either side's collation.
 */
export type JoinKey = number | string;

export interface KeyOrder {
  readonly table: TableModel;
  /** A one-column integer key: JoinKeys are numbers. */
  readonly numeric: boolean;
  /** How details name the key: "product_id", "order_id", "(order_id, line)". */
  readonly name: string;
  ofRow(row: Row): JoinKey;
  /** The key of a document's `_source`, or undefined when a key field cannot be read. */
  ofSource(source: Readonly<Record<string, unknown>>): JoinKey | undefined;
  /**
   * The `_id` the document of this row has: the sink builds it from the key (a composite key: its JSON array),
   * or it is the value of the table's id column (TableModel.idColumn).
   */
  docId(key: JoinKey, row: Row): string;
}

/** Ascending JoinKeys (numbers, or texts by UTF-16 code units): the one order both snapshots are joined in. */
export function compareKeys(a: JoinKey, b: JoinKey): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const ORDERS = new WeakMap<TableModel, KeyOrder>();

export function keyOrderOf(table: TableModel = PRODUCTS): KeyOrder {
  let order = ORDERS.get(table);
  if (order === undefined) {
    order = build(table);
    ORDERS.set(table, order);
  }
  return order;
}

const INTEGER_KINDS = new Set(['int2', 'int4', 'int8']);

function build(table: TableModel): KeyOrder {
  const cols = table.key.map((k) => {
    const c = table.columns.find((x) => x.name === k);
    const codec = c === undefined ? undefined : codecOf(c);
    if (c === undefined || codec === undefined)
      throw new Error(`${table.name}: key column ${k} is not a column with a normaliser`);
    return { name: k, codec, integer: INTEGER_KINDS.has(c.type.kind) };
  });
  const name = cols.length === 1 ? cols[0]!.name : `(${cols.map((c) => c.name).join(', ')})`;
  if (cols.length === 1 && cols[0]!.integer) {
    const { name: k, codec } = cols[0]!;
    return {
      table,
      numeric: true,
      name,
      // Products' property by name: the hot path of the million-row join (a named load, not a keyed one).
      ofRow: table === PRODUCTS ? (row) => row['product_id'] as number : (row) => row[k] as number,
      ofSource:
        table === PRODUCTS
          ? (source) => codec.fromPg(source['product_id']) as number | undefined
          : (source) => codec.fromPg(source[k]) as number | undefined,
      docId: idOf(table),
    };
  }
  const one: Codec | undefined = cols.length === 1 ? cols[0]!.codec : undefined;
  return {
    table,
    numeric: false,
    name,
    ofRow: (row) => rowKey(table, row),
    ofSource: (source) => {
      if (one !== undefined) {
        const v = one.fromPg(source[cols[0]!.name]);
        return v === undefined || v === null ? undefined : String(v);
      }
      const values: Row = {};
      for (const c of cols) {
        const v = c.codec.fromPg(source[c.name]);
        if (v === undefined || v === null) return undefined;
        (values as Record<string, unknown>)[c.name] = v;
      }
      return rowKey(table, values);
    },
    docId: idOf(table),
  };
}

/** The key's text, or the id column's value where the table has one. */
function idOf(table: TableModel): (key: JoinKey, row: Row) => string {
  const column = table.idColumn;
  return column === undefined ? String : (_key, row) => String(row[column]);
}
