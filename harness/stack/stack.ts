import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Toxiproxy } from 'toxiproxy-node-client';
import { provision, type Artifacts, type SearchEngine } from '../provision/index.ts';
import type { ComponentPins } from '../provision/component-versions.ts';
import { isOsMajor, type OsMajor } from '../provision/opensearch-versions.ts';
import { manifestVersions } from '../provision/manifest.ts';
import { isPgMajor, type PgMajor } from '../provision/pg-versions.ts';
import { stateRoot } from '../provision/paths.ts';
import { errorMessage } from '../util/errors.ts';
import { info, step } from '../util/log.ts';
import type { StackContext } from './context.ts';
import { endpointsFor, proxySpecs, type Endpoints } from './endpoints.ts';
import { expectExit } from './exits.ts';
import { claimStack } from './owner.ts';
import {
  clusterServiceDefs,
  CLUSTER_HEAP_MB,
  rebuildStandby,
  startClusterServices,
  stopInGroups,
  wipeBrokerData,
} from './cluster.ts';
import {
  assertPortsFree,
  clusterPortPlan,
  DEFAULT_PORT_BASE,
  portPlan,
  waitPortsFree,
  type PortPlan,
} from './ports.ts';
import { findStackProcesses, isAlive, killStackProcesses, stopProcess } from './processes.ts';
import { Service, serviceNames, type ServiceDef, type ServiceName } from './service.ts';
import { connectDef, initConnect } from './services/connect.ts';
import { elasticsearchDef, initElasticsearch } from './services/elasticsearch.ts';
import { initKafka, kafkaDef } from './services/kafka.ts';
import { initPostgres, postgresDef, readablePostgres } from './services/postgres.ts';
import { toxiproxyDef } from './services/toxiproxy.ts';
import { readState, writeState, type StackState } from './state.ts';
import type { Topology } from './targets.ts';
import { serviceUser } from './users.ts';

export interface StackOptions {
  name?: string;
  portBase?: number;
  heapMb?: Partial<StackContext['heapMb']>;
  /** single (default): one of each program; cluster: 3 brokers, 2 Connect workers, a primary and a standby. */
  topology?: Topology;
  /** The Postgres major asked for (`--versions postgres=N`); absent: the default major (npm's 15). */
  postgresMajor?: PgMajor;
  /** Exact Debezium, Kafka, Elasticsearch versions in place of the manifest's (`--versions`, resolved). */
  components?: ComponentPins;
  /** The OpenSearch major asked for (`--versions opensearch=N`), with `search: 'opensearch'`. */
  opensearchMajor?: OsMajor;
  /** The search engine (default elasticsearch; opensearch carries the modules real mappings use). */
  search?: SearchEngine;
}

export interface Stack {
  name: string;
  dir: string;
  topology: Topology;
  search: SearchEngine;
  ports: PortPlan;
  endpoints: Endpoints;
  /** Every service of the topology (a single stack's five, a cluster's nine). */
  services: Partial<Record<ServiceName, Service>>;
  versions: Record<string, string>;
  artifacts: Artifacts;
  /** A cluster's Postgres member turned into the standby of another (after a failover); absent on a single stack. */
  rebuildStandby?(member: string, primary: string): Promise<string>;
  /** A cluster's broker loses its data disk (it must be stopped); absent on a single stack. */
  wipeBrokerData?(member: string): string;
  /** Timings of the last start, for reports and benchmarks. */
  timings: { provisionMs: number; startMs: number };
  stop(): Promise<void>;
}

export function stackDir(name: string): string {
  return join(stateRoot(), name);
}

export function resolvePortBase(opt?: number): number {
  if (opt !== undefined) return opt;
  const env = process.env.OUTBOX_CHAOS_PORT_BASE;
  return env ? Number(env) : DEFAULT_PORT_BASE;
}

/**
 * Stops whatever a previous harness left of this stack: processes listed in its state file and any other
 * process still carrying the stack's marker variable (e.g. children of a crashed harness). Each stop is
 * announced first, so a command still watching the stack reports who stopped it.
 */
export async function cleanupStack(name: string): Promise<number> {
  const dir = stackDir(name);
  const state = readState(dir);
  let n = 0;
  if (state) {
    // A recorded pid counts only while its process still carries the stack's marker: after a crash and a
    // reboot or a wrap of the pid space, the same number may belong to another stack's service.
    const ours = new Set(findStackProcesses(dir));
    const groups = stopGroups(serviceNames(state.topology));
    await stopInGroups(groups, async (svc) => {
      const pid = state.pids[svc];
      if (pid !== undefined && ours.has(pid) && isAlive(pid)) {
        expectExit(dir, pid, 'down');
        await stopProcess(pid, svc.startsWith('postgres') ? 'SIGINT' : 'SIGTERM', 10_000);
        n++;
      }
    });
  }
  n += await killStackProcesses(dir);
  if (state) await waitPortsFree(state.ports);
  return n;
}

