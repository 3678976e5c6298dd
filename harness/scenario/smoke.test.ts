import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchProduct } from './smoke.ts';

// A local HTTP listener answering like Elasticsearch does when it is down or has no such index.
let server: Server;
let url = '';
let status = 503;

beforeAll(async () => {
  server = createServer((_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(status === 200 ? JSON.stringify({ hits: { hits: [] } }) : JSON.stringify({ error: 'unavailable' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('the seed flow search', () => {
  it(
    'an HTTP error is an error, not "no documents" ' + '(the delete step cannot pass while Elasticsearch is down)',
    async () => {
      status = 503;
      await expect(searchProduct(url, 'products', 1)).rejects.toThrow(/HTTP 503/);
      status = 404;
      await expect(searchProduct(url, 'products', 1)).rejects.toThrow(/HTTP 404/);
    },
  );

  it('an answered search with no hits is no documents', async () => {
    status = 200;
    await expect(searchProduct(url, 'products', 1)).resolves.toEqual([]);
  });
});
