import { existsSync, readFileSync, renameSync } from 'node:fs';
import { writePrivate } from '../util/private-files.ts';
import { join } from 'node:path';
import type { Endpoints } from './endpoints.ts';
import type { PortPlan } from './ports.ts';
import type { ServiceName } from './service.ts';
import type { Topology } from './targets.ts';

/** `<stack dir>/state.json`: lets `env`, `doctor`, `run` and `down` find a stack that `up` left running. */
export interface StackState {
  name: string;
  dir: string;
  /** The harness process that owns the stack (detached stacks outlive it). */
  ownerPid: number;
  startedAt: string;
  ports: PortPlan;
  endpoints: Endpoints;
  pids: Partial<Record<ServiceName, number>>;
  versions: Record<string, string>;
  /** Absent on stacks started before topologies existed: single. */
  topology?: Topology;
  /** Absent on stacks started before --search existed: elasticsearch. */
  search?: 'elasticsearch' | 'opensearch';
  /** The Postgres major asked for (`--versions`); absent: the default major (npm's 15). */
  postgresMajor?: string;
  /** Debezium, Kafka, Elasticsearch versions asked for (`--versions`, resolved); absent: the manifest's. */
  components?: Partial<Record<'debezium' | 'kafka' | 'elasticsearch', string>>;
  /** The OpenSearch major asked for (`--versions opensearch=N`); absent: the default. */
  opensearchMajor?: string;
  /** Pipeline definition directory the connectors were registered from. */
  connectorsDir?: string;
}

export const statePath = (dir: string): string => join(dir, 'state.json');

export function readState(dir: string): StackState | undefined {
  const p = statePath(dir);
  if (!existsSync(p)) return undefined;
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as StackState;
  } catch {
    return undefined;
  }
}

export function writeState(state: StackState): void {
  const p = statePath(state.dir);
  // Owner-only; not masked by key: the endpoints hold the local stack's own (public) credentials, read back here.
  writePrivate(`${p}.tmp`, JSON.stringify(state, null, 2));
  renameSync(`${p}.tmp`, p);
}
