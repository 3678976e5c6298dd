import { isClusterTarget, NETWORK_TARGETS, type NetworkTarget } from '../stack/targets.ts';
import { ToxiproxyApi, type Toxic, type ToxicStream, type ToxicType } from '../stack/toxiproxy-api.ts';
import { ConfigError } from '../util/errors.ts';
import { defineFault, slug } from './define.ts';
import { bytesBetween, clientConnect, listenerSockets, proxyBytes, toxiproxyMetrics, witness } from './evidence.ts';
import type { Fault, FaultContext } from './fault.ts';
import { draw, type FaultKind, num, opt, type Params } from './kind.ts';
import type { ParamDef } from './params.ts';
import { resolveProxies } from './roles.ts';

/** upstream = bytes the connector sends to the service, downstream = the service's answers. */
export const DIRECTIONS = ['upstream', 'downstream', 'both'] as const;
export type Direction = (typeof DIRECTIONS)[number];

export interface ToxicOptions {
  direction?: Direction;
  /** Share of connections affected, 0..1 (default 1). */
  toxicity?: number;
}

/** Attributes per toxic type, in Toxiproxy's own names and units. */
export interface ToxicAttributes {
  latency: { latency: number; jitter?: number };
  bandwidth: { rate: number };
  timeout: { timeout: number };
  reset_peer: { timeout: number };
  slow_close: { delay: number };
  slicer: { average_size: number; size_variation?: number; delay?: number };
  limit_data: { bytes: number };
}

const api = (ctx: FaultContext) => new ToxiproxyApi(ctx.endpoints.toxiproxyUrl);

/**
 * The proxies a fault acts on, resolved once when it starts (a broker role is whichever broker plays it
 * then) and kept for its heal; a heal without a start acts on what the target names without asking Kafka.
 */
class Aim {
  private proxies: string[] | undefined;
  constructor(private readonly target: NetworkTarget) {}

  async resolve(ctx: FaultContext): Promise<{ proxies: string[]; why?: string }> {
    const r = await resolveProxies(ctx, this.target);
    this.proxies = r.proxies;
    return r;
  }

  /** For the heal: what the start resolved, else the static proxies (none for an unresolved role). */
  async current(ctx: FaultContext): Promise<string[]> {
    if (this.proxies) return this.proxies;
    return isClusterTarget(this.target) ? [] : (await resolveProxies(ctx, this.target)).proxies;
  }
}

const named = (r: { proxies: string[]; why?: string }): string =>
  `proxy ${r.proxies.join(', ')}${r.why ? ` (${r.why})` : ''}`;

function streams(d: Direction): ToxicStream[] {
  return d === 'both' ? ['upstream', 'downstream'] : [d];
}

function describeToxic<T extends ToxicType>(type: T, a: ToxicAttributes[T]): string {
  const v = a as Record<string, number | undefined>;
  switch (type) {
    case 'latency':
      return `latency ${v.latency}${v.jitter ? `±${v.jitter}` : ''} ms`;
    case 'bandwidth':
      return `bandwidth ${v.rate} KB/s`;
    case 'timeout':
      return v.timeout ? `timeout: black hole, closed after ${v.timeout} ms` : 'timeout: black hole until healed';
    case 'reset_peer':
      return `reset_peer (TCP RST) after ${v.timeout} ms`;
    case 'slow_close':
      return `slow_close delayed ${v.delay} ms`;
    case 'slicer':
      return `slicer ${v.average_size}±${v.size_variation ?? 0} B every ${v.delay ?? 0} µs`;
    case 'limit_data':
      return `limit_data: closed after ${v.bytes} B`;
    default:
      return type;
  }
}

/**
 * What a proxy had carried at one moment: by the connections open then (their sockets' byte counts, from
 * `ss`), and by those already closed (Toxiproxy's counters, which count a connection's bytes when it closes).
 */
