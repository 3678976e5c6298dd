import { indexReadingOf, type IndexReading } from '../check/mapping.ts';
import { isNormalisedRow, normaliseSource } from '../check/normalise.ts';
import { readIndexMapping } from '../check/read-es.ts';
import type { Effect } from '../record/history.ts';
import { rowKey, type Row, type TableModel } from '../model/table.ts';

/** A definition's own table as an observer watches it: its model, its index, the fields its sink adds. */
export interface WatchedTable {
  /** The model's name, as history effects name it (Effect.table). */
  name: string;
  index: string;
  model: TableModel;
  /** Document fields the sink adds on purpose (TableSpec.fields). */
  fields: readonly string[];
}

/**
 * The row key text of an effect of `model`'s table (the value of a one-column key, the JSON array of a composite
 * key's values), or undefined when the effect is another table's. An effect without a table is of a history's
 * only table.
 */
export function effectKey(model: TableModel, e: Effect<Row>): string | undefined {
  if (e.table !== undefined && e.table !== model.name) return undefined;
  if (e.key !== undefined) return e.key;
  return e.after === null ? undefined : rowKey(model, e.after);
}

/**
 * The document `_id` of each effect of `model`'s table: its key text, which the sink makes the `_id`; or, for a
 * table with an id column, that column's value, remembered per key so that a delete (no post-state) finds it.
 */
export function effectDocIds(model: TableModel): (e: Effect<Row>) => string | undefined {
  const column = model.idColumn;
  if (column === undefined) return (e) => effectKey(model, e);
  const ids = new Map<string, string>();
  return (e) => {
    const key = effectKey(model, e);
    if (key === undefined) return undefined;
    if (e.after === null) return ids.get(key);
    const id = String(e.after[column]);
    ids.set(key, id);
    return id;
  };
}

/** An effect's post-state normalised as the checker normalises history rows (undefined: it cannot be). */
export function normalisedAfter(model: TableModel, after: Row): Row | undefined {
  if (isNormalisedRow(after, model)) return after;
  const r = normaliseSource<Row>(after, undefined, model);
  return r.ok ? r.row : undefined;
}

/** Whether the mapping has a field for every compared column (then it is fixed: a field's mapping cannot change). */
function complete(mapping: Record<string, unknown>, model: TableModel): boolean {
  const props = mapping['properties'];
  if (typeof props !== 'object' || props === null) return false;
  return model.columns.every((c) => c.lossy !== undefined || c.name in props);
}

/**
 * How a table's index reads its documents, as the checker reads them: from the index's mapping, read again
 * (at most once per `everyMs`) until it has a field for every compared column; before any mapping, the
 * table's default reading.
 */
export class TableReading {
  private reading: IndexReading;
  private fixed = false;
  private nextAt = 0;

  constructor(
    private readonly esUrl: string,
    private readonly table: WatchedTable,
    private readonly everyMs = 1000,
  ) {
    this.reading = indexReadingOf(undefined, table.fields, table.model);
  }

  get current(): IndexReading {
    return this.reading;
  }

  /** Reads the mapping when it may still grow and the last read is old enough; a failed read throws. */
  async refresh(now = Date.now()): Promise<void> {
    if (this.fixed || now < this.nextAt) return;
    this.nextAt = now + this.everyMs;
    const mapping = await readIndexMapping(this.esUrl, this.table.index);
    if (mapping === undefined) return;
    this.reading = indexReadingOf(mapping, this.table.fields, this.table.model);
    this.fixed = complete(mapping, this.table.model);
  }
}
