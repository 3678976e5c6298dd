import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Toxiproxy } from 'toxiproxy-node-client';
import { step } from '../util/log.ts';
import type { StackContext } from './context.ts';
import { endpointsFor, proxySpecs } from './endpoints.ts';
import type { Service, ServiceDef, ServiceName } from './service.ts';
import { connectDef, connectWorkers, initConnect } from './services/connect.ts';
import { initKafka, kafkaDef, kafkaNodes } from './services/kafka.ts';
import { initPostgres, initStandby, postgresDef, postgresNodes } from './services/postgres.ts';

/**
 * Heaps of a cluster's programs, fixed for a 2-core / 24 GiB machine with nothing else on it: three brokers
 * at 512 MB, two workers at 768 MB (each runs one of the two tasks), Elasticsearch at 1 GB — 4.6 GB of heap.
 */
export const CLUSTER_HEAP_MB = { kafka: 512, connect: 768, elasticsearch: 1024 };

/**
 * The cluster's own members: postgres-1 and -2, kafka-1..3, connect-1 and -2 (toxiproxy and elasticsearch are the
 * stack's).
 */
export function clusterServiceDefs(ctx: StackContext): ServiceDef[] {
  return [
    ...postgresNodes(ctx.ports).map((n) => postgresDef(ctx, n)),
    ...kafkaNodes(ctx.ports).map((n) => kafkaDef(ctx, n)),
    ...connectWorkers(ctx.ports).map((w) => connectDef(ctx, w)),
  ];
}

/** Runs `fn` for each group in turn, the members of a group side by side. */
export async function stopInGroups(groups: ServiceName[][], fn: (svc: ServiceName) => Promise<void>): Promise<void> {
  for (const g of groups) await Promise.all(g.map(fn));
}

/**
 * Starts a cluster: Elasticsearch launched first (it boots slowest), Toxiproxy with every proxy, then the
 * primary (initdb) and its standby (a base backup of it) beside the three brokers (launched together: each
 * binds its listeners once two of the three voters form the quorum), then both workers together (one group:
 * whichever comes first creates the internal topics), and Elasticsearch's readiness last.
 */
export async function startClusterServices(ctx: StackContext, services: Record<ServiceName, Service>): Promise<void> {
  const svc = (n: ServiceName): Service => services[n];
  await svc('elasticsearch').launch();
  await step('toxiproxy', async () => {
    await svc('toxiproxy').start();
    await new Toxiproxy(endpointsFor(ctx.ports).toxiproxyUrl).populate(
      proxySpecs(ctx.ports).map((p) => ({ ...p, enabled: true })),
    );
  });
  const [primary, standby] = postgresNodes(ctx.ports);
  if (!primary || !standby) throw new Error('a cluster plan has two Postgres nodes');
  const brokers = kafkaNodes(ctx.ports);
  await Promise.all([
    step('postgres primary + standby', async () => {
      await initPostgres(ctx, primary);
      await svc(primary.service).start();
      await initStandby(ctx, standby, primary.port);
      await svc(standby.service).start();
    }),
    step('kafka ×3', async () => {
      // One after another: the first may format the cached storage template the others copy.
      for (const b of brokers) await initKafka(ctx, b);
      await Promise.all(brokers.map((b) => svc(b.service).launch()));
      await Promise.all(brokers.map((b) => svc(b.service).awaitReady()));
    }),
  ]);
  await step('connect ×2', async () => {
    const workers = connectWorkers(ctx.ports);
    for (const w of workers) initConnect(ctx, w);
    await Promise.all(workers.map((w) => svc(w.service).start()));
  });
  await step('elasticsearch', () => svc('elasticsearch').awaitReady());
}

/**
 * Makes a cluster's Postgres member the hot standby of another (after a failover fenced it): stopped, its
 * data replaced by a base backup of the primary, started again and ready. Returns what it did, for the timeline.
 */
export async function rebuildStandby(
  ctx: StackContext,
  services: Partial<Record<ServiceName, Service>>,
  member: string,
  primary: string,
): Promise<string> {
  const nodes = postgresNodes(ctx.ports);
  const node = nodes.find((n) => n.service === member);
  const from = nodes.find((n) => n.service === primary);
  const svc = services[member as ServiceName];
  if (!node || !from || !svc) throw new Error(`no Postgres members ${member} and ${primary} in this stack`);
  const t0 = Date.now();
  await svc.stop(20_000, 'fault');
  await initStandby(ctx, node, from.port);
  await svc.start();
  return (
    `${member} rebuilt as a standby of ${primary} (base backup) and streaming, ` +
    `pid ${svc.pid}, in ${Date.now() - t0} ms`
  );
}

/**
 * A broker's data disk lost (the machine replaced, the volume gone): every partition's log under its data
 * directory is deleted, keeping only its identity (meta.properties, the bootstrap checkpoint) and the KRaft
 * metadata log, so it rejoins the quorum as the same node. The broker must be stopped.
 */
export function wipeBrokerData(ctx: StackContext, member: string): string {
  const node = kafkaNodes(ctx.ports).find((n) => n.service === member);
  if (!node) throw new Error(`no broker ${member} in this stack`);
  const data = join(ctx.dir, node.dir, 'data');
  const keep = new Set(['meta.properties', 'bootstrap.checkpoint', '__cluster_metadata-0']);
  const gone = readdirSync(data).filter((f) => !keep.has(f));
  for (const f of gone) rmSync(join(data, f), { recursive: true, force: true });
  return (
    `${member}'s data directory emptied (${gone.filter((f) => /-\d+$/.test(f)).length} partition logs deleted; ` +
    'its identity and the metadata log kept)'
  );
}
