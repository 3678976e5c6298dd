import {
  isClusterTarget,
  NETWORK_TARGETS,
  type NetworkTarget,
  PROCESS_FAULT_TARGETS,
  type ProcessFaultTarget,
} from '../stack/targets.ts';
import { ConfigError } from '../util/errors.ts';
import { appDisconnectFault } from './app-faults.ts';
import type { Fault } from './fault.ts';
import { downFault, toxicFault, type Direction, type ToxicOptions } from './network-faults.ts';
import { readParams, type ParamDef } from './params.ts';
import {
  CONNECTOR_TARGETS,
  connectorPauseFault,
  connectorRestartFault,
  connectorStopFault,
  esReadOnlyFault,
  walsenderKillFault,
  type ConnectorTarget,
} from './pipeline-faults.ts';
import { failoverFault } from './pg-failover.ts';
import { killFault, pauseFault, replaceFault, restartFault } from './process-faults.ts';

/**
 * What a kind needs from the stack provider: `process` a handle on the service's process (local stack
 * only), `toxiproxy` the proxies, `api` only the Connect REST API, Postgres and Elasticsearch.
 */
export type FaultNeed = 'process' | 'toxiproxy' | 'api';

type P = Record<string, number | string>;

interface KindDef {
  kind: string;
  needs: FaultNeed;
  summary: string;
  targets: readonly string[];
  /** Used when the spec gives no target (kinds that can only hit one thing). */
  defaultTarget?: string;
  params: ParamDef[];
  instantaneous: boolean;
  build(id: string, target: string, p: P): Fault;
}

const DIRECTION: ParamDef = {
  name: 'direction',
  unit: 'direction',
  doc: 'upstream = connector → service, downstream = answers; default downstream',
};
const TOXICITY: ParamDef = { name: 'toxicity', unit: 'ratio', doc: 'share of connections affected; default 1' };

const toxicOpts = (p: P): ToxicOptions => ({
  direction: p.direction as Direction | undefined,
  toxicity: p.toxicity as number | undefined,
});
const num = (p: P, k: string): number => p[k] as number;
const opt = (p: P, k: string): number | undefined => p[k] as number | undefined;

function network(
  type: string,
  summary: string,
  params: ParamDef[],
  build: (id: string, proxy: NetworkTarget, p: P) => Fault,
): KindDef {
  return {
    kind: `network.${type}`,
    needs: 'toxiproxy',
    summary,
    targets: NETWORK_TARGETS,
    params: [...params, DIRECTION, TOXICITY],
    instantaneous: false,
    build: (id, t, p) => build(id, t as NetworkTarget, p),
  };
}

