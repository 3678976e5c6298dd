import { compare } from '../check/compare.ts';
import { dateReadingOf, DEFAULT_DATE_READING, type DateReading } from '../check/normalise.ts';
import { readEsDocs, readFieldMapping, refreshIndex } from '../check/read-es.ts';
import { readPgRows } from '../check/read-pg.ts';
import type { VersionsIndex } from '../check/versions.ts';
import { PROBE_ID } from '../observe/lag-probe.ts';
import type { Comparison, EsDoc } from '../record/anomalies.ts';
import type { ProductRow } from '../record/history.ts';
import type { Endpoints } from '../stack/endpoints.ts';

/** The lag probe's marker row is the harness's own, not part of what is judged. */
async function* withoutProbe<T extends ProductRow | EsDoc>(items: AsyncIterable<T>): AsyncGenerator<T> {
  for await (const item of items) {
    const id = 'product_id' in item ? item.product_id : item._source.product_id;
    if (id !== PROBE_ID && id !== String(PROBE_ID)) yield item;
  }
}

/**
 * One comparison of the two stores as they are now: refresh the index, then stream both sides sorted. The
 * index's mapping of created_at decides how a document's value is read (what a search sees).
 */
export function snapshotter(ep: Endpoints, table: string, index: string, versions: VersionsIndex): () => Promise<Comparison> {
  let dates: DateReading | undefined;
  return async () => {
    await refreshIndex(ep.esUrl, index);
    // Read once the index has one (a sink may create it, and dynamic mapping fixes the field on first write).
    const mapping = dates ? undefined : await readFieldMapping(ep.esUrl, index, 'created_at');
    if (mapping) dates = dateReadingOf(mapping);
    return compare({
      versions,
      pg: withoutProbe(readPgRows(ep.pgUrl, { table })),
      es: withoutProbe(readEsDocs(ep.esUrl, { index })),
      dates: dates ?? DEFAULT_DATE_READING,
    });
  };
}
