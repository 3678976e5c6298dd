import { connect as tcpConnect } from 'node:net';
import type { ConnectorStatus } from '../connect/client.ts';
import { exec } from '../util/exec.ts';
import type { FaultContext } from './fault.ts';
import type { Evidence } from './kind.ts';

/**
 * What a fault saw of its own effect, from the real programs, written to the timeline as `fault-evidence`
 * (docs/fault-evidence.md). Each handler looks for the signs its kind declares with the cheapest honest
 * signal: Toxiproxy's byte counters, the process table, Connect's task states, pg_replication_slots.
 */
export function witness(ctx: FaultContext, id: string, sign: Evidence, seen: boolean, how: string): void {
  ctx.record({ t: Date.now(), kind: 'fault-evidence', id, sign, seen, how });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `look` every `everyMs` until it returns a finding or `until()` says stop; the last miss otherwise. */
export async function pollFor<T>(
  look: () => Promise<T | undefined>,
  opts: { everyMs: number; until: () => boolean },
): Promise<T | undefined> {
  for (;;) {
    const found = await look().catch(() => undefined);
    if (found !== undefined || opts.until()) return found;
    await sleep(opts.everyMs);
  }
}

/** A deadline as a stop condition for pollFor. */
export const within = (ms: number): (() => boolean) => {
  const end = Date.now() + ms;
  return () => Date.now() >= end;
};

/**
 * Toxiproxy's byte counters of one proxy (its /metrics with -proxy-metrics), per direction: what the proxy
 * read from either side (`received`, before any toxic acted on it). Undefined when the text has none for it.
 */
export function proxyBytes(metrics: string, proxy: string): { upstream: number; downstream: number } | undefined {
  const out = { upstream: 0, downstream: 0 };
  let found = false;
  for (const line of metrics.split('\n')) {
    if (!line.startsWith('toxiproxy_proxy_received_bytes_total{')) continue;
    const labels = /\{([^}]*)\}\s+(\S+)/.exec(line);
    if (!labels) continue;
    const get = (k: string) => new RegExp(`(?:^|,)${k}="([^"]*)"`).exec(labels[1]!)?.[1];
    const dir = get('direction');
    if (get('proxy') !== proxy || (dir !== 'upstream' && dir !== 'downstream')) continue;
    out[dir] += Number(labels[2]);
    found = true;
  }
  return found ? out : undefined;
}

/**
 * Bytes carried so far by each open connection in `ss -tinH` output (Linux): the peer address, and
 * bytes_sent + bytes_received of its socket. Each socket is a header line followed by an indented detail line.
 */
export function socketBytes(ssOutput: string): Map<string, number> {
  const out = new Map<string, number>();
  let peer: string | undefined;
  for (const line of ssOutput.split('\n')) {
    if (!line.trim()) continue;
    if (!/^\s/.test(line)) {
      peer = line.trim().split(/\s+/).at(-1);
      continue;
    }
    if (peer === undefined) continue;
    const n = (k: string) => Number(new RegExp(`\\b${k}:(\\d+)`).exec(line)?.[1] ?? 0);
    out.set(peer, (out.get(peer) ?? 0) + n('bytes_sent') + n('bytes_received'));
    peer = undefined;
  }
  return out;
}

/**
 * The open connections to a proxy's listener on this host and the bytes each carried, from `ss`; undefined
 * where that cannot be read (no ss, another OS, a listener in a container's network namespace).
 */
export async function listenerSockets(listen: string): Promise<Map<string, number> | undefined> {
  const port = Number(listen.slice(listen.lastIndexOf(':') + 1));
  if (!Number.isInteger(port) || port <= 0) return undefined;
  const r = await exec('ss', ['-tinH', 'state', 'established', `( sport = :${port} )`], { timeoutMs: 5_000 }).catch(
    () => undefined,
  );
  return r?.code === 0 ? socketBytes(r.stdout) : undefined;
}

