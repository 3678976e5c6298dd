import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TableModel } from '../model/table.ts';
import type { EsDoc } from '../record/anomalies.ts';
import {
  byKeyThenId,
  detectSearchApi,
  pitRequests,
  readEsDocs,
  readFieldMapping,
  readIndexMapping,
  refreshIndex,
  type SearchApi,
} from './read-es.ts';

/**
 * A stand-in for the slice of the Elasticsearch API the reader uses (_refresh, _mapping/field, _pit, _search
 * with pit + sort + search_after, DELETE _pit), strict where the real one is: an unknown or superseded PIT id is
 * an error, search_after must match the sort, every search hands out a new PIT id, and a request with a body
 * must say it is JSON. With `engine = 'opensearch'` it speaks OpenSearch 2.x's dialect instead: `GET /` names the
 * distribution (Elasticsearch's integ-test zip answers 405), the point in time is `_search/point_in_time` with
 * `pit_id`, and `_shard_doc` is an unknown sort field, so the tiebreak is `_id`.
 */
interface Stored {
  _id: string;
  _source: Record<string, unknown>;
  shardDoc: number;
}

type Endpoint = 'root' | 'refresh' | 'mapping' | 'index-mapping' | 'pit' | 'search';
interface Reply {
  status: number;
  body: unknown;
  /** Sent as it is instead of `body` as JSON (a body that is no JSON). */
  raw?: string;
}
/** Replaces (or cuts off) the answer an endpoint would give: a broken or unusual Elasticsearch. */
type Override = (normal: Reply) => Reply | 'cut-off';

