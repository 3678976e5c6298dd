import { compare } from '../check/compare.ts';
import { DEFAULT_INDEX_READING, indexReadingOf, type IndexReading } from '../check/mapping.ts';
import { detectSearchApi, readEsDocs, readIndexMapping, refreshIndex, type SearchApi } from '../check/read-es.ts';
import { readPgRows } from '../check/read-pg.ts';
import type { VersionsIndex } from '../check/versions.ts';
import { PROBE_ID } from '../observe/lag-probe.ts';
import type { Comparison, EsDoc } from '../record/anomalies.ts';
import type { ProductRow } from '../record/history.ts';
import { SnapshotSide, type SavedSnapshot } from '../record/snapshot-file.ts';
import type { Endpoints } from '../stack/endpoints.ts';
import { PRODUCTS } from '../model/products.ts';
import type { TableModel } from '../model/table.ts';

/** The lag probe's marker row is the harness's own, not part of what is judged. */
async function* withoutProbe<T extends ProductRow | EsDoc>(items: AsyncIterable<T>): AsyncGenerator<T> {
  for await (const item of items) {
    const id = 'product_id' in item ? item.product_id : item._source.product_id;
    if (id !== PROBE_ID && id !== String(PROBE_ID)) yield item;
  }
}

/** Whether the mapping has a field for every compared column (then it is fixed: a field's mapping cannot change). */
function complete(mapping: Record<string, unknown> | undefined, model: TableModel): boolean {
  const props = mapping?.['properties'];
  if (typeof props !== 'object' || props === null) return false;
  return model.columns.every((c) => c.lossy !== undefined || c.name in props);
}

/** Rows and documents kept per snapshot for the offline re-check; larger stores keep digests only. */
export const SNAPSHOT_KEEP_CAP = 200_000;

async function* teed<T>(items: AsyncIterable<T>, side: SnapshotSide<T>): AsyncGenerator<T> {
  for await (const item of items) {
    side.add(item);
    yield item;
  }
}

export interface Snapshotter {
  /** One comparison of the two stores as they are now. */
  take(): Promise<Comparison>;
  /** The rows and documents a comparison was made of (while the comparison is still referenced). */
  savedFor(c: Comparison): SavedSnapshot | undefined;
}

/**
 * Compares the two stores as they are now: refresh the index, then stream both sides sorted, keeping what was
 * compared for the run directory. The index's mapping decides how each field of a document is read (what a
 * search sees); it is kept raw with the snapshot.
 */
export function snapshotter(
  ep: Endpoints,
  table: string,
  index: string,
  versions: VersionsIndex,
  declared: readonly string[] = [],
  cap = SNAPSHOT_KEEP_CAP,
  model: TableModel = PRODUCTS,
): Snapshotter {
  // The lag probe's marker is a products row; a definition's own tables have none.
  const probeFree = <T extends ProductRow | EsDoc>(items: AsyncIterable<T>): AsyncIterable<T> =>
    model === PRODUCTS ? withoutProbe(items) : items;
  let reading: IndexReading | undefined;
  // Asked of the engine once (its point-in-time API differs); a failed ask is repeated on the next snapshot.
  let engine: SearchApi | undefined;
  let mapping: Record<string, unknown> | undefined;
  const saved = new WeakMap<Comparison, SavedSnapshot>();
  return {
    take: async () => {
      const takenAt = Date.now();
      await refreshIndex(ep.esUrl, index);
      engine ??= await detectSearchApi(ep.esUrl);
      // Read until it has every column's field (a sink may create the index, and dynamic mapping adds a field on
      // its first write); then it is fixed: a field's mapping cannot change.
      if (!complete(mapping, model)) {
        mapping = (await readIndexMapping(ep.esUrl, index)) ?? mapping;
        if (mapping) reading = indexReadingOf(mapping, declared, model);
      }
      const pg = new SnapshotSide<ProductRow>(cap);
      const es = new SnapshotSide<EsDoc>(cap);
      const c = await compare({
        versions,
        pg: teed(probeFree(readPgRows(ep.pgUrl, { table, model })), pg),
        es: teed(probeFree(readEsDocs(ep.esUrl, { index, engine, model })), es),
        reading: reading ?? (model === PRODUCTS ? DEFAULT_INDEX_READING : indexReadingOf(undefined, declared, model)),
      });
      const kept = !pg.overflowed && !es.overflowed;
      saved.set(c, {
        takenAt,
        mapping: mapping ?? null,
        pgRows: pg.count,
        esDocs: es.count,
        digests: { pg: pg.digest(), es: es.digest() },
        ...(kept
          ? { pg: pg.items, es: es.items }
          : { omitted: `more than ${cap} rows or documents: only their digests are kept` }),
      });
      return c;
    },
    savedFor: (c) => saved.get(c),
  };
}