/**
 * Takes the stack's lock (StackInUse while another live command holds it), provisions what is missing, then
 * starts the five programs and the three proxies. The lock is released by stop(), or when the process exits.
 */
export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const name = opts.name ?? 'default';
  const { release } = claimStack(name);
  try {
    const stack = await startClaimed(name, opts);
    const stop = stack.stop;
    stack.stop = async () => {
      await stop();
      release();
    };
    return stack;
  } catch (err) {
    release();
    throw err;
  }
}

async function startClaimed(name: string, opts: StackOptions): Promise<Stack> {
  const dir = stackDir(name);
  const tProvision = Date.now();
  const components = opts.components ?? {};
  const artifacts = await provision({
    search: opts.search,
    postgresMajor: opts.postgresMajor,
    components,
    opensearchMajor: opts.opensearchMajor,
  });
  const provisionMs = Date.now() - tProvision;
  const t0 = Date.now();

  const leftovers = await cleanupStack(name);
  if (leftovers) info(`  stopped ${leftovers} process(es) left by an earlier run of stack "${name}"`);
  const topology = opts.topology ?? 'single';
  const ports = (topology === 'cluster' ? clusterPortPlan : portPlan)(resolvePortBase(opts.portBase));
  await assertPortsFree(ports);

  // A stack is throwaway: every `up` starts from empty data directories.
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'logs'), { recursive: true });
  // Owner-only where secrets can sit (state.json, logs); the stack directory itself only traversable by the
  // service users postgres and elasticsearch run as when the harness runs as root (docs/secrets.md).
  chmodSync(dir, 0o711);
  chmodSync(join(dir, 'logs'), 0o700);

  const ctx = await context(name, dir, ports, artifacts, topology, opts.heapMb);
  const endpoints = endpointsFor(ports);
  const versions = {
    ...manifestVersions(artifacts.search, artifacts.opensearchMajor),
    ...pinnedVersions(components, artifacts.search),
    postgres: artifacts.postgres.version,
    'postgres-source': artifacts.postgres.source,
    'kafka-jdk': String(artifacts.kafkaJdk.major),
    'es-jdk': String(artifacts.esJdk.major),
  };
  const state: StackState = {
    name,
    dir,
    ownerPid: process.pid,
    startedAt: new Date().toISOString(),
    ports,
    endpoints,
    pids: {},
    versions,
    topology,
    search: artifacts.search,
    postgresMajor: opts.postgresMajor,
    ...(Object.keys(components).length ? { components } : {}),
    ...(artifacts.opensearchMajor !== undefined ? { opensearchMajor: artifacts.opensearchMajor } : {}),
  };
  writeState(state);

  const stack = await assemble(ctx, state, artifacts);
  const { services } = stack;
  const stop = stack.stop;
  try {
    await step('start services', () =>
      topology === 'cluster'
        ? startClusterServices(ctx, services as Record<ServiceName, Service>)
        : startSingle(ctx, services as Record<ServiceName, Service>),
    );
  } catch (err) {
    await stop();
    throw err;
  }
  stack.timings = { provisionMs, startMs: Date.now() - t0 };
  return stack;
}

/** The versions map's entries for the components a stack runs at a chosen version (Connect is Kafka's). */
function pinnedVersions(c: ComponentPins, search: SearchEngine): Record<string, string> {
  return {
    ...(c.kafka ? { kafka: c.kafka, 'kafka-connect': c.kafka } : {}),
    ...(c.debezium ? { debezium: c.debezium } : {}),
    ...(c.elasticsearch && search === 'elasticsearch' ? { elasticsearch: c.elasticsearch } : {}),
  };
}

/** One Postgres, one Kafka node, one Connect worker. */
async function startSingle(ctx: StackContext, services: Record<ServiceName, Service>): Promise<void> {
  // Elasticsearch boots slowest: launch it first and let the others start meanwhile.
  await services.elasticsearch.launch();
  await step('toxiproxy', async () => {
    await services.toxiproxy.start();
    await new Toxiproxy(endpointsFor(ctx.ports).toxiproxyUrl).populate(
      proxySpecs(ctx.ports).map((p) => ({ ...p, enabled: true })),
    );
  });
  // Postgres and Kafka do not depend on each other: start them side by side.
  await Promise.all([
    step('postgres', async () => {
      await initPostgres(ctx);
      await services.postgres.start();
    }),
    step('kafka', async () => {
      await initKafka(ctx);
      await services.kafka.start();
    }),
  ]);
  await step('connect', async () => {
    initConnect(ctx);
    await services.connect.start();
  });
  await step('elasticsearch', () => services.elasticsearch.awaitReady());
}

