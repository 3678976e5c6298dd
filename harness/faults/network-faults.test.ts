import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TimelineEvent } from '../record/timeline.ts';
import { ToxiproxyApi, type Toxic } from '../stack/toxiproxy-api.ts';
import type { FaultContext } from './fault.ts';
import { downFault, toxicFault } from './network-faults.ts';
import { makeFault } from './registry.ts';

/** A fake Toxiproxy that keeps state in memory and answers like the real one (including its error bodies). */
function fakeToxiproxy() {
  const proxies = new Map<string, { enabled: boolean; toxics: Toxic[] }>(
    ['pg', 'kafka', 'es'].map((n) => [n, { enabled: true, toxics: [] }]),
  );
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const send = (status: number, data?: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(data === undefined ? '' : JSON.stringify(data));
      };
      const [, , name, sub, toxic] = (req.url ?? '').split('/').map(decodeURIComponent);
      if (req.url === '/reset' && req.method === 'POST') {
        for (const p of proxies.values()) Object.assign(p, { enabled: true, toxics: [] });
        return send(204);
      }
      const p = name === undefined ? undefined : proxies.get(name);
      if (!p) return send(404, { error: 'proxy not found', status: 404 });
      const view = () => ({ name, listen: 'x', upstream: 'y', ...p });
      if (sub === undefined) {
        if (req.method === 'POST') p.enabled = (JSON.parse(body) as { enabled: boolean }).enabled;
        return send(200, view());
      }
      if (req.method === 'GET') return send(200, p.toxics);
      if (req.method === 'POST') {
        const t = JSON.parse(body) as Toxic;
        if (p.toxics.some((x) => x.name === t.name)) return send(409, { error: 'toxic already exists', status: 409 });
        p.toxics.push(t);
        return send(200, t);
      }
      if (req.method === 'DELETE') {
        if (!p.toxics.some((x) => x.name === toxic)) return send(404, { error: 'toxic not found', status: 404 });
        p.toxics = p.toxics.filter((x) => x.name !== toxic);
        return send(204);
      }
      send(405, { error: 'method not allowed' });
    });
  });
  return { server, proxies };
}

describe('network faults (against a fake Toxiproxy)', () => {
  const fake = fakeToxiproxy();
  let server: Server;
  let ctx: FaultContext;
  let events: TimelineEvent[];
  beforeAll(async () => {
    server = fake.server;
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(async () => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await new ToxiproxyApi(url).resetAll();
    events = [];
    ctx = { endpoints: { toxiproxyUrl: url }, record: (e: TimelineEvent) => events.push(e) } as unknown as FaultContext;
  });

  it('adds one toxic per direction for `both`, named after the fault id, and heal removes only its own', async () => {
    const a = makeFault(
      { kind: 'network.latency', target: 'es', latency: 100, jitter: 10, direction: 'both', toxicity: 0.5 },
      'slow es#1',
    );
    const b = toxicFault('other', 'es', 'bandwidth', { rate: 5 });
    await a.start(ctx);
    await b.start(ctx);
    const toxics = fake.proxies.get('es')?.toxics ?? [];
    expect(toxics.map((t) => [t.name, t.stream])).toEqual([
      ['slow_es_1.latency.upstream', 'upstream'],
      ['slow_es_1.latency.downstream', 'downstream'],
      ['other.bandwidth.downstream', 'downstream'],
    ]);
    expect(toxics[0]).toMatchObject({ type: 'latency', toxicity: 0.5, attributes: { latency: 100, jitter: 10 } });
    await a.heal(ctx);
    await a.heal(ctx);
    expect(fake.proxies.get('es')?.toxics.map((t) => t.name)).toEqual(['other.bandwidth.downstream']);
    expect(events.map((e) => e.kind)).toEqual(['fault-start', 'fault-start', 'fault-evidence', 'fault-heal']);
    // This Toxiproxy has no byte counters and no listener: the toxic cannot prove it saw traffic.
    expect(events[2]).toMatchObject({ id: 'slow es#1', sign: 'toxic-saw-traffic', seen: false });
    expect(JSON.stringify(events[2])).toContain('es: open connections unreadable (no ss here), no byte counters');
  });

  it('drops undefined attributes and replaces a leftover toxic of the same name', async () => {
    const f = toxicFault('s', 'pg', 'slicer', { average_size: 10, size_variation: undefined, delay: 5 });
    await f.start(ctx);
    await f.start(ctx);
    expect(fake.proxies.get('pg')?.toxics).toEqual([
      {
        name: 's.slicer.downstream',
        type: 'slicer',
        stream: 'downstream',
        toxicity: 1,
        attributes: { average_size: 10, delay: 5 },
      },
    ]);
  });

  it('heals without a prior start, and records nothing then', async () => {
    await makeFault({ kind: 'network.timeout', target: 'kafka' }, 'x').heal(ctx);
    await downFault('d', 'kafka').heal(ctx);
    expect(events).toEqual([]);
    expect(fake.proxies.get('kafka')?.enabled).toBe(true);
  });

  it('keeps a proxy down until the last overlapping down fault heals', async () => {
    const one = downFault('one', 'es');
    const two = downFault('two', 'es');
    await one.start(ctx);
    await two.start(ctx);
    expect(fake.proxies.get('es')?.enabled).toBe(false);
    await one.heal(ctx);
    expect(fake.proxies.get('es')?.enabled).toBe(false);
    expect(events.at(-1)).toMatchObject({ kind: 'fault-heal', id: 'one', detail: 'proxy stays down for two' });
    await two.heal(ctx);
    expect(fake.proxies.get('es')?.enabled).toBe(true);
  });

  it('names the proxy and quotes Toxiproxy in errors', async () => {
    const api = new ToxiproxyApi(String((ctx.endpoints as { toxiproxyUrl: string }).toxiproxyUrl));
    await expect(api.getProxy('nope')).rejects.toThrow(
      'Toxiproxy refused to read proxy "nope": proxy not found (HTTP 404)',
    );
    await expect(api.removeToxic('nope', 't')).rejects.toThrow('proxy "nope": proxy not found');
    await expect(new ToxiproxyApi('http://127.0.0.1:1').resetAll()).rejects.toThrow(
      'Toxiproxy at http://127.0.0.1:1 is unreachable (reset all proxies)',
    );
  });
});