interface Carried {
  open: Map<string, number> | undefined;
  closed: number | undefined;
}

/**
 * Bytes a proxy carried between two looks, on connections open at the second or closed between them, and the
 * connections open at either look: a toxic that resets them (reset_peer) or holds their bytes back (bandwidth
 * near 0) acts on connections that carry nothing while it is on.
 */
function carriedWhileOn(
  proxy: string,
  a: Carried | undefined,
  b: Carried | undefined,
): { bytes: number; connections: number; how: string } {
  const open = a?.open && b?.open ? bytesBetween(a.open, b.open) : undefined;
  const closed = a?.closed !== undefined && b?.closed !== undefined ? Math.max(0, b.closed - a.closed) : undefined;
  const connections = new Set([...(a?.open?.keys() ?? []), ...(b?.open?.keys() ?? [])]).size;
  const words = [
    open === undefined ? 'open connections unreadable (no ss here)' : `${open} B on open connections`,
    closed === undefined ? 'no byte counters for closed ones' : `${closed} B on connections that closed`,
    ...(open === undefined ? [] : [`${connections} connection(s) under the toxic`]),
  ];
  return { bytes: (open ?? 0) + (closed ?? 0), connections, how: `${proxy}: ${words.join(', ')}` };
}

/**
 * A Toxiproxy toxic on one proxy, one per direction for `both`. Toxic names carry the fault id, so two
 * faults on the same proxy coexist and each heal removes only its own.
 */
export function toxicFault<T extends ToxicType>(
  id: string,
  proxy: NetworkTarget,
  type: T,
  attributes: ToxicAttributes[T],
  opts: ToxicOptions = {},
): Fault {
  const direction = opts.direction ?? 'downstream';
  const toxicity = opts.toxicity ?? 1;
  const toxics: Toxic[] = streams(direction).map((stream) => ({
    name: `${slug(id)}.${type}.${stream}`,
    type,
    stream,
    toxicity,
    attributes: Object.fromEntries(Object.entries(attributes).filter(([, v]) => v !== undefined)) as Record<
      string,
      number
    >,
  }));
  const describe = () =>
    `${describeToxic(type, attributes)} ${direction}${toxicity < 1 ? ` (toxicity ${toxicity})` : ''} on proxy ${proxy}`;
  const aim = new Aim(proxy);
  // What each proxy had carried when the toxic went on; undefined: not started.
  let before: Map<string, Carried> | undefined;
  const carriedNow = async (ctx: FaultContext, proxies: string[]): Promise<Map<string, Carried>> => {
    const text = await toxiproxyMetrics(ctx.endpoints.toxiproxyUrl);
    const out = new Map<string, Carried>();
    for (const p of proxies) {
      const b = text === undefined ? undefined : proxyBytes(text, p);
      const listen = (await api(ctx).getProxy(p)).listen;
      out.set(p, { closed: b ? b.upstream + b.downstream : undefined, open: await listenerSockets(listen) });
    }
    return out;
  };
  return defineFault({
    id,
    kind: `network.${type}`,
    target: proxy,
    describe,
    async inject(ctx) {
      const r = await aim.resolve(ctx);
      for (const p of r.proxies) for (const t of toxics) await api(ctx).addToxic(p, t);
      before = await carriedNow(ctx, r.proxies);
      return r.why ? named(r) : undefined;
    },
    async repair(ctx) {
      const proxies = await aim.current(ctx);
      if (before) {
        const after = await carriedNow(ctx, proxies);
        const found = proxies.map((p) => carriedWhileOn(p, before?.get(p), after.get(p)));
        witness(
          ctx,
          id,
          'toxic-saw-traffic',
          found.some((f) => f.bytes > 0 || f.connections > 0),
          `traffic through the proxy while the toxic was on: ${found.map((f) => f.how).join('; ') || 'no proxy'}`,
        );
        before = undefined;
      }
      for (const p of proxies) for (const t of toxics) await api(ctx).removeToxic(p, t.name);
    },
  });
}