/** Bytes carried while a toxic was on by the connections open at both looks, and by those opened meanwhile. */
export function bytesBetween(before: Map<string, number>, after: Map<string, number>): number {
  let n = 0;
  for (const [peer, b] of after) n += Math.max(0, b - (before.get(peer) ?? 0));
  return n;
}

/** Reads Toxiproxy's /metrics; undefined when it has none (started without -proxy-metrics, or unreachable). */
export async function toxiproxyMetrics(url: string): Promise<string | undefined> {
  try {
    const r = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5_000) });
    const text = await r.text();
    return r.ok && text.includes('toxiproxy_proxy_') ? text : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether a TCP connection to `listen` (host:port) is refused: a disabled proxy closes its listener.
 * Resolves 'refused', 'accepted' or the error's code.
 */
export function tryConnect(listen: string, timeoutMs = 2_000): Promise<string> {
  const i = listen.lastIndexOf(':');
  const host = listen.slice(0, i) || '127.0.0.1';
  const port = Number(listen.slice(i + 1));
  if (!Number.isInteger(port) || port <= 0 || port > 65535) return Promise.resolve(`no port in "${listen}"`);
  return new Promise((resolve) => {
    const s = tcpConnect({ host: host === '0.0.0.0' ? '127.0.0.1' : host, port });
    const done = (r: string) => {
      s.destroy();
      resolve(r);
    };
    s.setTimeout(timeoutMs, () => done('timed out'));
    s.once('connect', () => done('accepted'));
    s.once('error', (err: NodeJS.ErrnoException) =>
      done(err.code === 'ECONNREFUSED' ? 'refused' : (err.code ?? 'error')),
    );
  });
}

/**
 * A connection to a proxy's listener (`listen` as Toxiproxy reports it) the way the pipeline's own client makes
 * it: from inside Connect's container where Connect runs in one (the listener is then on the container network,
 * at the proxies' host there), else from here.
 */
export function clientConnect(ctx: FaultContext, listen: string): Promise<string> {
  const connect = ctx.services?.connect;
  if (!connect?.probeTcp) return tryConnect(listen);
  return connect.probeTcp(ctx.endpoints.pgProxied.host, Number(listen.slice(listen.lastIndexOf(':') + 1)));
}

/**
 * A connector's status in one line, and whether every task (at least one) is in `state`; STOPPED is the
 * connector's own state with its tasks released (none listed).
 */
export function connectorIn(
  st: ConnectorStatus | undefined,
  state: 'PAUSED' | 'STOPPED' | 'RUNNING',
): { yes: boolean; line: string } {
  if (!st) return { yes: false, line: 'unknown to Connect' };
  const tasks = st.tasks.map((t) => `task ${t.id} ${t.state}`).join(', ');
  const line = `connector ${st.connector.state}${tasks ? `, ${tasks}` : ', no tasks'}`;
  if (state === 'STOPPED') return { yes: st.connector.state === 'STOPPED' && st.tasks.length === 0, line };
  // RUNNING again means the connector too (a restart shows it RESTARTING while its tasks still run).
  if (state === 'RUNNING' && st.connector.state !== 'RUNNING') return { yes: false, line };
  return { yes: st.tasks.length > 0 && st.tasks.every((t) => t.state === state), line };
}

/**
 * A process replaced: the pid struck is gone and the service runs as another one. `before` is the pid the
 * fault hit, `after` the service's pid once it answered again, `oldAlive` whether the old pid still lives.
 */
export function pidReplaced(
  before: number | undefined,
  after: number | undefined,
  oldAlive: boolean,
): { seen: boolean; how: string } {
  if (before === undefined) return { seen: false, how: 'no pid of the struck process before the fault' };
  if (after === undefined) return { seen: false, how: `pid ${before} struck; the service has no process after it` };
  if (after === before) return { seen: false, how: `the service still runs as pid ${before}` };
  if (oldAlive) return { seen: false, how: `pid ${before} still alive beside the new pid ${after}` };
  return { seen: true, how: `pid ${before} gone, the service answers as pid ${after}` };
}
