import { isClusterTarget, type NetworkTarget } from '../stack/targets.ts';
import { ToxiproxyApi, type Toxic, type ToxicStream, type ToxicType } from '../stack/toxiproxy-api.ts';
import { defineFault, slug } from './define.ts';
import type { Fault, FaultContext } from './fault.ts';
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
  return defineFault({
    id,
    kind: `network.${type}`,
    target: proxy,
    describe,
    async inject(ctx) {
      const r = await aim.resolve(ctx);
      for (const p of r.proxies) for (const t of toxics) await api(ctx).addToxic(p, t);
      return r.why ? named(r) : undefined;
    },
    async repair(ctx) {
      for (const p of await aim.current(ctx)) for (const t of toxics) await api(ctx).removeToxic(p, t.name);
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
        await api(ctx).setEnabled(p, false);
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