/**
 * Ids of the down faults currently holding each proxy disabled (key: toxiproxy url + proxy), so that
 * overlapping outages of one proxy end with the last heal, not the first.
 */
const downHolders = new Map<string, Set<string>>();

/** The proxy refuses connections; disabling it also closes every open connection through it. */
export function downFault(id: string, proxy: NetworkTarget): Fault {
  const aim = new Aim(proxy);
  return defineFault({
    id,
    kind: 'network.down',
    target: proxy,
    describe: () => `proxy ${proxy} down (connections refused, open ones closed)`,
    async inject(ctx) {
      const r = await aim.resolve(ctx);
      for (const p of r.proxies) {
        const key = `${ctx.endpoints.toxiproxyUrl} ${p}`;
        const holders = downHolders.get(key) ?? new Set<string>();
        holders.add(id);
        downHolders.set(key, holders);
        const off = await api(ctx).setEnabled(p, false);
        // A client's view of the hop now: its listener must refuse.
        const answer = await clientConnect(ctx, off.listen);
        witness(
          ctx,
          id,
          'proxy-refused-connections',
          answer === 'refused',
          `a connection to ${p} (${off.listen}): ${answer}`,
        );
      }
      return r.why ? named(r) : undefined;
    },
    async repair(ctx) {
      const kept: string[] = [];
      const all = await aim.current(ctx);
      for (const p of all) {
        const key = `${ctx.endpoints.toxiproxyUrl} ${p}`;
        const holders = downHolders.get(key);
        holders?.delete(id);
        if (holders && holders.size > 0) {
          kept.push(`proxy ${all.length > 1 ? `${p} ` : ''}stays down for ${[...holders].join(', ')}`);
          continue;
        }
        downHolders.delete(key);
        await api(ctx).setEnabled(p, true);
      }
      return kept.join('; ') || undefined;
    },
  });
}

const DIRECTION: ParamDef = {
  name: 'direction',
  unit: 'direction',
  doc: 'upstream = connector → service, downstream = answers; default downstream',
};
const TOXICITY: ParamDef = { name: 'toxicity', unit: 'ratio', doc: 'share of connections affected; default 1' };
/** random-chaos's direction: the order is part of old seeds' schedules. */
const ANY_DIRECTION = draw.pick('downstream', 'upstream', 'both');

const toxicOpts = (p: Params): ToxicOptions => ({
  direction: p.direction as Direction | undefined,
  toxicity: p.toxicity as number | undefined,
});

/** A toxic kind: every one takes a direction and a toxicity besides its own parameters. */
function toxicKind<T extends ToxicType>(
  type: T,
  def: Pick<FaultKind, 'summary' | 'example' | 'params' | 'random' | 'check'>,
  attributes: (p: Params) => ToxicAttributes[T],
): FaultKind {
  return {
    kind: `network.${type}`,
    needs: 'toxiproxy',
    topology: 'any',
    targets: NETWORK_TARGETS,
    instantaneous: false,
    evidence: ['toxic-saw-traffic'],
    ...def,
    params: [...def.params, DIRECTION, TOXICITY],
    build: (id, t, p) => toxicFault(id, t as NetworkTarget, type, attributes(p), toxicOpts(p)),
  };
}

