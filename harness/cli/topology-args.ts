import { TOPOLOGIES, type Topology } from '../stack/targets.ts';
import { ConfigError } from '../util/errors.ts';
import type { Options } from './args.ts';

export const TOPOLOGY_OPTIONS: Options = { topology: { type: 'string' } };

export const TOPOLOGY_HELP =
  `  --topology T      single (default: one Postgres, ` +
  `one Kafka broker, one Connect worker) or cluster (a
                    Postgres primary and hot standby, 3 KRaft brokers with replication factor 3 and
                    min.insync.replicas=2, 2 Connect workers in one group; ports: docs/cluster.md)`;

/** --topology, validated; undefined when not given. */
export function topologyOpt(values: Record<string, string | boolean | undefined>): Topology | undefined {
  const t = values.topology;
  if (t === undefined || typeof t === 'boolean') return undefined;
  if (!(TOPOLOGIES as readonly string[]).includes(t))
    throw new ConfigError(`--topology must be one of ${TOPOLOGIES.join(', ')}, got "${t}"`);
  return t as Topology;
}
