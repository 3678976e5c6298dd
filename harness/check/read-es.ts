import { PRODUCTS } from '../model/products.ts';
import type { TableModel } from '../model/table.ts';
import type { EsDoc } from '../record/anomalies.ts';
import { compareKeys, keyOrderOf, type JoinKey } from './keys.ts';

/**
 * The engine behind the URL: its point-in-time API differs. Elasticsearch opens one with `POST <index>/_pit` and
 * tiebreaks on `_shard_doc`; OpenSearch (before 3.3) has `POST <index>/_search/point_in_time` and no `_shard_doc`.
 */
export type SearchApi = 'elasticsearch' | 'opensearch';

export interface EsReadOptions {
  /** Which API to speak; asked of the engine (`GET /`) once per read when absent. */
  engine?: SearchApi;
  /** Default "products". */
  index?: string;
  /** The table whose documents the index holds (default products): the key the documents are ordered by. */
  model?: TableModel;
  /** Hits per search page. Default 10 000 (Elasticsearch's default max_result_window per page). */
  batchSize?: number;
  /** Point-in-time keep-alive between pages. Default "1m". */
  keepAlive?: string;
  /** Per-request timeout: a hung Elasticsearch must not hang the checker. Default 60 s. */
  timeoutMs?: number;
  headers?: Record<string, string>;
}

interface Hit {
  _id: string;
  _source?: Record<string, unknown>;
  sort: unknown[];
}

/**
 * Makes everything indexed so far visible to search (a snapshot should start with it). False when the index
 * does not exist.
 */
export async function refreshIndex(
  esUrl: string,
  index = 'products',
  options: Pick<EsReadOptions, 'timeoutMs' | 'headers'> = {},
): Promise<boolean> {
  const response = await request(esUrl, 'POST', `/${encodeURIComponent(index)}/_refresh`, undefined, options);
  if (response.status === 404) {
    await response.body?.cancel();
    return false;
  }
  await ensureOk(response, 'POST _refresh');
  return true;
}

/**
 * The mapping of one field (`{ type, format }`), or undefined when the index or the field has none. The checker
 * reads created_at the way this mapping makes Elasticsearch read it.
 */
export async function readFieldMapping(
  esUrl: string,
  index: string,
  field: string,
  options: Pick<EsReadOptions, 'timeoutMs' | 'headers'> = {},
): Promise<{ type?: unknown; format?: unknown } | undefined> {
  const response = await request(
    esUrl,
    'GET',
    `/${encodeURIComponent(index)}/_mapping/field/${encodeURIComponent(field)}`,
    undefined,
    options,
  );
  if (response.status === 404) {
    await response.body?.cancel();
    return undefined;
  }
  await ensureOk(response, `GET _mapping/field/${field}`);
  const body = (await response.json()) as Record<
    string,
    { mappings?: Record<string, { mapping?: Record<string, { type?: unknown; format?: unknown }> }> }
  >;
  // One entry per concrete index (an alias may name several; the harness's index is one).
  for (const entry of Object.values(body)) {
    const leaf = field.split('.').at(-1)!;
    const m = entry.mappings?.[field]?.mapping?.[leaf];
    if (m) return m;
  }
  return undefined;
}

/**
 * The raw mapping of an index (the `mappings` object of GET <index>/_mapping: `{ properties, ... }`), or
 * undefined when the index does not exist. The checker reads every field by it (see indexReadingOf), and the
 * run directory keeps it, so a re-check derives the reading again with the code of the day.
 */
export async function readIndexMapping(
  esUrl: string,
  index: string,
  options: Pick<EsReadOptions, 'timeoutMs' | 'headers'> = {},
): Promise<Record<string, unknown> | undefined> {
  const response = await request(esUrl, 'GET', `/${encodeURIComponent(index)}/_mapping`, undefined, options);
  if (response.status === 404) {
    await response.body?.cancel();
    return undefined;
  }
  await ensureOk(response, 'GET _mapping');
  const body = (await response.json()) as Record<string, { mappings?: Record<string, unknown> }>;
  // One entry per concrete index (an alias may name several; the harness's index is one).
  for (const entry of Object.values(body)) if (entry.mappings) return entry.mappings;
  return undefined;
}

