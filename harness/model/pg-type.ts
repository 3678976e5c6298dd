/**
 * A column's Postgres type as far as the harness reads it: the base type with its typmod (numeric precision and
 * scale, varchar/char length, timestamp precision), enums with their labels in sort order, and arrays of any of
 * these. `other` is a type the model knows by name only: it has no normaliser (see codecOf).
 */
export type PgType =
  | { kind: 'int2' | 'int4' | 'int8' | 'float4' | 'float8' | 'bool' | 'text' | 'uuid' | 'json' | 'jsonb' }
  | { kind: 'bytea' | 'date' }
  /** precision and scale null: NUMERIC without a typmod (any scale, printed as stored). */
  | { kind: 'numeric'; precision: number | null; scale: number | null }
  /** length null: no limit (VARCHAR without a length). */
  | { kind: 'varchar' | 'bpchar'; length: number | null }
  /** precision null: the default (microseconds). */
  | { kind: 'timestamp' | 'timestamptz' | 'time' | 'timetz'; precision: number | null }
  | { kind: 'enum'; name: string; labels: readonly string[] }
  | { kind: 'array'; element: PgType }
  | { kind: 'other'; name: string };

/** Built-in base types by their pg_type.typname. */
const SIMPLE: Record<string, PgType> = {
  int2: { kind: 'int2' },
  int4: { kind: 'int4' },
  int8: { kind: 'int8' },
  float4: { kind: 'float4' },
  float8: { kind: 'float8' },
  bool: { kind: 'bool' },
  text: { kind: 'text' },
  uuid: { kind: 'uuid' },
  json: { kind: 'json' },
  jsonb: { kind: 'jsonb' },
  bytea: { kind: 'bytea' },
  date: { kind: 'date' },
};

/** What the catalog says of one type: pg_type.typname and typtype, the attribute's typmod, an enum's labels. */
export interface CatalogType {
  /** pg_type.typname, e.g. "numeric", "varchar", "my_enum"; for an array the element's name (see `array`). */
  name: string;
  /** pg_type.typtype of the (element) type: 'b' base, 'e' enum, 'd' domain, 'c' composite, 'r' range, ... */
  typtype: string;
  /** pg_attribute.atttypmod (-1: none). */
  typmod: number;
  /** The column is an array of this type (pg_attribute.attndims > 0 or an array type). */
  array: boolean;
  /** For an enum: pg_enum.enumlabel in enumsortorder. */
  labels?: readonly string[];
}

/** The model's type for what the catalog says; unknown types become `other` (refused later unless lossy). */
export function pgTypeOf(t: CatalogType): PgType {
  const base = baseTypeOf(t);
  return t.array ? { kind: 'array', element: base } : base;
}

function baseTypeOf(t: CatalogType): PgType {
  if (t.typtype === 'e') return { kind: 'enum', name: t.name, labels: t.labels ?? [] };
  const simple = SIMPLE[t.name];
  if (simple !== undefined) return simple;
  const mod = t.typmod;
  switch (t.name) {
    case 'numeric': {
      if (mod < 4) return { kind: 'numeric', precision: null, scale: null };
      const m = mod - 4;
      // Postgres 15 stores the scale in the low 11 bits as a signed value (negative scales round left of the point).
      const scale = ((m & 0x7ff) ^ 1024) - 1024;
      return { kind: 'numeric', precision: (m >> 16) & 0xffff, scale };
    }
    case 'varchar':
    case 'bpchar':
      return { kind: t.name, length: mod >= 4 ? mod - 4 : null };
    case 'timestamp':
    case 'timestamptz':
    case 'time':
    case 'timetz':
      return { kind: t.name, precision: mod >= 0 ? mod : null };
    default:
      return { kind: 'other', name: t.name };
  }
}

/** The type as Postgres writes it (format_type): "numeric(12,4)", "character varying(255)", "text[]". */
export function formatPgType(t: PgType): string {
  switch (t.kind) {
    case 'numeric':
      return t.precision === null ? 'numeric' : `numeric(${t.precision},${t.scale ?? 0})`;
    case 'varchar':
      return t.length === null ? 'character varying' : `character varying(${t.length})`;
    case 'bpchar':
      return t.length === null ? 'bpchar' : `character(${t.length})`;
    case 'timestamp':
    case 'timestamptz':
    case 'time':
    case 'timetz': {
      const p = t.precision === null ? '' : `(${t.precision})`;
      const name = t.kind.startsWith('timestamp') ? 'timestamp' : 'time';
      return `${name}${p} ${t.kind.endsWith('tz') ? 'with' : 'without'} time zone`;
    }
    case 'enum':
      return t.name;
    case 'array':
      return `${formatPgType(t.element)}[]`;
    case 'other':
      return t.name;
    default:
      return NAMES[t.kind] ?? t.kind;
  }
}

const NAMES: Record<string, string> = {
  int2: 'smallint',
  int4: 'integer',
  int8: 'bigint',
  float4: 'real',
  float8: 'double precision',
  bool: 'boolean',
  text: 'text',
  uuid: 'uuid',
  json: 'json',
  jsonb: 'jsonb',
  bytea: 'bytea',
  date: 'date',
};