class FakeEs {
  server: Server = createServer((req, res) => {
    void this.handle(req).then(
      (reply) => {
        if (reply === 'cut-off') {
          // An error response whose body never arrives in full: the connection drops mid-body.
          res.writeHead(500, { 'content-type': 'application/json', 'content-length': '1000' });
          res.write('{"error":');
          setTimeout(() => res.destroy(), 10);
          return;
        }
        res.writeHead(reply.status, { 'content-type': 'application/json' });
        res.end(reply.raw ?? JSON.stringify(reply.body));
      },
      (error: unknown) => {
        res.writeHead(500);
        res.end(JSON.stringify({ error: String(error) }));
      },
    );
  });
  indices = new Map<string, Stored[]>();
  /** Field mappings per index: field name → { type, format }. */
  mappings = new Map<string, Record<string, Record<string, unknown>>>();
  /** Aliases: name → the concrete indices it points at. */
  aliases = new Map<string, string[]>();
  overrides: Partial<Record<Endpoint, Override>> = {};
  livePit: string | undefined;
  pitCounter = 0;
  closed: string[] = [];
  searches: Record<string, unknown>[] = [];
  refreshed: string[] = [];
  headers: IncomingHttpHeaders[] = [];
  /** Method and path of every request. */
  requests: string[] = [];
  failSearch = false;
  engine: SearchApi = 'elasticsearch';
  rootAsked = 0;

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private async handle(req: IncomingMessage): Promise<Reply | 'cut-off'> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    this.headers.push(req.headers);
    this.requests.push(`${req.method} ${req.url}`);
    if (text !== '' && req.headers['content-type'] !== 'application/json') {
      return {
        status: 406,
        body: { error: `Content-Type header [${req.headers['content-type']}] is not supported`, status: 406 },
      };
    }
    const body = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
    const url = new URL(req.url ?? '/', 'http://x');
    const [, first, second, third, fourth] = url.pathname.split('/');
    const endpoint: Endpoint | undefined =
      req.method === 'GET' && url.pathname === '/'
        ? 'root'
        : req.method === 'GET' && second === '_mapping' && third === undefined
          ? 'index-mapping'
          : req.method === 'POST' && second === '_refresh'
            ? 'refresh'
            : req.method === 'GET' && second === '_mapping' && third === 'field'
              ? 'mapping'
              : req.method === 'POST' && (second === '_pit' || (second === '_search' && third === 'point_in_time'))
                ? 'pit'
                : req.method === 'POST' && first === '_search'
                  ? 'search'
                  : undefined;
    const normal = this.answer(req, url, body, first, fourth);
    const override = endpoint === undefined ? undefined : this.overrides[endpoint];
    return override ? override(normal) : normal;
  }

  private answer(
    req: IncomingMessage,
    url: URL,
    body: Record<string, unknown>,
    first?: string,
    fourth?: string,
  ): Reply {
    const missing = { status: 404, body: { error: { type: 'index_not_found_exception' }, status: 404 } };
    const [, , second, third] = url.pathname.split('/');
    const os = this.engine === 'opensearch';
    const noHandler = { status: 400, body: { error: `no handler found for uri [${url.pathname}]` } };

    if (req.method === 'GET' && url.pathname === '/') {
      this.rootAsked++;
      return os
        ? { status: 200, body: { name: 'es-1', version: { distribution: 'opensearch', number: '2.19.6' } } }
        : { status: 405, body: { error: 'Incorrect HTTP method for uri [/] and method [GET]', status: 405 } };
    }
    if (os && (second === '_pit' || first === '_pit')) return noHandler;
    if (!os && (third === 'point_in_time' || second === 'point_in_time')) return noHandler;
    if (req.method === 'POST' && second === '_search' && third === 'point_in_time') {
      if (!this.indices.has(first!)) return missing;
      if (url.searchParams.get('keep_alive') === null) return { status: 400, body: { error: 'keep_alive' } };
      this.livePit = `pit-${first}-${this.pitCounter++}`;
      return { status: 200, body: { pit_id: this.livePit, _shards: { total: 1 }, creation_time: 1 } };
    }
    if (req.method === 'DELETE' && first === '_search' && second === 'point_in_time') {
      const ids = body['pit_id'];
      if (!Array.isArray(ids)) return { status: 400, body: { error: 'pit_id must be an array' } };
      this.closed.push(...ids.map(String));
      return { status: 200, body: { pits: ids.map((id: unknown) => ({ successful: true, pit_id: id })) } };
    }
    if (req.method === 'POST' && second === '_refresh') {
      if (!this.indices.has(first!)) return missing;
      this.refreshed.push(first!);
      return { status: 200, body: { _shards: { total: 1, successful: 1, failed: 0 } } };
    }
    if (req.method === 'GET' && second === '_mapping' && third === 'field') {
      const concrete = this.aliases.get(first!) ?? (this.indices.has(first!) ? [first!] : []);
      if (concrete.length === 0) return missing;
      const field = decodeURIComponent(fourth!);
      const leaf = field.split('.').at(-1)!;
      const out: Record<string, unknown> = {};
      for (const index of concrete) {
        const m = this.mappings.get(index)?.[field];
        out[index] = { mappings: m === undefined ? {} : { [field]: { full_name: field, mapping: { [leaf]: m } } } };
      }
      return { status: 200, body: out };
    }
    if (req.method === 'GET' && second === '_mapping' && third === undefined) {
      const concrete = this.aliases.get(first!) ?? (this.indices.has(first!) ? [first!] : []);
      if (concrete.length === 0) return missing;
      const out: Record<string, unknown> = {};
      for (const index of concrete) out[index] = { mappings: { properties: this.mappings.get(index) ?? {} } };
      return { status: 200, body: out };
    }
    if (req.method === 'POST' && second === '_pit') {
      if (!this.indices.has(first!)) return missing;
      if (url.searchParams.get('keep_alive') === null) return { status: 400, body: { error: 'keep_alive' } };
      this.livePit = `pit-${first}-${this.pitCounter++}`;
      return { status: 200, body: { id: this.livePit } };
    }
    if (req.method === 'DELETE' && first === '_pit') {
      this.closed.push(String(body['id']));
      return { status: 200, body: { succeeded: true, num_freed: 1 } };
    }
    if (req.method === 'POST' && first === '_search') {
      this.searches.push(body);
      if (this.failSearch) return { status: 503, body: { error: { type: 'unavailable_shards_exception' } } };
      const pit = body['pit'] as { id: string; keep_alive: string };
      if (pit.id !== this.livePit)
        return { status: 404, body: { error: { type: 'search_context_missing_exception' } } };
      const index = pit.id.split('-')[1]!;
      const sort = body['sort'] as Record<string, unknown>[];
      // Sorted by the key field and the tiebreak, or (a key the reader sorts itself) by the tiebreak alone.
      const byKey = sort.length > 1;
      const tiebreak = Object.keys(sort.at(-1) ?? {})[0];
      if (tiebreak !== (os ? '_id' : '_shard_doc'))
        return { status: 400, body: { error: `No mapping found for [${tiebreak}] in order to sort on` } };
      const key = (d: Stored): [number, number | string] => {
        if (!byKey) return [0, os ? d._id : d.shardDoc];
        const id = d._source['product_id'];
        return [typeof id === 'number' ? id : typeof id === 'string' ? Number(id) : -1, os ? d._id : d.shardDoc];
      };
      const cmp = (a: number | string, b: number | string): number => (a < b ? -1 : a > b ? 1 : 0);
      const sorted = [...this.indices.get(index)!].sort((a, b) => key(a)[0] - key(b)[0] || cmp(key(a)[1], key(b)[1]));
      // By the tiebreak alone, search_after holds only the tiebreak's value.
      const given = body['search_after'] as (number | string)[] | undefined;
      const after = (given === undefined || byKey ? given : [0, given[0]]) as [number, number | string] | undefined;
      const from =
        after === undefined
          ? sorted
          : sorted.filter((d) => {
              const [p, s] = key(d);
              return p > after[0] || (p === after[0] && s > after[1]);
            });
      const hits = from.slice(0, body['size'] as number).map((d) => ({
        _index: index,
        _id: d._id,
        _score: null,
        _source: d._source,
        sort: byKey ? key(d) : [key(d)[1]],
      }));
      this.livePit = `${pit.id.split('~')[0]}~${this.pitCounter++}`;
      return { status: 200, body: { pit_id: this.livePit, took: 1, timed_out: false, hits: { hits } } };
    }
    return { status: 400, body: { error: `unexpected ${req.method} ${req.url}` } };
  }
}