/** The requests of one point in time on one engine (pure, so both shapes are unit-tested without a server). */
export interface PitRequests {
  open: { method: 'POST'; path: string; what: string };
  /** The property of the open answer that holds the id. */
  idField: 'id' | 'pit_id';
  /** The second sort key, unique per document within the point in time, after product_id. */
  tiebreak: Record<string, 'asc'>;
  close(id: string): { method: 'DELETE'; path: string; body: unknown };
}

export function pitRequests(engine: SearchApi, index: string, keepAlive: string): PitRequests {
  const i = encodeURIComponent(index);
  const k = encodeURIComponent(keepAlive);
  if (engine === 'opensearch')
    return {
      open: { method: 'POST', path: `/${i}/_search/point_in_time?keep_alive=${k}`, what: 'POST _search/point_in_time' },
      idField: 'pit_id',
      // OpenSearch 2.x has no _shard_doc (3.3 added it); sorting on _id is allowed there (fielddata on _id).
      tiebreak: { _id: 'asc' },
      close: (id) => ({ method: 'DELETE', path: '/_search/point_in_time', body: { pit_id: [id] } }),
    };
  return {
    open: { method: 'POST', path: `/${i}/_pit?keep_alive=${k}`, what: 'POST _pit' },
    idField: 'id',
    tiebreak: { _shard_doc: 'asc' },
    close: (id) => ({ method: 'DELETE', path: '/_pit', body: { id } }),
  };
}

/**
 * Which engine answers at the URL, from `GET /`: OpenSearch says `"distribution": "opensearch"` in its version.
 * Anything else is taken for Elasticsearch, including the 405 of Elasticsearch's integ-test zip, which lacks the
 * root handler (`rest-root`). A request that fails throws: the caller asks again on its next read.
 */
export async function detectSearchApi(
  esUrl: string,
  options: Pick<EsReadOptions, 'timeoutMs' | 'headers'> = {},
): Promise<SearchApi> {
  const response = await request(esUrl, 'GET', '/', undefined, options);
  if (!response.ok) {
    await response.body?.cancel();
    return 'elasticsearch';
  }
  const body: unknown = await response.json().catch(() => undefined);
  const version = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['version'] : undefined;
  const distribution =
    typeof version === 'object' && version !== null ? (version as Record<string, unknown>)['distribution'] : undefined;
  return distribution === 'opensearch' ? 'opensearch' : 'elasticsearch';
}

/**
 * Streams every document of the index as EsDoc, ascending by (product_id, _id), from one point in time: a
 * consistent view however long the read takes, paged with search_after (no from/size window limit, no scroll
 * context per page). Nothing is yielded when the index does not exist.
 *
 * Sorting by _id in Elasticsearch would need fielddata on _id, so pages are sorted by (product_id, _shard_doc)
 * and the documents of one product_id, a small group, are sorted by _id here. OpenSearch 2.x has no _shard_doc
 * and sorts by (product_id, _id) (see pitRequests). Documents without a product_id sort first (as -1, which SERIAL
 * never is; the checker reports them as corrupt): the default, last, would be Long.MAX_VALUE, which JSON numbers
 * cannot carry back exactly as a search_after value.
 */
