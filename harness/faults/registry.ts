import { isClusterTarget } from '../stack/targets.ts';
import { ConfigError } from '../util/errors.ts';
import { CONNECTOR_KINDS } from './connector-faults.ts';
import { ES_KINDS } from './es-faults.ts';
import type { Fault } from './fault.ts';
import type { FaultKind, FaultNeed, KindTopology } from './kind.ts';
import { NETWORK_KINDS } from './network-faults.ts';
import { PARTITION_KINDS } from './partition-fault.ts';
import { readParams } from './params.ts';
import { POSTGRES_KINDS } from './postgres-faults.ts';
import { PROCESS_KINDS } from './process-faults.ts';

export type { Evidence, FaultKind, FaultNeed, KindTopology } from './kind.ts';

/**
 * Every fault kind, each one definition in its family's file; the order is the order of `list --faults`, the
 * docs and capabilities().
 */
const KINDS: readonly FaultKind[] = [
  ...NETWORK_KINDS,
  ...PARTITION_KINDS,
  ...PROCESS_KINDS,
  ...CONNECTOR_KINDS,
  ...POSTGRES_KINDS,
  ...ES_KINDS,
];
const BY_KIND = new Map(KINDS.map((k) => [k.kind, k]));

/** Every kind's definition, for `outbox-chaos list`, the docs' table and random-chaos. */
export const FAULT_KINDS: readonly FaultKind[] = KINDS;

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

function kindDef(kind: unknown, path: string): FaultKind {
  const def = typeof kind === 'string' ? BY_KIND.get(kind) : undefined;
  if (!def) {
    const hint =
      typeof kind === 'string'
        ? KINDS.find((k) => k.kind.endsWith(`.${kind}`) || k.kind.split('.')[1] === kind.split('.')[1])
        : undefined;
    throw new ConfigError(
      `${path}.kind must be one of ${KINDS.map((k) => k.kind).join(', ')}; ` +
        `got ${JSON.stringify(kind) ?? 'nothing'}${hint ? ` (did you mean ${hint.kind}?)` : ''}`,
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
      `${path} must be an object like { "kind": "network.latency", "target": "es", "latency": 500 }, ` +
        `got ${JSON.stringify(spec)}`,
    );
  const { kind, target, params, ...flat } = spec;
  const def = kindDef(kind, path);
  const t = target ?? def.defaultTarget;
  if (typeof t !== 'string' || !def.targets.includes(t)) {
    const plain = def.targets.filter((x) => !isClusterTarget(x));
    const roles = def.targets.filter(isClusterTarget);
    const also = plain.length && roles.length ? ` (on a cluster also ${roles.join(', ')})` : '';
    throw new ConfigError(
      `${path}.target must be one of ${(plain.length ? plain : roles).join(', ')} for ${def.kind}, ` +
        `got ${JSON.stringify(target) ?? 'nothing'}${also}`,
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
  def.check?.(p, paramsPath);
  if (!id) throw new ConfigError(`${path}: a fault needs a non-empty id`);
  return def.build(id, t, p);
}

/** What a kind needs from the provider; undefined for unknown kinds. */
export function faultNeeds(kind: string): FaultNeed | undefined {
  return BY_KIND.get(kind)?.needs;
}

/** The topology a kind needs whatever its target; undefined for unknown kinds. */
export function faultTopology(kind: string): KindTopology | undefined {
  return BY_KIND.get(kind)?.topology;
}

/**
 * Groups kinds by what they need, so a provider (or `run`) can refuse a scenario up front, e.g.
 * capabilities(['process.kill', 'network.down']).process → ['process.kill']. Unknown kinds are skipped.
 */
export function capabilities(kinds: Iterable<string> = KINDS.map((k) => k.kind)): Record<FaultNeed, string[]> {
  const out: Record<FaultNeed, string[]> = { process: [], toxiproxy: [], isolation: [], api: [] };
  for (const kind of new Set(kinds)) {
    const need = faultNeeds(kind);
    if (need) out[need].push(kind);
  }
  return out;
}