const KINDS: KindDef[] = [
  {
    kind: 'network.down',
    needs: 'toxiproxy',
    summary: 'proxy disabled: new connections refused, open ones closed',
    targets: NETWORK_TARGETS,
    params: [],
    instantaneous: false,
    build: (id, t) => downFault(id, t as NetworkTarget),
  },
  network(
    'latency',
    'adds latency (± jitter) to every chunk of data',
    [
      { name: 'latency', unit: 'ms', required: true, doc: 'delay per chunk' },
      { name: 'jitter', unit: 'ms', doc: 'random ± variation; default 0' },
    ],
    (id, proxy, p) =>
      toxicFault(id, proxy, 'latency', { latency: num(p, 'latency'), jitter: opt(p, 'jitter') }, toxicOpts(p)),
  ),
  network(
    'bandwidth',
    'caps throughput',
    [{ name: 'rate', unit: 'kbps', required: true, doc: 'KB/s; 0 stalls everything' }],
    (id, proxy, p) => toxicFault(id, proxy, 'bandwidth', { rate: num(p, 'rate') }, toxicOpts(p)),
  ),
  network(
    'timeout',
    'black hole: data dropped, no answer; closed after timeout ms (0 = until healed)',
    [{ name: 'timeout', unit: 'ms', doc: 'default 0 = never close' }],
    (id, proxy, p) => toxicFault(id, proxy, 'timeout', { timeout: opt(p, 'timeout') ?? 0 }, toxicOpts(p)),
  ),
  network(
    'reset_peer',
    'connections reset (TCP RST) after timeout ms',
    [{ name: 'timeout', unit: 'ms', doc: 'default 0 = at once' }],
    (id, proxy, p) => toxicFault(id, proxy, 'reset_peer', { timeout: opt(p, 'timeout') ?? 0 }, toxicOpts(p)),
  ),
  network(
    'slow_close',
    'delays closing connections',
    [{ name: 'delay', unit: 'ms', required: true, doc: 'delay before the close goes through' }],
    (id, proxy, p) => toxicFault(id, proxy, 'slow_close', { delay: num(p, 'delay') }, toxicOpts(p)),
  ),
  network(
    'slicer',
    'slices data into small chunks with a delay between them',
    [
      { name: 'average_size', unit: 'bytes', required: true, min: 1, doc: 'average chunk size' },
      { name: 'size_variation', unit: 'bytes', doc: 'chunk size variation, below average_size; default 0' },
      { name: 'delay', unit: 'us', doc: 'pause between chunks in µs; default 0' },
    ],
    (id, proxy, p) =>
      toxicFault(
        id,
        proxy,
        'slicer',
        { average_size: num(p, 'average_size'), size_variation: opt(p, 'size_variation'), delay: opt(p, 'delay') },
        toxicOpts(p),
      ),
  ),
  network(
    'limit_data',
    'closes each connection after it carried `bytes` bytes',
    [{ name: 'bytes', unit: 'bytes', required: true, doc: 'bytes per connection' }],
    (id, proxy, p) => toxicFault(id, proxy, 'limit_data', { bytes: num(p, 'bytes') }, toxicOpts(p)),
  ),
  {
    kind: 'process.kill',
    needs: 'process',
    summary: 'kill -9 of the service (a crash), restart after downMs, wait until it answers',
    targets: PROCESS_FAULT_TARGETS,
    params: [{ name: 'downMs', unit: 'ms', doc: 'how long it stays dead; default 0' }],
    instantaneous: true,
    build: (id, t, p) => killFault(id, t as ProcessFaultTarget, { downMs: opt(p, 'downMs') }),
  },
  {
    kind: 'process.pause',
    needs: 'process',
    summary: 'SIGSTOP of the service (frozen, sockets open); heal = SIGCONT',
    targets: PROCESS_FAULT_TARGETS,
    params: [],
    instantaneous: false,
    build: (id, t) => pauseFault(id, t as ProcessFaultTarget),
  },
  {
    kind: 'process.restart',
    needs: 'process',
    summary: 'graceful stop and start of the service',
    targets: PROCESS_FAULT_TARGETS,
    params: [],
    instantaneous: true,
    build: (id, t) => restartFault(id, t as ProcessFaultTarget),
  },
  {
    kind: 'process.replace',
    needs: 'process',
    summary: 'cluster broker: kill -9, its data disk lost (logs gone, node id kept), started empty after downMs',
    targets: PROCESS_FAULT_TARGETS.filter((t) => t.startsWith('kafka@')),
    params: [{ name: 'downMs', unit: 'ms', doc: 'how long it stays dead; default 0' }],
    instantaneous: true,
    build: (id, t, p) => replaceFault(id, t as ProcessFaultTarget, { downMs: opt(p, 'downMs') }),
  },
  {
    kind: 'connector.restart',
    needs: 'api',
    summary: 'Connect REST restart of the connector and its tasks',
    targets: CONNECTOR_TARGETS,
    params: [],
    instantaneous: true,
    build: (id, t) => connectorRestartFault(id, t as ConnectorTarget),
  },
  {
    kind: 'connector.pause',
    needs: 'api',
    summary: 'connector PAUSED; heal = resume',
    targets: CONNECTOR_TARGETS,
    params: [],
    instantaneous: false,
    build: (id, t) => connectorPauseFault(id, t as ConnectorTarget),
  },
  {
    kind: 'connector.stop',
    needs: 'api',
    summary: 'connector STOPPED (tasks released); heal = resume',
    targets: CONNECTOR_TARGETS,
    params: [],
    instantaneous: false,
    build: (id, t) => connectorStopFault(id, t as ConnectorTarget),
  },
  {
    kind: 'postgres.walsender-kill',
    needs: 'api',
    summary: "pg_terminate_backend of the replication slot's walsender; Debezium must reconnect",
    targets: ['postgres'],
    defaultTarget: 'postgres',
    params: [],
    instantaneous: true,
    build: (id) => walsenderKillFault(id),
  },
  {
    kind: 'postgres.app-disconnect',
    needs: 'api',
    summary: "pg_terminate_backend of the workload's own sessions, every `every` ms while it lasts",
    targets: ['postgres'],
    defaultTarget: 'postgres',
    params: [{ name: 'every', unit: 'ms', doc: 'pause between rounds; default 250, 0 = once at the start' }],
    instantaneous: false,
    build: (id, _t, p) => appDisconnectFault(id, opt(p, 'every') ?? 250),
  },
  {
    kind: 'postgres.failover',
    needs: 'process',
    summary: 'cluster: fence the primary, promote the standby, repoint the pg proxies; heal rebuilds a standby',
    targets: ['postgres'],
    defaultTarget: 'postgres',
    params: [],
    instantaneous: false,
    build: (id) => failoverFault(id),
  },
  {
    kind: 'es.read-only',
    needs: 'api',
    summary: 'write block on the index (sink gets 403 cluster_block_exception); heal lifts it',
    targets: ['elasticsearch'],
    defaultTarget: 'elasticsearch',
    params: [],
    instantaneous: false,
    build: (id) => esReadOnlyFault(id),
  },
];