/** The network family: Toxiproxy on one hop (or a cluster broker's listener). */
export const NETWORK_KINDS: readonly FaultKind[] = [
  {
    kind: 'network.down',
    summary: 'proxy disabled: new connections refused, open ones closed',
    example: { target: 'es' },
    needs: 'toxiproxy',
    topology: 'any',
    targets: NETWORK_TARGETS,
    params: [],
    instantaneous: false,
    evidence: ['proxy-refused-connections'],
    build: (id, t) => downFault(id, t as NetworkTarget),
  },
  toxicKind(
    'latency',
    {
      summary: 'adds latency (± jitter) to every chunk of data',
      example: { target: 'es', latency: 500 },
      params: [
        { name: 'latency', unit: 'ms', required: true, doc: 'delay per chunk' },
        { name: 'jitter', unit: 'ms', doc: 'random ± variation; default 0' },
      ],
      random: { latency: draw.int(50, 1500), jitter: draw.share('latency', 0, 50), direction: ANY_DIRECTION },
    },
    (p) => ({ latency: num(p, 'latency'), jitter: opt(p, 'jitter') }),
  ),
  toxicKind(
    'bandwidth',
    {
      summary: 'caps throughput',
      example: { target: 'kafka', rate: 10 },
      params: [{ name: 'rate', unit: 'kbps', required: true, doc: 'KB/s; 0 stalls everything' }],
      random: { rate: draw.int(1, 256), direction: ANY_DIRECTION },
    },
    (p) => ({ rate: num(p, 'rate') }),
  ),
  toxicKind(
    'timeout',
    {
      summary: 'black hole: data dropped, no answer; closed after timeout ms (0 = until healed)',
      example: { target: 'pg' },
      params: [{ name: 'timeout', unit: 'ms', doc: 'default 0 = never close' }],
      // 0 = a black hole until healed; otherwise connections are closed after the timeout.
      random: { timeout: draw.oneOf(draw.constant(0), draw.int(500, 5_000)), direction: ANY_DIRECTION },
    },
    (p) => ({ timeout: opt(p, 'timeout') ?? 0 }),
  ),
  toxicKind(
    'reset_peer',
    {
      summary: 'connections reset (TCP RST) after timeout ms',
      example: { target: 'pg', timeout: 100 },
      params: [{ name: 'timeout', unit: 'ms', doc: 'default 0 = at once' }],
      random: { timeout: draw.int(0, 2_000), direction: ANY_DIRECTION },
    },
    (p) => ({ timeout: opt(p, 'timeout') ?? 0 }),
  ),
  toxicKind(
    'slow_close',
    {
      summary: 'delays closing connections',
      example: { target: 'es', delay: 1000 },
      params: [{ name: 'delay', unit: 'ms', required: true, doc: 'delay before the close goes through' }],
      random: { delay: draw.int(100, 3_000) },
    },
    (p) => ({ delay: num(p, 'delay') }),
  ),
  toxicKind(
    'slicer',
    {
      summary: 'slices data into small chunks with a delay between them',
      example: { target: 'es', average_size: 64 },
      params: [
        { name: 'average_size', unit: 'bytes', required: true, min: 1, doc: 'average chunk size' },
        { name: 'size_variation', unit: 'bytes', doc: 'chunk size variation, below average_size; default 0' },
        { name: 'delay', unit: 'us', doc: 'pause between chunks in µs; default 0' },
      ],
      check(p, path) {
        if ((opt(p, 'size_variation') ?? 0) >= num(p, 'average_size'))
          throw new ConfigError(
            `${path}.size_variation must be smaller than average_size (${num(p, 'average_size')}), ` +
              `got ${num(p, 'size_variation')}`,
          );
      },
      random: {
        average_size: draw.int(16, 2_048),
        size_variation: draw.share('average_size', 0, 90),
        delay: draw.int(0, 2_000),
      },
    },
    (p) => ({ average_size: num(p, 'average_size'), size_variation: opt(p, 'size_variation'), delay: opt(p, 'delay') }),
  ),
  toxicKind(
    'limit_data',
    {
      summary: 'closes each connection after it carried `bytes` bytes',
      example: { target: 'es', bytes: 2048 },
      params: [{ name: 'bytes', unit: 'bytes', required: true, doc: 'bytes per connection' }],
      random: { bytes: draw.int(4_096, 1_000_000) },
    },
    (p) => ({ bytes: num(p, 'bytes') }),
  ),
];
