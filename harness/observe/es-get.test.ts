import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getVisibleDoc } from './es-get.ts';

// The client's side of Elasticsearch's GET API (request shape, answers), on a canned HTTP server.
describe('getVisibleDoc', () => {
  let server: Server;
  let url: string;
  const seen: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.url ?? '');
      const [path] = (req.url ?? '').split('?');
      res.setHeader('content-type', 'application/json');
      if (path === '/products/_doc/0')
        res.end(JSON.stringify({ _index: 'products', _id: '0', found: true, _source: { name: 'probe 7' } }));
      else if (path === '/products/_doc/1')
        res.writeHead(404).end(JSON.stringify({ _index: 'products', _id: '1', found: false }));
      else if (path === '/gone/_doc/0')
        res.writeHead(404).end(JSON.stringify({ error: { type: 'index_not_found_exception' }, status: 404 }));
      else res.writeHead(503).end('{"error":"unavailable"}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('asks for the refreshed view and only the fields wanted', async () => {
    expect(await getVisibleDoc(url, 'products', '0', ['name'])).toEqual({ name: 'probe 7' });
    expect(seen.at(-1)).toBe('/products/_doc/0?realtime=false&_source_includes=name');
  });

  it('answers undefined for a missing document or index, and fails on anything else', async () => {
    expect(await getVisibleDoc(url, 'products', '1', ['name'])).toBeUndefined();
    expect(await getVisibleDoc(url, 'gone', '0', ['name'])).toBeUndefined();
    await expect(getVisibleDoc(url, 'other', '0', ['name'])).rejects.toThrow(/HTTP 503/);
  });
});
