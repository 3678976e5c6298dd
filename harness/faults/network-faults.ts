import type { ProxyName } from '../stack/targets.ts';
import { ToxiproxyApi, type Toxic, type ToxicStream, type ToxicType } from '../stack/toxiproxy-api.ts';
import { defineFault, slug } from './define.ts';
import type { Fault, FaultContext } from './fault.ts';

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

/** Toxiproxy's name for a hop's proxy: pg/kafka/es unless an external environment names them otherwise. */
const proxyOf = (ctx: FaultContext, hop: ProxyName): string => ctx.endpoints.proxyNames?.[hop] ?? hop;

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
 * A Toxiproxy toxic on one proxy, one per direction for `both`. Toxic names carry the fault id, so two
 * faults on the same proxy coexist and each heal removes only its own.
 */
export function toxicFault<T extends ToxicType>(id: string, proxy: ProxyName, type: T, attributes: ToxicAttributes[T], opts: ToxicOptions = {}): Fault {
  const direction = opts.direction ?? 'downstream';
  const toxicity = opts.toxicity ?? 1;
  const toxics: Toxic[] = streams(direction).map((stream) => ({
    name: `${slug(id)}.${type}.${stream}`,
    type,
    stream,
    toxicity,
    attributes: Object.fromEntries(Object.entries(attributes).filter(([, v]) => v !== undefined)) as Record<string, number>,
  }));
  const describe = () => `${describeToxic(type, attributes)} ${direction}${toxicity < 1 ? ` (toxicity ${toxicity})` : ''} on proxy ${proxy}`;
  return defineFault({
    id,
    kind: `network.${type}`,
    target: proxy,
    describe,
    async inject(ctx) {
      for (const t of toxics) await api(ctx).addToxic(proxyOf(ctx, proxy), t);
    },
    async repair(ctx) {
      for (const t of toxics) await api(ctx).removeToxic(proxyOf(ctx, proxy), t.name);
    },
  });
}

/**
 * Ids of the down faults currently holding each proxy disabled (key: toxiproxy url + proxy), so that
 * overlapping outages of one proxy end with the last heal, not the first.
 */
const downHolders = new Map<string, Set<string>>();

/** The proxy refuses connections; disabling it also closes every open connection through it. */
export function downFault(id: string, proxy: ProxyName): Fault {
  return defineFault({
    id,
    kind: 'network.down',
    target: proxy,
    describe: () => `proxy ${proxy} down (connections refused, open ones closed)`,
    async inject(ctx) {
      const key = `${ctx.endpoints.toxiproxyUrl} ${proxy}`;
      const holders = downHolders.get(key) ?? new Set<string>();
      holders.add(id);
      downHolders.set(key, holders);
      await api(ctx).setEnabled(proxyOf(ctx, proxy), false);
    },
    async repair(ctx) {
      const key = `${ctx.endpoints.toxiproxyUrl} ${proxy}`;
      const holders = downHolders.get(key);
      holders?.delete(id);
      if (holders && holders.size > 0) return `proxy stays down for ${[...holders].join(', ')}`;
      downHolders.delete(key);
      await api(ctx).setEnabled(proxyOf(ctx, proxy), true);
    },
  });
}
