import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  bytesBetween,
  connectorIn,
  pidReplaced,
  pollFor,
  proxyBytes,
  socketBytes,
  tryConnect,
  within,
} from './evidence.ts';

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

describe('socketBytes and bytesBetween', () => {
  // As `ss -tinH state established '( sport = :19412 )'` prints it (details shortened).
  const ss = (a: number, b: number, c?: number) =>
    [
      '0      0      127.0.0.1:19412 127.0.0.1:59310',
      `\t bbr wscale:10,10 rto:216 bytes_sent:${a} bytes_acked:${a} bytes_received:${b} segs_out:151`,
      ...(c === undefined ? [] : ['0      0      127.0.0.1:19412 127.0.0.1:45516', `\t bytes_received:${c}`]),
    ].join('\n');
  it('sums bytes sent and received per peer', () => {
    expect(socketBytes(ss(10, 5, 7))).toEqual(
      new Map([
        ['127.0.0.1:59310', 15],
        ['127.0.0.1:45516', 7],
      ]),
    );
    expect(socketBytes('')).toEqual(new Map());
  });
  it('counts what open connections carried meanwhile, a new connection whole, a quiet one as nothing', () => {
    expect(bytesBetween(socketBytes(ss(10, 5)), socketBytes(ss(10, 5)))).toBe(0);
    expect(bytesBetween(socketBytes(ss(10, 5)), socketBytes(ss(30, 5, 7)))).toBe(27);
    // A peer port reused by a new, smaller connection is not negative traffic.
    expect(bytesBetween(socketBytes(ss(10, 5)), socketBytes(ss(1, 1)))).toBe(0);
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