/** Stop order: the reverse of the start order, a cluster's members of one kind side by side. */
function stopGroups(names: readonly ServiceName[]): ServiceName[][] {
  const groups: ServiceName[][] = [];
  for (const n of [...names].reverse()) {
    const kind = n.replace(/-\d+$/, '');
    const last = groups[groups.length - 1];
    if (last && last[0]?.replace(/-\d+$/, '') === kind) last.push(n);
    else groups.push([n]);
  }
  return groups;
}

/** Wires service objects to a stack's context; shared by a fresh start and by attaching to a running stack. */
async function assemble(ctx: StackContext, state: StackState, artifacts: Artifacts): Promise<Stack> {
  const onPid = (svc: ServiceName, pid: number | undefined): void => {
    if (pid === undefined) delete state.pids[svc];
    else state.pids[svc] = pid;
    writeState(state);
  };
  const esHome = await initElasticsearch(ctx);
  const topology = state.topology ?? 'single';
  const defs: ServiceDef[] = [toxiproxyDef(ctx), elasticsearchDef(ctx, esHome)];
  if (topology === 'cluster') defs.push(...clusterServiceDefs(ctx));
  else defs.push(postgresDef(ctx), kafkaDef(ctx), connectDef(ctx));
  const services: Partial<Record<ServiceName, Service>> = Object.fromEntries(
    defs.map((d) => [d.name, new Service(d, onPid, ctx.dir)]),
  );
  const order = serviceNames(topology);
  for (const svc of order) {
    const s = services[svc];
    if (s) s.pid = state.pids[svc];
  }
  const stop = async (): Promise<void> => {
    await stopInGroups(stopGroups(order), async (svc) => {
      await services[svc]
        ?.stop(20_000, 'stop')
        .catch((err: unknown) => info(`  could not stop ${svc}: ${errorMessage(err)}`));
    });
    await killStackProcesses(ctx.dir);
    // A socket can outlive its process by a moment; `down` promises the ports are free when it returns.
    await waitPortsFree(ctx.ports);
  };
  return {
    name: ctx.name,
    dir: ctx.dir,
    topology,
    search: artifacts.search,
    ports: ctx.ports,
    endpoints: state.endpoints,
    services,
    versions: state.versions,
    artifacts,
    timings: { provisionMs: 0, startMs: 0 },
    ...(topology === 'cluster'
      ? {
          rebuildStandby: (member: string, primary: string) => rebuildStandby(ctx, services, member, primary),
          wipeBrokerData: (member: string) => wipeBrokerData(ctx, member),
        }
      : {}),
    stop,
  };
}

function context(
  name: string,
  dir: string,
  ports: PortPlan,
  artifacts: Artifacts,
  topology: Topology,
  heap: StackOptions['heapMb'],
): Promise<StackContext> {
  return (async () => {
    const pgUser = await serviceUser('postgres');
    return {
      name,
      dir,
      ports,
      artifacts: { ...artifacts, postgres: await readablePostgres(dir, artifacts.postgres, pgUser) },
      pgUser,
      esUser: await serviceUser('elasticsearch'),
      heapMb: {
        ...(topology === 'cluster' ? CLUSTER_HEAP_MB : { kafka: 512, connect: 1024, elasticsearch: 1024 }),
        ...heap,
      },
    };
  })();
}

/** The Stack of a running `up --detach`, so `run` and faults can drive its processes from another process. */
export async function attachStack(name = 'default'): Promise<Stack | undefined> {
  const dir = stackDir(name);
  const state = readState(dir);
  if (!state || !Object.values(state.pids).some((pid) => pid !== undefined && isAlive(pid))) return undefined;
  // The Postgres it was asked to run (absent: the default path, as when it started).
  const major = state.postgresMajor !== undefined && isPgMajor(state.postgresMajor) ? state.postgresMajor : undefined;
  const osMajor =
    state.opensearchMajor !== undefined && isOsMajor(state.opensearchMajor) ? state.opensearchMajor : undefined;
  const artifacts = await provision({
    search: state.search,
    postgresMajor: major,
    components: state.components,
    opensearchMajor: osMajor,
  });
  const ctx = await context(name, dir, state.ports, artifacts, state.topology ?? 'single', undefined);
  return assemble(ctx, state, artifacts);
}

/** Stops a stack by name from its state file (used by `down` in another process than `up`). */
export async function stopStackByName(name: string): Promise<number> {
  return cleanupStack(name);
}
