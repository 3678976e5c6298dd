import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { connectorIn, pidReplaced, pollFor, proxyBytes, tryConnect, within } from './evidence.ts';

// As Toxiproxy 2.12 with -proxy-metrics prints it.
const line = (metric: string, direction: string, proxy: string, n: number) =>
  `toxiproxy_proxy_${metric}_bytes_total{direction="${direction}",listener="127.0.0.1:19498",proxy="${proxy}",` +
  `upstream="127.0.0.1:9200"} ${n}`;
const METRICS = [
  '# HELP toxiproxy_proxy_received_bytes_total',
  '# TYPE toxiproxy_proxy_received_bytes_total counter',
  line('received', 'downstream', 'es', 187),
  line('received', 'upstream', 'es', 86),
  line('received', 'upstream', 'pg', 5),
  line('sent', 'downstream', 'es', 999),
].join('\n');

describe('proxyBytes', () => {
  it("reads one proxy's received bytes per direction, not another proxy's nor the sent ones", () => {
    expect(proxyBytes(METRICS, 'es')).toEqual({ upstream: 86, downstream: 187 });
    expect(proxyBytes(METRICS, 'pg')).toEqual({ upstream: 5, downstream: 0 });
  });
  it('says when there is nothing for the proxy (no traffic yet, or no metrics)', () => {
    expect(proxyBytes(METRICS, 'kafka')).toBeUndefined();
    expect(proxyBytes('', 'es')).toBeUndefined();
  });
});

describe('connectorIn', () => {
  const st = (connector: string, ...tasks: string[]) => ({
    name: 'c',
    type: 'sink',
    connector: { state: connector, worker_id: 'w' },
    tasks: tasks.map((state, id) => ({ id, state, worker_id: 'w' })),
  });
  it('needs every task in the state, and at least one', () => {
    expect(connectorIn(st('PAUSED', 'PAUSED', 'PAUSED'), 'PAUSED').yes).toBe(true);
    expect(connectorIn(st('PAUSED', 'PAUSED', 'RUNNING'), 'PAUSED')).toEqual({
      yes: false,
      line: 'connector PAUSED, task 0 PAUSED, task 1 RUNNING',
    });
    expect(connectorIn(st('RUNNING'), 'RUNNING').yes).toBe(false);
    expect(connectorIn(st('RUNNING', 'RUNNING'), 'RUNNING').yes).toBe(true);
    // A restart in progress: the connector RESTARTING while its task still runs is not RUNNING again.
    expect(connectorIn(st('RESTARTING', 'RUNNING'), 'RUNNING').yes).toBe(false);
    expect(connectorIn(undefined, 'RUNNING')).toEqual({ yes: false, line: 'unknown to Connect' });
  });
  it('takes STOPPED as the connector stopped with its tasks released', () => {
    expect(connectorIn(st('STOPPED'), 'STOPPED').yes).toBe(true);
    expect(connectorIn(st('STOPPED', 'RUNNING'), 'STOPPED').yes).toBe(false);
    expect(connectorIn(st('RUNNING'), 'STOPPED').yes).toBe(false);
  });
});

describe('pidReplaced', () => {
  it('sees a replacement only when the old pid is gone and a new one answers', () => {
    expect(pidReplaced(10, 11, false)).toEqual({ seen: true, how: 'pid 10 gone, the service answers as pid 11' });
    expect(pidReplaced(10, 10, true).seen).toBe(false);
    expect(pidReplaced(10, 11, true).seen).toBe(false);
    expect(pidReplaced(10, undefined, false).seen).toBe(false);
    expect(pidReplaced(undefined, 11, false).seen).toBe(false);
  });
});

describe('tryConnect', () => {
  it('tells a refused connection from an accepted one', async () => {
    const server = createServer((s) => s.end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    expect(await tryConnect(`127.0.0.1:${port}`)).toBe('accepted');
    await new Promise((r) => server.close(r));
    expect(await tryConnect(`127.0.0.1:${port}`)).toBe('refused');
  });
});

describe('pollFor', () => {
  it('returns the first finding, and undefined once the deadline passed', async () => {
    let n = 0;
    expect(await pollFor(async () => (++n >= 3 ? n : undefined), { everyMs: 1, until: within(1_000) })).toBe(3);
    expect(await pollFor(async () => undefined, { everyMs: 5, until: within(20) })).toBeUndefined();
    const failing = pollFor(
      async () => {
        throw new Error('Connect busy');
      },
      { everyMs: 5, until: within(20) },
    );
    expect(await failing).toBeUndefined();
  });
});
