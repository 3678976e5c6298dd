import pg from 'pg';
import type { ServiceHandle } from '../provider/interface.ts';
import type { ClusterEndpoints } from '../stack/endpoints.ts';
import { partitionLayout, withKafkaAdmin } from '../stack/kafka-admin.ts';
import { isClusterTarget, splitTarget } from '../stack/targets.ts';
import { EnvError } from '../util/errors.ts';
import type { FaultContext } from './fault.ts';

/** A role target resolved when the fault starts: which member, and why that one (for the timeline). */
export interface Resolved {
  member: string;
  why: string;
}

function cluster(ctx: FaultContext, target: string): ClusterEndpoints {
  const c = ctx.endpoints.cluster;
  if (!c)
    throw new EnvError(
      `target ${target} needs a cluster (3 brokers, 2 Connect workers, a Postgres standby)`,
      'run with --topology cluster, or give the scenario topology: cluster',
    );
  return c;
}

/** The run's products topic: the sink's first topic, or the first existing one its topics.regex matches. */
export async function productsTopic(ctx: FaultContext, admin?: { listTopics(): Promise<string[]> }): Promise<string> {
  const cfg = await ctx.connect.config(ctx.connectors.sink);
  const listed = cfg?.topics
    ?.split(',')
    .map((t) => t.trim())
    .filter(Boolean)[0];
  if (listed) return listed;
  const regex = cfg?.['topics.regex'];
  if (regex && admin) {
    const re = new RegExp(`^(?:${regex})$`);
    const found = (await admin.listTopics()).filter((t) => re.test(t)).sort()[0];
    if (found) return found;
  }
  throw new EnvError(
    `cannot tell the products topic: the sink ${ctx.connectors.sink} names no topic that exists`,
    'is the pipeline registered?',
  );
}

async function brokerRole(ctx: FaultContext, c: ClusterEndpoints, role: string, target: string): Promise<Resolved> {
  if (/^\d+$/.test(role)) {
    const b = c.brokers.find((x) => x.nodeId === Number(role));
    if (!b)
      throw new EnvError(
        `${target}: no broker with node id ${role} (brokers: ${c.brokers.map((x) => x.nodeId).join(', ')})`,
      );
    return { member: b.member, why: `node ${b.nodeId}` };
  }
  return withKafkaAdmin(ctx.endpoints.kafkaBootstrap, async (admin) => {
    const topic = await productsTopic(ctx, admin);
    const p = (await partitionLayout(admin, [topic])).find((x) => x.partition === 0);
    if (!p) throw new EnvError(`${target}: topic ${topic} has no partition 0 yet`);
    const layout = `${topic}-0: leader ${p.leader}, replicas ${p.replicas.join(',')}, ISR ${p.isr.join(',')}`;
    let nodeId: number | undefined;
    if (role === 'leader-of:products') nodeId = p.leader >= 0 ? p.leader : undefined;
    else if (role === 'follower')
      nodeId = [...p.replicas]
        .filter((r) => r !== p.leader)
        .sort((a, b) => Number(p.isr.includes(b)) - Number(p.isr.includes(a)) || a - b)[0];
    const b = c.brokers.find((x) => x.nodeId === nodeId);
    if (!b) throw new EnvError(`${target}: no broker plays that role now (${layout})`);
    return { member: b.member, why: `${role === 'follower' ? 'a follower of' : 'the leader of'} ${layout}` };
  });
}

async function workerRole(ctx: FaultContext, c: ClusterEndpoints, role: string, target: string): Promise<Resolved> {
  if (/^\d+$/.test(role)) {
    const w = c.workers[Number(role) - 1];
    if (!w) throw new EnvError(`${target}: there are ${c.workers.length} Connect workers`);
    return { member: w.member, why: `worker ${role}` };
  }
  const which = role === 'worker-of:source' ? 'source' : 'sink';
  const name = ctx.connectors[which];
  const st = await ctx.connect.status(name);
  const task = st?.tasks.find((t) => t.id === 0);
  const w = c.workers.find((x) => x.workerId === task?.worker_id);
  if (!w)
    throw new EnvError(
      `${target}: the ${which} connector ${name}'s task 0 runs on no worker of this cluster ` +
        `(${task ? `${task.state} on ${task.worker_id}` : 'no task'})`,
    );
  return { member: w.member, why: `runs ${name} task 0 (${task?.state})` };
}