const es = new FakeEs();

beforeAll(async () => {
  await new Promise<void>((resolve) => es.server.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  await new Promise((resolve) => es.server.close(resolve));
});
beforeEach(() => {
  es.indices.clear();
  es.mappings.clear();
  es.aliases.clear();
  es.overrides = {};
  es.closed = [];
  es.searches = [];
  es.refreshed = [];
  es.headers = [];
  es.requests = [];
  es.engine = 'elasticsearch';
  es.rootAsked = 0;
});

async function readAll(options: Parameters<typeof readEsDocs>[1]): Promise<EsDoc[]> {
  const out: EsDoc[] = [];
  for await (const doc of readEsDocs(es.url, options)) out.push(doc);
  return out;
}

describe('readEsDocs', () => {
  it('reads every page of one point in time, in (product_id, _id) order, and closes it', async () => {
    // Shard order puts _id "b" before "a" for product 5, and product 5 spans a page boundary (size 2).
    const doc = (id: string, productId: unknown, shardDoc: number): Stored => ({
      _id: id,
      _source: productId === undefined ? { name: id } : { product_id: productId, name: id },
      shardDoc,
    });
    es.indices.set('products', [
      doc('7', 7, 1),
      doc('c', 5, 9),
      doc('b', 5, 2),
      doc('1', 1, 4),
      doc('a', 5, 3),
      doc('x', undefined, 5),
      doc('9', '9', 6),
    ]);
    const docs = await readAll({ batchSize: 2 });
    expect(docs.map((d) => d._id)).toEqual(['x', '1', 'a', 'b', 'c', '7', '9']);
    expect(docs[2]).toEqual({ _id: 'a', _source: { product_id: 5, name: 'a' } });
    // Each page used the PIT id the previous response handed out; the last one was closed.
    expect(es.searches).toHaveLength(4);
    expect(es.closed).toEqual([es.livePit]);
    expect(es.searches[0]).toMatchObject({
      size: 2,
      pit: { keep_alive: '1m' },
      sort: [{ product_id: { order: 'asc', missing: -1, unmapped_type: 'long' } }, { _shard_doc: 'asc' }],
    });
    expect(es.searches[0]).not.toHaveProperty('search_after');
    expect(es.searches[1]).toHaveProperty('search_after', [1, 4]);
  });

  it('stops on a short page without another request', async () => {
    es.indices.set('products', [{ _id: '1', _source: { product_id: 1 }, shardDoc: 0 }]);
    expect(await readAll({})).toHaveLength(1);
    expect(es.searches).toHaveLength(1);
  });

  it('yields nothing for an index that does not exist', async () => {
    expect(await readAll({ index: 'nope' })).toEqual([]);
    expect(es.searches).toHaveLength(0);
  });

  it('closes the point in time when the consumer stops early', async () => {
    es.indices.set(
      'products',
      [1, 2, 3].map((i) => ({ _id: String(i), _source: { product_id: i }, shardDoc: i })),
    );
    for await (const doc of readEsDocs(es.url, { batchSize: 1 })) if (doc._id === '2') break;
    expect(es.closed).toHaveLength(1);
  });

  it('fails loudly on an HTTP error, and still closes the point in time', async () => {
    es.indices.set('products', [{ _id: '1', _source: { product_id: 1 }, shardDoc: 0 }]);
    es.failSearch = true;
    try {
      await expect(readAll({})).rejects.toThrow(/_search: HTTP 503 .*unavailable/);
    } finally {
      es.failSearch = false;
    }
    expect(es.closed).toHaveLength(1);
  });
});

describe('readEsDocs on OpenSearch and on Elasticsearch: the point-in-time dialects', () => {
  it('builds each engine’s requests', () => {
    const es9 = pitRequests('elasticsearch', 'my index', '1m');
    expect(es9.open).toEqual({ method: 'POST', path: '/my%20index/_pit?keep_alive=1m', what: 'POST _pit' });
    expect(es9.idField).toBe('id');
    expect(es9.tiebreak).toEqual({ _shard_doc: 'asc' });
    expect(es9.close('P')).toEqual({ method: 'DELETE', path: '/_pit', body: { id: 'P' } });
    const os2 = pitRequests('opensearch', 'my index', '30s');
    expect(os2.open).toEqual({
      method: 'POST',
      path: '/my%20index/_search/point_in_time?keep_alive=30s',
      what: 'POST _search/point_in_time',
    });
    expect(os2.idField).toBe('pit_id');
    expect(os2.tiebreak).toEqual({ _id: 'asc' });
    expect(os2.close('P')).toEqual({ method: 'DELETE', path: '/_search/point_in_time', body: { pit_id: ['P'] } });
  });

  it('tells the engines apart by GET / (405 on Elasticsearch’s test zip)', async () => {
    expect(await detectSearchApi(es.url)).toBe('elasticsearch');
    es.engine = 'opensearch';
    expect(await detectSearchApi(`${es.url}/`)).toBe('opensearch');
    await expect(detectSearchApi('http://127.0.0.1:1')).rejects.toThrow();
  });

  it('reads every page of an OpenSearch point in time in (product_id, _id) order, and closes it', async () => {
    es.engine = 'opensearch';
    const doc = (id: string, productId: number | undefined): Stored => ({
      _id: id,
      _source: productId === undefined ? { name: id } : { product_id: productId },
      shardDoc: 0,
    });
    es.indices.set('products', [doc('7', 7), doc('c', 5), doc('b', 5), doc('1', 1), doc('a', 5), doc('x', undefined)]);
    const docs = await readAll({ batchSize: 2 });
    expect(docs.map((d) => d._id)).toEqual(['x', '1', 'a', 'b', 'c', '7']);
    expect(es.rootAsked).toBe(1);
    expect(es.searches[0]).toMatchObject({
      pit: { keep_alive: '1m' },
      sort: [{ product_id: { order: 'asc', missing: -1, unmapped_type: 'long' } }, { _id: 'asc' }],
    });
    expect(es.searches[1]).toHaveProperty('search_after', [1, '1']);
    expect(es.searches[2]).toHaveProperty('search_after', [5, 'b']);
    expect(es.closed).toEqual([es.livePit]);
  });

  it('takes the engine it is given without asking, and fails loudly when it is the wrong one', async () => {
    es.engine = 'opensearch';
    es.indices.set('products', [{ _id: '1', _source: { product_id: 1 }, shardDoc: 0 }]);
    expect((await readAll({ engine: 'opensearch' })).map((d) => d._id)).toEqual(['1']);
    expect(es.rootAsked).toBe(0);
    await expect(readAll({ engine: 'elasticsearch' })).rejects.toThrow(
      /POST _pit: HTTP 400 .*no handler found for uri \[\/products\/_pit\]/,
    );
    es.engine = 'elasticsearch';
    await expect(readAll({ engine: 'opensearch' })).rejects.toThrow(/POST _search\/point_in_time: HTTP 400/);
  });

  it('takes a non-OpenSearch answer to GET / for Elasticsearch, whatever its body', async () => {
    const answers: Reply[] = [
      { status: 200, body: { name: 'es-1', version: { number: '8.15.0', build_flavor: 'default' } } },
      { status: 200, body: { name: 'es-1' } },
      { status: 200, body: { version: null } },
      { status: 200, body: { version: 'opensearch' } },
      { status: 200, body: null },
      { status: 200, body: 'opensearch' },
      { status: 200, body: undefined, raw: 'not json' },
      // An error page that looks like OpenSearch's answer is still an error.
      { status: 503, body: { version: { distribution: 'opensearch' } } },
      { status: 304, body: undefined, raw: '' },
    ];
    for (const answer of answers) {
      es.overrides.root = () => answer;
      expect(await detectSearchApi(es.url), JSON.stringify(answer)).toBe('elasticsearch');
    }
  });

  it('asks for the root of an endpoint under a path', async () => {
    await detectSearchApi(`${es.url}/search-proxy`);
    expect(es.requests).toEqual(['GET /search-proxy/']);
  });

  it('yields nothing for a missing index on OpenSearch', async () => {
    es.engine = 'opensearch';
    expect(await readAll({ index: 'nope' })).toEqual([]);
  });
});

describe('readEsDocs of a table whose key is not one integer', () => {
  const accounts: TableModel = {
    name: 'accounts',
    key: ['account_id'],
    columns: [
      { name: 'account_id', type: { kind: 'uuid' }, nullable: false, default: null, toastable: false },
      { name: 'note', type: { kind: 'text' }, nullable: true, default: null, toastable: false },
    ],
    foreignKeys: [],
    replicaIdentity: 'default',
  };
  const uuid = (i: number): string => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

  it('pages by the tiebreak alone and sorts every document by key, then _id, unreadable keys first', async () => {
    const doc = (id: string, key: string | undefined, shardDoc: number): Stored => ({
      _id: id,
      _source: key === undefined ? { note: id } : { account_id: key },
      shardDoc,
    });
    es.indices.set('accounts', [
      doc('b', uuid(2), 0),
      doc('z', undefined, 1),
      doc('a', uuid(2), 2),
      doc('c', uuid(1), 3),
      { _id: 'y', shardDoc: 4 } as Stored,
    ]);
    const docs = await readAll({ index: 'accounts', model: accounts, batchSize: 2 });
    expect(docs).toEqual([
      { _id: 'y', _source: {} },
      { _id: 'z', _source: { note: 'z' } },
      { _id: 'c', _source: { account_id: uuid(1) } },
      { _id: 'a', _source: { account_id: uuid(2) } },
      { _id: 'b', _source: { account_id: uuid(2) } },
    ]);
    expect(es.searches[0]).toMatchObject({ sort: [{ _shard_doc: 'asc' }] });
    expect(es.searches[1]).toHaveProperty('search_after', [1]);
    expect(es.searches).toHaveLength(3);
  });
});

describe('refreshIndex', () => {
  it('refreshes an existing index, reports a missing one', async () => {
    es.indices.set('products', []);
    expect(await refreshIndex(es.url)).toBe(true);
    expect(await refreshIndex(es.url, 'nope')).toBe(false);
    expect(es.refreshed).toEqual(['products']);
  });
});

describe('readEsDocs against an unusual or broken Elasticsearch', () => {
  const one = (): void => {
    es.indices.set('products', [{ _id: '1', _source: { product_id: 1 }, shardDoc: 0 }]);
  };
  const page =
    (f: (body: Record<string, unknown>) => unknown): Override =>
    (normal) => ({ status: normal.status, body: f(normal.body as Record<string, unknown>) });

  it('sorts the documents of the last product by _id too', async () => {
    es.indices.set('products', [
      { _id: '1', _source: { product_id: 1 }, shardDoc: 0 },
      { _id: 'z', _source: { product_id: 2 }, shardDoc: 1 },
      { _id: 'm', _source: { product_id: 2 }, shardDoc: 2 },
      { _id: 'a', _source: { product_id: 2 }, shardDoc: 3 },
    ]);
    expect((await readAll({})).map((d) => d._id)).toEqual(['1', 'a', 'm', 'z']);
  });

  it('keeps the engine’s order, which sorts a document without product_id as -1', async () => {
    es.indices.set('products', [
      { _id: 'none', _source: { name: 'no key' }, shardDoc: 0 },
      { _id: 'neg', _source: { product_id: -5 }, shardDoc: 1 },
      { _id: '1', _source: { product_id: 1 }, shardDoc: 2 },
    ]);
    expect((await readAll({})).map((d) => d._id)).toEqual(['neg', 'none', '1']);
  });

  it('keeps a hit without _source as an empty document (the checker then calls it corrupt)', async () => {
    one();
    es.overrides.search = page((b) => ({ ...b, hits: { hits: [{ _id: '1', sort: [-1, 0] }] } }));
    expect(await readAll({})).toEqual([{ _id: '1', _source: {} }]);
  });

  it('keeps using the point in time it has when a search answer carries no new id', async () => {
    es.indices.set(
      'products',
      [1, 2, 3].map((i) => ({ _id: String(i), _source: { product_id: i }, shardDoc: i })),
    );
    let first: string | undefined;
    es.overrides.pit = (normal) => {
      first = (normal.body as { id: string }).id;
      return normal;
    };
    es.overrides.search = (normal) => {
      // This Elasticsearch keeps one id for the whole point in time.
      es.livePit = first;
      const { pit_id: _pit, ...rest } = normal.body as Record<string, unknown>;
      return { status: normal.status, body: rest };
    };
    const docs = await readAll({ batchSize: 1 });
    expect(docs.map((d) => d._id)).toEqual(['1', '2', '3']);
    expect(es.searches.map((s) => (s['pit'] as { id: string }).id)).toEqual([first, first, first, first]);
    expect(es.closed).toEqual([first]);
  });

  it.each([
    [
      'a point in time without an id',
      'pit',
      (b: Record<string, unknown>) => ({ ...b, id: undefined }),
      'Elasticsearch POST _pit: unexpected response, id is undefined',
    ],
    [
      'a point in time id that is not a string',
      'pit',
      (b: Record<string, unknown>) => ({ ...b, id: 42 }),
      'Elasticsearch POST _pit: unexpected response, id is 42',
    ],
    [
      'a new point in time id that is not a string',
      'search',
      (b: Record<string, unknown>) => ({ ...b, pit_id: 42 }),
      'Elasticsearch _search: unexpected response, pit_id is 42',
    ],
    [
      'an answer that is not an object',
      'search',
      () => null,
      'Elasticsearch _search: unexpected response, hits is undefined',
    ],
    [
      'hits that are not an object',
      'search',
      (b: Record<string, unknown>) => ({ ...b, hits: 'x' }),
      'Elasticsearch _search: unexpected response, hits is "x"',
    ],
    [
      'hits that are null',
      'search',
      (b: Record<string, unknown>) => ({ ...b, hits: null }),
      'Elasticsearch _search: unexpected response, hits is null',
    ],
    [
      'hits.hits that is not an array',
      'search',
      (b: Record<string, unknown>) => ({ ...b, hits: { hits: { length: 0 } } }),
      'Elasticsearch _search: unexpected response, hits is {"length":0}',
    ],
    [
      'a hit that is not an object',
      'search',
      (b: Record<string, unknown>) => ({ ...b, hits: { hits: [42] } }),
      '_search: a hit is not an object',
    ],
    [
      'a hit that is null',
      'search',
      (b: Record<string, unknown>) => ({ ...b, hits: { hits: [null] } }),
      '_search: a hit is not an object',
    ],
    [
      'a hit without _id',
      'search',
      (b: Record<string, unknown>) => ({ ...b, hits: { hits: [{ sort: [1, 0] }] } }),
      '_search: a hit lacks _id or sort',
    ],
    [
      'a hit without sort values',
      'search',
      (b: Record<string, unknown>) => ({ ...b, hits: { hits: [{ _id: '1' }] } }),
      '_search: a hit lacks _id or sort',
    ],
  ] as const)(
    'fails loudly on %s, and closes the point in time it opened',
    async (_what, endpoint, mangle, message) => {
      one();
      es.overrides[endpoint] = page(mangle);
      await expect(readAll({})).rejects.toThrow(message);
      if (endpoint === 'search') expect(es.closed).toHaveLength(1);
    },
  );

  it('cuts a long unexpected value short in the error', async () => {
    one();
    es.overrides.search = page((b) => ({ ...b, hits: 'x'.repeat(1000) }));
    const error = await readAll({}).catch((e: unknown) => e as Error);
    expect((error as Error).message).toBe(`Elasticsearch _search: unexpected response, hits is "${'x'.repeat(199)}`);
  });

  it('names the request and status of an HTTP error, with the start of its body', async () => {
    one();
    es.overrides.pit = () => ({ status: 500, body: { error: 'y'.repeat(2000) } });
    const error = (await readAll({}).catch((e: unknown) => e)) as Error;
    expect(error.message).toBe(
      `Elasticsearch POST _pit: HTTP 500 ${JSON.stringify({ error: 'y'.repeat(2000) }).slice(0, 500)}`,
    );
  });

  it('still names the status when the error body is cut off', async () => {
    one();
    es.overrides.search = () => 'cut-off';
    await expect(readAll({})).rejects.toThrow(/^Elasticsearch POST _search: HTTP 500 $/);
  });

  it('sends JSON bodies as JSON, and the caller’s headers with every request', async () => {
    one();
    const headers = { authorization: 'ApiKey abc' };
    await readAll({ headers });
    expect(await refreshIndex(es.url, 'products', { headers })).toBe(true);
    expect(es.headers.length).toBeGreaterThanOrEqual(4);
    for (const h of es.headers) expect(h['authorization']).toBe('ApiKey abc');
    // The fake refuses a body without a JSON content type, as Elasticsearch does; _search and DELETE _pit have one.
    expect(es.searches).toHaveLength(1);
    expect(es.closed).toHaveLength(1);
  });

  it('sends a content type only with a body, and asks for no total hit count on any page', async () => {
    one();
    await readAll({ batchSize: 1 });
    expect(es.searches).toHaveLength(2);
    for (const search of es.searches) expect(search['track_total_hits']).toBe(false);
    es.headers = [];
    expect(await refreshIndex(es.url)).toBe(true);
    expect(es.headers).toHaveLength(1);
    expect(es.headers[0]!['content-type']).toBeUndefined();
  });

  it('takes the endpoint with trailing slashes', async () => {
    one();
    for (const url of [`${es.url}/`, `${es.url}//`]) {
      const docs: EsDoc[] = [];
      for await (const doc of readEsDocs(url, {})) docs.push(doc);
      expect(docs.map((d) => d._id)).toEqual(['1']);
      expect(await refreshIndex(url)).toBe(true);
    }
  });

  it('reads another index, and gives up on a request that takes longer than timeoutMs', async () => {
    es.indices.set('other', [{ _id: '5', _source: { product_id: 5 }, shardDoc: 0 }]);
    expect((await readAll({ index: 'other' })).map((d) => d._id)).toEqual(['5']);
    const slow = createServer(() => undefined);
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(slow.address() as AddressInfo).port}`;
      await expect(refreshIndex(url, 'products', { timeoutMs: 50 })).rejects.toThrow(/timeout|aborted/i);
    } finally {
      slow.closeAllConnections();
      await new Promise((resolve) => slow.close(resolve));
    }
  });
});

describe('refreshIndex: errors', () => {
  it('fails loudly on an HTTP error other than a missing index', async () => {
    es.indices.set('products', []);
    es.overrides.refresh = () => ({ status: 500, body: { error: 'boom' } });
    await expect(refreshIndex(es.url)).rejects.toThrow('Elasticsearch POST _refresh: HTTP 500 {"error":"boom"}');
  });
});

describe('readIndexMapping: the raw mapping the checker reads every field by', () => {
  it('returns the mappings object of the index, undefined when it does not exist', async () => {
    es.indices.set('products', []);
    es.mappings.set('products', { price: { type: 'short' } });
    expect(await readIndexMapping(es.url, 'products')).toEqual({ properties: { price: { type: 'short' } } });
    expect(await readIndexMapping(es.url, 'nope')).toBeUndefined();
  });

  it('through an alias, takes the first index answer with mappings', async () => {
    es.indices.set('products', []);
    es.overrides['index-mapping'] = () => ({
      status: 200,
      body: { a: {}, b: { mappings: { properties: { name: { type: 'text' } } } }, c: { mappings: {} } },
    });
    expect(await readIndexMapping(es.url, 'products')).toEqual({ properties: { name: { type: 'text' } } });
    es.overrides['index-mapping'] = () => ({ status: 200, body: { a: {} } });
    expect(await readIndexMapping(es.url, 'products')).toBeUndefined();
  });

  it('fails loudly on an HTTP error other than a missing index', async () => {
    es.overrides['index-mapping'] = () => ({ status: 500, body: { error: 'boom' } });
    await expect(readIndexMapping(es.url, 'products')).rejects.toThrow(
      'Elasticsearch GET _mapping: HTTP 500 {"error":"boom"}',
    );
  });
});

describe('readFieldMapping', () => {
  it('reads the type and format of a field', async () => {
    es.indices.set('products', []);
    es.mappings.set('products', { created_at: { type: 'date', format: 'epoch_millis' }, 'meta.at': { type: 'date' } });
    expect(await readFieldMapping(es.url, 'products', 'created_at')).toEqual({ type: 'date', format: 'epoch_millis' });
    expect(await readFieldMapping(es.url, 'products', 'meta.at')).toEqual({ type: 'date' });
  });

  it('is undefined for a missing index or a field the index does not map', async () => {
    es.indices.set('products', []);
    expect(await readFieldMapping(es.url, 'nope', 'created_at')).toBeUndefined();
    expect(await readFieldMapping(es.url, 'products', 'created_at')).toBeUndefined();
  });

  it('through an alias, takes the first index that maps the field', async () => {
    es.indices.set('products-a', []);
    es.indices.set('products-b', []);
    es.aliases.set('products', ['products-a', 'products-b']);
    es.mappings.set('products-b', { created_at: { type: 'date', format: 'epoch_second' } });
    expect(await readFieldMapping(es.url, 'products', 'created_at')).toEqual({ type: 'date', format: 'epoch_second' });
  });

  it('passes over an index answer without mappings, and a field answer without its mapping', async () => {
    es.indices.set('products', []);
    const field = { full_name: 'created_at', mapping: { created_at: { type: 'date' } } };
    es.overrides.mapping = () => ({
      status: 200,
      body: {
        a: {},
        b: { mappings: { created_at: { full_name: 'created_at' } } },
        c: { mappings: { created_at: field } },
      },
    });
    expect(await readFieldMapping(es.url, 'products', 'created_at')).toEqual({ type: 'date' });
  });

  it('fails loudly on an HTTP error, naming the field', async () => {
    es.indices.set('products', []);
    es.overrides.mapping = () => ({ status: 403, body: { error: 'forbidden' } });
    await expect(readFieldMapping(es.url, 'products', 'created_at')).rejects.toThrow(
      'Elasticsearch GET _mapping/field/created_at: HTTP 403 {"error":"forbidden"}',
    );
  });
});

describe('byKeyThenId', () => {
  const at = (key: number | string | undefined, id: string) => ({ key, doc: { _id: id, _source: {} } });

  it('orders by key, then by _id, unreadable keys first, as a consistent comparator (0 only for the same)', () => {
    expect(byKeyThenId(at(1, 'b'), at(2, 'a'))).toBeLessThan(0);
    expect(byKeyThenId(at('x', 'a'), at('w', 'b'))).toBeGreaterThan(0);
    expect(byKeyThenId(at(undefined, 'z'), at(1, 'a'))).toBe(-1);
    expect(byKeyThenId(at(1, 'a'), at(undefined, 'z'))).toBe(1);
    for (const key of [1, 'k', undefined]) {
      expect(byKeyThenId(at(key, 'a'), at(key, 'b'))).toBe(-1);
      expect(byKeyThenId(at(key, 'b'), at(key, 'a'))).toBe(1);
      expect(byKeyThenId(at(key, 'a'), at(key, 'a'))).toBe(0);
    }
  });
});
