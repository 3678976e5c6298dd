import type { Endpoints } from '../stack/endpoints.ts';
import { withPg } from '../stack/pg.ts';
import { waitFor } from '../stack/wait.ts';

export interface SmokeResult {
  productId: number;
  insertVisibleMs: number;
  updateVisibleMs: number;
  deleteVisibleMs: number;
}

interface Hit {
  _id: string;
  _source: Record<string, unknown>;
}

/**
 * The documents a search for the product finds. An HTTP error is an error, never "no documents": otherwise
 * the delete step would pass while Elasticsearch is down.
 */
export async function searchProduct(esUrl: string, index: string, productId: number): Promise<Hit[]> {
  const r = await fetch(`${esUrl}/${index}/_search`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: { term: { product_id: productId } } }),
  });
  if (!r.ok)
    throw new Error(
      `search of ${index} for product ${productId}: HTTP ${r.status} ${(await r.text().catch(() => '')).slice(0, 200)}`,
    );
  const body = (await r.json()) as { hits: { hits: Hit[] } };
  return body.hits.hits;
}

/**
 * The seed's own flow, timed: insert a product, see it in a search with equal fields; update it, see the
 * update; delete it, see it gone. Each step must finish within `deadlineMs`.
 */
export async function smoke(
  ep: Endpoints,
  opts: { index?: string; table?: string; deadlineMs?: number } = {},
): Promise<SmokeResult> {
  const index = opts.index ?? 'products';
  const table = opts.table ?? 'products';
  const deadlineMs = opts.deadlineMs ?? 30_000;
  return withPg(ep, ep.pg.database, async (c) => {
    const visible = async (what: string, id: number, pred: (hits: Hit[]) => boolean): Promise<number> => {
      const t0 = Date.now();
      await waitFor(what, async () => pred(await searchProduct(ep.esUrl, index, id)), {
        timeoutMs: deadlineMs,
        intervalMs: 50,
      });
      return Date.now() - t0;
    };
    const ins = await c.query<{ product_id: number }>(
      `INSERT INTO ${table} (name, description, price) ` +
        `VALUES ('Sample Product', 'This is a sample product description.', 19.99) RETURNING product_id`,
    );
    const id = ins.rows[0]?.product_id ?? -1;
    const insertVisibleMs = await visible(
      `product ${id} to be searchable`,
      id,
      (h) => h.length === 1 && h[0]?._source.name === 'Sample Product' && String(h[0]._source.price) === '19.99',
    );
    await c.query(`UPDATE ${table} SET name = 'Sample Product v2', price = 21.50 WHERE product_id = $1`, [id]);
    const updateVisibleMs = await visible(
      `the update of product ${id} to be searchable`,
      id,
      (h) => h.length === 1 && h[0]?._source.name === 'Sample Product v2' && Number(h[0]._source.price) === 21.5,
    );
    await c.query(`DELETE FROM ${table} WHERE product_id = $1`, [id]);
    const deleteVisibleMs = await visible(`product ${id} to disappear from search`, id, (h) => h.length === 0);
    return { productId: id, insertVisibleMs, updateVisibleMs, deleteVisibleMs };
  });
}