/** Which Postgres accepts writes now: the one answering that is not in recovery (the other is the standby). */
export async function postgresRoles(
  ctx: FaultContext,
): Promise<{ primary?: string; standby?: string; down: string[] }> {
  const c = ctx.endpoints.cluster;
  const out: { primary?: string; standby?: string; down: string[] } = { down: [] };
  for (const n of c?.postgres ?? []) {
    const client = new pg.Client({
      ...ctx.endpoints.pg,
      host: n.host,
      port: n.port,
      database: 'postgres',
      connectionTimeoutMillis: 2000,
    });
    try {
      await client.connect();
      const r = await client.query<{ standby: boolean }>('SELECT pg_is_in_recovery() AS standby');
      if (r.rows[0]?.standby) out.standby ??= n.member;
      else out.primary ??= n.member;
    } catch {
      out.down.push(n.member);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  return out;
}

async function postgresRole(ctx: FaultContext, role: string, target: string): Promise<Resolved> {
  const roles = await postgresRoles(ctx);
  const member = role === 'standby' ? roles.standby : roles.primary;
  if (!member)
    throw new EnvError(`${target}: no Postgres is the ${role} now (down: ${roles.down.join(', ') || 'none'})`);
  return { member, why: `the ${role} now` };
}

/**
 * The member a cluster target stands for at this moment. Plain targets on a cluster stand for broker 1,
 * worker 1 and the primary; on a single stack nothing is resolved (undefined).
 */
export async function resolveMember(ctx: FaultContext, target: string): Promise<Resolved | undefined> {
  if (!ctx.endpoints.cluster && !isClusterTarget(target)) return undefined;
  const c = cluster(ctx, target);
  const { service, role } = splitTarget(target);
  const base = service.replace(/-replication$/, '');
  if (base === 'kafka') return brokerRole(ctx, c, role ?? '1', target);
  if (base === 'connect') return workerRole(ctx, c, role ?? '1', target);
  if (base === 'postgres') return postgresRole(ctx, role ?? 'primary', target);
  return undefined;
}

/** The process handle of a resolved member (process faults need one: local and containers providers). */
export function memberHandle(ctx: FaultContext, r: Resolved, kind: string): ServiceHandle {
  const h = ctx.members?.[r.member];
  if (!h)
    throw new EnvError(
      `fault ${kind} on ${r.member}: this provider gives no handle on that process`,
      'role-targeted process faults need --provider local or containers with --topology cluster',
    );
  return h;
}

/**
 * The Toxiproxy proxies a network target stands for: one broker's, or every broker's for plain `kafka` on a
 * cluster.
 */
export async function resolveProxies(ctx: FaultContext, target: string): Promise<{ proxies: string[]; why?: string }> {
  const c = ctx.endpoints.cluster;
  if (!isClusterTarget(target)) {
    if (target === 'kafka' && c?.brokers.length && !ctx.endpoints.proxyNames?.kafka)
      return { proxies: c.brokers.map((b) => b.proxy), why: 'every broker' };
    return { proxies: [ctx.endpoints.proxyNames?.[target as 'pg' | 'kafka' | 'es'] ?? target] };
  }
  const r = await resolveMember(ctx, target);
  const b = cluster(ctx, target).brokers.find((x) => x.member === r?.member);
  const replication = splitTarget(target).service === 'kafka-replication';
  const proxy = replication ? b?.replicationProxy : b?.proxy;
  if (!b || !proxy)
    throw new EnvError(
      `${target}: ${r?.member ?? 'no broker'} has no ${replication ? 'replication ' : ''}proxy ` +
        `named in this environment`,
    );
  return { proxies: [proxy], why: `${r?.member}, ${r?.why}` };
}