const BY_KIND = new Map(KINDS.map((k) => [k.kind, k]));

export interface FaultKindInfo {
  kind: string;
  needs: FaultNeed;
  summary: string;
  targets: readonly string[];
  params: { name: string; unit: string; required: boolean; doc: string }[];
  /** No duration: the action is over when start() returns. */
  instantaneous: boolean;
}

/** Every kind with a one-line summary, for docs and `outbox-chaos list`. */
export const FAULT_KINDS: readonly FaultKindInfo[] = KINDS.map((k) => ({
  kind: k.kind,
  needs: k.needs,
  summary: k.summary,
  targets: k.targets,
  params: k.params.map((p) => ({ name: p.name, unit: p.unit, required: p.required ?? false, doc: p.doc })),
  instantaneous: k.instantaneous,
}));

/**
 * A fault as scenario files write it: kind and target, parameters either flat beside them or under
 * `params`, e.g. { kind: 'network.latency', target: 'es', latency: 800, jitter: 200 }.
 */
export interface FaultSpec {
  kind: string;
  target?: string;
  params?: Record<string, unknown>;
  [param: string]: unknown;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function kindDef(kind: unknown, path: string): KindDef {
  const def = typeof kind === 'string' ? BY_KIND.get(kind) : undefined;
  if (!def) {
    const hint =
      typeof kind === 'string'
        ? KINDS.find((k) => k.kind.endsWith(`.${kind}`) || k.kind.split('.')[1] === kind.split('.')[1])
        : undefined;
    throw new ConfigError(
      `${path}.kind must be one of ${KINDS.map((k) => k.kind).join(', ')}; got ${JSON.stringify(kind) ?? 'nothing'}${hint ? ` (did you mean ${hint.kind}?)` : ''}`,
      'run `outbox-chaos list` for the kinds and their parameters',
    );
  }
  return def;
}

/**
 * Builds a Fault from a plain JSON spec, validating everything before anything runs. `path` is where the
 * spec sits in its file (e.g. "faults[2]"), so errors read "faults[2].params.latency must be a number of ms".
 */
export function makeFault(spec: unknown, id: string, path = 'fault'): Fault {
  if (!isRecord(spec))
    throw new ConfigError(
      `${path} must be an object like { "kind": "network.latency", "target": "es", "latency": 500 }, got ${JSON.stringify(spec)}`,
    );
  const { kind, target, params, ...flat } = spec;
  const def = kindDef(kind, path);
  const t = target ?? def.defaultTarget;
  if (typeof t !== 'string' || !def.targets.includes(t)) {
    const plain = def.targets.filter((x) => !isClusterTarget(x));
    const roles = def.targets.filter(isClusterTarget);
    const also = plain.length && roles.length ? ` (on a cluster also ${roles.join(', ')})` : '';
    throw new ConfigError(
      `${path}.target must be one of ${(plain.length ? plain : roles).join(', ')} for ${def.kind}, got ${JSON.stringify(target) ?? 'nothing'}${also}`,
    );
  }
  let values: Record<string, unknown> = flat;
  let paramsPath = path;
  if (params !== undefined) {
    if (!isRecord(params)) throw new ConfigError(`${path}.params must be an object, got ${JSON.stringify(params)}`);
    const both = Object.keys(flat);
    if (both.length)
      throw new ConfigError(
        `${path}.${both[0]}: give ${def.kind}'s parameters either under "params" or beside "kind", not both`,
      );
    values = params;
    paramsPath = `${path}.params`;
  }
  const p = readParams(def.params, values, paramsPath, def.kind);
  if (def.kind === 'network.slicer' && (opt(p, 'size_variation') ?? 0) >= num(p, 'average_size')) {
    throw new ConfigError(
      `${paramsPath}.size_variation must be smaller than average_size (${num(p, 'average_size')}), got ${num(p, 'size_variation')}`,
    );
  }
  if (!id) throw new ConfigError(`${path}: a fault needs a non-empty id`);
  return def.build(id, t, p);
}

/** What a kind needs from the provider; undefined for unknown kinds. */
export function faultNeeds(kind: string): FaultNeed | undefined {
  return BY_KIND.get(kind)?.needs;
}

/**
 * Groups kinds by what they need, so a provider (or `run`) can refuse a scenario up front, e.g.
 * capabilities(['process.kill', 'network.down']).process → ['process.kill']. Unknown kinds are skipped.
 */
export function capabilities(kinds: Iterable<string> = KINDS.map((k) => k.kind)): Record<FaultNeed, string[]> {
  const out: Record<FaultNeed, string[]> = { process: [], toxiproxy: [], api: [] };
  for (const kind of new Set(kinds)) {
    const need = faultNeeds(kind);
    if (need) out[need].push(kind);
  }
  return out;
}
