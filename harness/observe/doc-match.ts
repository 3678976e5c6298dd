import type { IndexReading } from '../check/mapping.ts';
import { normaliseDescription, normaliseName, normalisePrice, sourceMatchesRow } from '../check/normalise.ts';
import type { Row } from '../model/table.ts';
import type { ProductRow } from '../record/history.ts';

/**
 * Whether a search shows exactly an op's post-state for one product: for a row, a document with the same name,
 * description and price (the checker's normalisation: "19.9" equals "19.90", a missing description is null);
 * for a delete, no document. created_at is not compared: it never changes after the insert.
 */
export function docMatches(source: Readonly<Record<string, unknown>> | undefined, after: ProductRow | null): boolean {
  if (after === null) return source === undefined;
  if (source === undefined) return false;
  const price = normalisePrice(source['price']);
  return (
    normaliseName(source['name']) === after.name &&
    normaliseDescription(source['description']) === after.description &&
    price !== undefined &&
    price === normalisePrice(after.price)
  );
}

/**
 * The same for a row of any table (normalised, as normalisedAfter gives it): a document that reads as exactly
 * `after` through the index's mapping (every compared column, as the checker compares them); for a delete, none.
 */
export function sourceShows(
  source: Readonly<Record<string, unknown>> | undefined,
  after: Row | null,
  reading: IndexReading,
): boolean {
  if (after === null) return source === undefined;
  return source !== undefined && sourceMatchesRow(source, after, reading);
}
