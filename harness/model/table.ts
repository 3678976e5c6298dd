import type { PgType } from './pg-type.ts';

/**
 * A captured table as the harness reads it: its columns in table order, its key, its foreign keys. Products is
 * one instance (products.ts); others are read from the Postgres catalog (catalog.ts).
 */
export interface TableModel {
  /** Schema-qualified only when not in `public`, e.g. "products" or "sales.orders". */
  name: string;
  /** The key columns in key order (the primary key, or the replica identity index). */
  key: readonly string[];
  /** In table order (pg_attribute.attnum). */
  columns: readonly Column[];
  foreignKeys: readonly ForeignKey[];
  /** pg_class.relreplident: what a delete or update event carries of the old row. */
  replicaIdentity: 'default' | 'full' | 'nothing' | 'index';
  /**
   * The append column (pipeline.yaml `tables.<t>.append`, a text[] column): every write of a row adds one token
   * unique in the run to it, in the same statement as the rest of the change (append.ts).
   */
  append?: string;
  /**
   * The column whose value is the document `_id` (pipeline.yaml `tables.<t>.id`), where the sink's key is not
   * the row's key: a composite key made one string by a generated column the source keys its messages by.
   */
  idColumn?: string;
}

export interface Column {
  name: string;
  type: PgType;
  nullable: boolean;
  /** The column's default as Postgres prints it (pg_get_expr), e.g. "nextval('products_product_id_seq'::regclass)". */
  default: string | null;
  /**
   * Stored out of line when large (attstorage other than 'p'): an update that does not touch it sends Debezium's
   * unavailable-value placeholder unless the replica identity is full.
   */
  toastable: boolean;
  /** A stored generated column (GENERATED ALWAYS AS … STORED): Postgres computes it, no statement writes it. */
  generated?: boolean;
  /** Not compared: the type has no normaliser and the caller accepted that (every report must say so). */
  lossy?: string;
  /**
   * What the application writes, where the definition says more than the type (pipeline.yaml `tables:`): the
   * workload draws only values in this range, and no NaN or infinity when `finite`.
   */
  range?: ValueRange;
}

/** The column kinds a ValueRange bounds: numbers, and dates and times (their bounds as ISO 8601 text). */
export const NUMBER_KINDS: ReadonlySet<string> = new Set(['int2', 'int4', 'int8', 'float4', 'float8', 'numeric']);
export const TIME_KINDS: ReadonlySet<string> = new Set(['date', 'timestamp', 'timestamptz']);

/** A number or date/time column's values as the application writes them (dates and times as ISO 8601 text). */
export interface ValueRange {
  min?: number | string;
  max?: number | string;
  /** No NaN, Infinity or -Infinity (a search engine's numeric field holds none of them). */
  finite?: boolean;
}

export interface ForeignKey {
  name: string;
  columns: readonly string[];
  references: { table: string; columns: readonly string[] };
  onDelete: 'no action' | 'restrict' | 'cascade' | 'set null' | 'set default';
}

/**
 * A column's normalised value: what the checker compares with `===`. Structured values (json, jsonb, arrays)
 * are held as canonical JSON text, so equality stays a string comparison.
 */
export type Value = string | number | boolean | null;

/** A row of any table, normalised: column name → value. */
export type Row = Readonly<Record<string, Value>>;

/**
 * A table's row type with its key columns named: `KeyedRow<{ id: number; note: string | null }, 'id'>`. The key
 * columns are never null. Products' ProductRow is `KeyedRow<ProductColumns, 'product_id'>` (products.ts).
 */
export type KeyedRow<C extends Record<keyof C, Value>, K extends keyof C> = {
  [P in keyof C]: P extends K ? Exclude<C[P], null> : C[P];
};

/** The key part of a row. */
export type RowKeyOf<C extends Record<keyof C, Value>, K extends keyof C> = Pick<KeyedRow<C, K>, K>;

/**
 * A row's key as one string, for maps and document ids: the value itself for a one-column key ("42"), the JSON
 * array of the values for a composite key ('[42,"eu"]'), so no two keys share a text.
 */
export function rowKey(table: TableModel, row: Row): string {
  if (table.key.length === 1) return String(row[table.key[0]!]);
  return JSON.stringify(table.key.map((k) => row[k] ?? null));
}

/**
 * A column whose value the database computes: a generated column, or the table's id column (filled by a
 * trigger, or generated). No statement of the workload writes it, and a write whose commit was not
 * acknowledged cannot know it.
 */
export function isComputed(table: TableModel, column: Column): boolean {
  return column.generated === true || column.name === table.idColumn;
}

/** The column by name, or undefined. */
export function columnOf(table: TableModel, name: string): Column | undefined {
  return table.columns.find((c) => c.name === name);
}

/** The names of the table's columns, in table order: every field a document of it may carry. */
export function columnNames(table: TableModel): ReadonlySet<string> {
  return new Set(table.columns.map((c) => c.name));
}