export async function* readEsDocs(esUrl: string, options: EsReadOptions = {}): AsyncGenerator<EsDoc> {
  const index = options.index ?? 'products';
  const size = options.batchSize ?? 10_000;
  const keepAlive = options.keepAlive ?? '1m';
  const pit = pitRequests(options.engine ?? (await detectSearchApi(esUrl, options)), index, keepAlive);
  const order = keyOrderOf(options.model ?? PRODUCTS);
  // A one-column integer key is sorted by the engine, numerically as the join wants; any other key is sorted
  // here (all documents in memory), by the join's own order, not by a keyword's or the database's collation.
  const keyField = order.numeric ? order.table.key[0]! : undefined;
  const keyed: { key: JoinKey | undefined; doc: EsDoc }[] = [];

  const opened = await request(esUrl, pit.open.method, pit.open.path, undefined, options);
  if (opened.status === 404) {
    await opened.body?.cancel();
    return;
  }
  await ensureOk(opened, pit.open.what);
  let pitId = field(await opened.json(), pit.idField, 'string', pit.open.what) as string;

  try {
    let searchAfter: unknown[] | undefined;
    const group: EsDoc[] = [];
    let groupKey: unknown = undefined;
    for (;;) {
      const body = {
        size,
        pit: { id: pitId, keep_alive: keepAlive },
        sort:
          keyField === undefined
            ? [pit.tiebreak]
            : [{ [keyField]: { order: 'asc', missing: -1, unmapped_type: 'long' } }, pit.tiebreak],
        track_total_hits: false,
        ...(searchAfter === undefined ? {} : { search_after: searchAfter }),
      };
      const response = await request(esUrl, 'POST', '/_search', body, options);
      await ensureOk(response, 'POST _search');
      const page: unknown = await response.json();
      // The engine may hand out a new id for the same point in time; the newest one must be used.
      const nextPit = field(page, 'pit_id', 'string?', '_search');
      if (typeof nextPit === 'string') pitId = nextPit;
      const hits = parseHits(page);

      for (const hit of hits) {
        if (keyField === undefined) {
          const doc = { _id: hit._id, _source: hit._source ?? {} };
          keyed.push({ key: order.ofSource(doc._source), doc });
          continue;
        }
        const key = hit.sort[0];
        if (group.length > 0 && key !== groupKey) {
          if (group.length > 1) group.sort(byId);
          for (const doc of group) yield doc;
          group.length = 0;
        }
        groupKey = key;
        group.push({ _id: hit._id, _source: hit._source ?? {} });
      }
      if (hits.length < size) break;
      searchAfter = hits[hits.length - 1]!.sort;
    }
    if (group.length > 1) group.sort(byId);
    for (const doc of group) yield doc;
    keyed.sort(byKeyThenId);
    for (const { doc } of keyed) yield doc;
  } finally {
    // Best effort: an unclosed point in time expires after keepAlive anyway.
    const close = pit.close(pitId);
    await request(esUrl, close.method, close.path, close.body, options).catch(() => undefined);
  }
}

/** By UTF-16 code units, the order the checker's inputs are specified in (not locale order). */
function byId(a: EsDoc, b: EsDoc): number {
  return a._id < b._id ? -1 : a._id > b._id ? 1 : 0;
}

/** Documents whose key cannot be read first (the join reports them as corrupt), then by key, then by _id. */
export function byKeyThenId(
  a: { key: JoinKey | undefined; doc: EsDoc },
  b: { key: JoinKey | undefined; doc: EsDoc },
): number {
  if (a.key === undefined || b.key === undefined)
    return a.key === b.key ? byId(a.doc, b.doc) : a.key === undefined ? -1 : 1;
  return compareKeys(a.key, b.key) || byId(a.doc, b.doc);
}

function parseHits(page: unknown): Hit[] {
  const hits = field(field(page, 'hits', 'object', '_search'), 'hits', 'array', '_search') as unknown[];
  for (const hit of hits) {
    if (typeof hit !== 'object' || hit === null) throw new Error('_search: a hit is not an object');
    const h = hit as Partial<Hit>;
    if (typeof h._id !== 'string' || !Array.isArray(h.sort)) throw new Error('_search: a hit lacks _id or sort');
  }
  return hits as Hit[];
}

/** Reads one property of a JSON response, checking its type (the responses cross a process boundary). */
function field(value: unknown, name: string, type: 'string' | 'string?' | 'object' | 'array', what: string): unknown {
  const v = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
  const ok =
    type === 'array'
      ? Array.isArray(v)
      : type === 'object'
        ? typeof v === 'object' && v !== null
        : type === 'string?'
          ? v === undefined || typeof v === 'string'
          : typeof v === 'string';
  if (!ok)
    throw new Error(`Elasticsearch ${what}: unexpected response, ${name} is ${JSON.stringify(v)?.slice(0, 200)}`);
  return v;
}

async function request(
  esUrl: string,
  method: string,
  path: string,
  body: unknown,
  options: Pick<EsReadOptions, 'timeoutMs' | 'headers'>,
): Promise<Response> {
  return fetch(esUrl.replace(/\/+$/, '') + path, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers },
    body: body === undefined ? null : JSON.stringify(body),
    signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
  });
}

async function ensureOk(response: Response, what: string): Promise<void> {
  if (response.ok) return;
  const text = await response.text().catch(() => '');
  throw new Error(`Elasticsearch ${what}: HTTP ${response.status} ${text.slice(0, 500)}`);
}
