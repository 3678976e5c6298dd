import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EsDoc } from '../record/anomalies.ts';
import { readEsDocs, refreshIndex } from './read-es.ts';

/**
 * A stand-in for the slice of the Elasticsearch API the reader uses (_refresh, _pit, _search with pit + sort +
 * search_after, DELETE _pit), strict where the real one is: an unknown or superseded PIT id is an error,
 * search_after must match the sort, and every search hands out a new PIT id.
 */
interface Stored {
  _id: string;
  _source: Record<string, unknown>;
  shardDoc: number;
}

class FakeEs {
  server: Server = createServer((req, res) => {
    void this.handle(req).then(
      ({ status, body }) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      },
      (error: unknown) => {
        res.writeHead(500);
        res.end(JSON.stringify({ error: String(error) }));
      },
    );
  });
  indices = new Map<string, Stored[]>();
  livePit: string | undefined;
  pitCounter = 0;
  closed: string[] = [];
  searches: Record<string, unknown>[] = [];
  refreshed: string[] = [];
  failSearch = false;

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const body = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
    const url = new URL(req.url ?? '/', 'http://x');
    const [, first, second] = url.pathname.split('/');
    const missing = { status: 404, body: { error: { type: 'index_not_found_exception' }, status: 404 } };

    if (req.method === 'POST' && second === '_refresh') {
      if (!this.indices.has(first!)) return missing;
      this.refreshed.push(first!);
      return { status: 200, body: { _shards: { total: 1, successful: 1, failed: 0 } } };
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
      if (pit.id !== this.livePit) return { status: 404, body: { error: { type: 'search_context_missing_exception' } } };
      const index = pit.id.split('-')[1]!;
      const key = (d: Stored): [number, number] => {
        const id = d._source['product_id'];
        return [typeof id === 'number' ? id : typeof id === 'string' ? Number(id) : -1, d.shardDoc];
      };
      const sorted = [...this.indices.get(index)!].sort((a, b) => key(a)[0] - key(b)[0] || key(a)[1] - key(b)[1]);
      const after = body['search_after'] as [number, number] | undefined;
      const from = after === undefined ? sorted : sorted.filter((d) => {
        const [p, s] = key(d);
        return p > after[0] || (p === after[0] && s > after[1]);
      });
      const hits = from.slice(0, body['size'] as number).map((d) => ({ _index: index, _id: d._id, _score: null, _source: d._source, sort: key(d) }));
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
  es.closed = [];
  es.searches = [];
  es.refreshed = [];
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
    es.indices.set('products', [1, 2, 3].map((i) => ({ _id: String(i), _source: { product_id: i }, shardDoc: i })));
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

describe('refreshIndex', () => {
  it('refreshes an existing index, reports a missing one', async () => {
    es.indices.set('products', []);
    expect(await refreshIndex(es.url)).toBe(true);
    expect(await refreshIndex(es.url, 'nope')).toBe(false);
    expect(es.refreshed).toEqual(['products']);
  });
});
