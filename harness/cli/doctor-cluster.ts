import pg from 'pg';
import { ConnectClient } from '../connect/client.ts';
import type { ClusterEndpoints, Endpoints } from '../stack/endpoints.ts';
import { groupMembers, partitionLayout, withKafkaAdmin } from '../stack/kafka-admin.ts';
import { CONNECT_GROUP } from '../stack/services/connect.ts';
import { errorMessage } from '../util/errors.ts';

/** One block of doctor's screen: lines to show, and problems that make it exit 3. */
export interface Section {
  title: string;
  lines: string[];
  problems: string[];
}

/** A section filled by `fn`; what it throws becomes the section's problem. */
export async function section(title: string, fn: (s: Section) => Promise<void>): Promise<Section> {
  const s: Section = { title, lines: [], problems: [] };
  try {
    await fn(s);
  } catch (err) {
    s.problems.push(`cannot inspect: ${errorMessage(err)}`);
  }
  return s;
}

const memberOf = (c: ClusterEndpoints, nodeId: number): string =>
  c.brokers.find((b) => b.nodeId === nodeId)?.member ?? `node ${nodeId}`;

/** Every partition's leader, replicas and ISR (Connect's internal topics too), and the Connect group's members. */
function partitions(e: Endpoints, c: ClusterEndpoints): Promise<Section> {
  return section('kafka partitions (leader, replicas, in-sync replicas)', async (s) => {
    await withKafkaAdmin(e.kafkaBootstrap, async (admin) => {
      const topics = (await admin.listTopics()).filter((t) => !t.startsWith('__') || t.startsWith('__debezium')).sort();
      for (const p of await partitionLayout(admin, topics)) {
        const short = p.isr.length < p.replicas.length;
        const ok = p.leader >= 0 && !short;
        s.lines.push(
          `${ok ? '✓' : '✗'} ${`${p.topic}-${p.partition}`.padEnd(44)} ` +
            `leader ${p.leader >= 0 ? memberOf(c, p.leader) : 'NONE'}  replicas ${p.replicas.join(',')}  ` +
            `ISR ${p.isr.join(',')}${p.offline.length ? `  offline ${p.offline.join(',')}` : ''}`,
        );
        if (p.leader < 0) s.problems.push(`${p.topic}-${p.partition} has no leader`);
        else if (short)
          s.problems.push(
            `${p.topic}-${p.partition} is under-replicated (ISR ${p.isr.join(',')} of ${p.replicas.join(',')})`,
          );
      }
      const g = await groupMembers(admin, CONNECT_GROUP);
      s.lines.push(
        `  Connect group ${CONNECT_GROUP}: ${g.state}, ${g.members.length} member(s)` +
          (g.members.length
            ? `: ${g.members.map((m) => `${m.clientId}@${m.clientHost.replace(/^\//, '')}`).join(', ')}`
            : ''),
      );
      if (g.members.length < c.workers.length)
        s.problems.push(`the Connect group has ${g.members.length} of ${c.workers.length} workers`);
    });
  });
}

/** Each worker: does it answer, and which connectors' tasks run on it. */
function workers(e: Endpoints, c: ClusterEndpoints): Promise<Section> {
  return section('connect workers and their tasks', async (s) => {
    const all = new ConnectClient(c.workers.map((w) => w.url).join(','));
    const statuses = await Promise.all((await all.list()).map((n) => all.status(n)));
    for (const w of c.workers) {
      const alive = await fetch(`${w.url}/`, { signal: AbortSignal.timeout(3000) })
        .then((r) => r.ok)
        .catch(() => false);
      const tasks = statuses.flatMap((st) =>
        (st?.tasks ?? []).filter((t) => t.worker_id === w.workerId).map((t) => `${st?.name} task ${t.id} ${t.state}`),
      );
      s.lines.push(
        `${alive ? '✓' : '✗'} ${w.member.padEnd(10)} ${w.url.padEnd(24)} ` +
          `${tasks.length ? tasks.join('; ') : 'no task'}`,
      );
      if (!alive) s.problems.push(`${w.member} (${w.url}) does not answer`);
    }
    const orphans = statuses.flatMap((st) =>
      (st?.tasks ?? [])
        .filter((t) => !c.workers.some((w) => w.workerId === t.worker_id))
        .map((t) => `${st?.name} task ${t.id} on ${t.worker_id}`),
    );
    for (const o of orphans) s.problems.push(`${o}: not a worker of this cluster`);
  });
}

async function query<T extends pg.QueryResultRow>(
  e: Endpoints,
  n: ClusterEndpoints['postgres'][number],
  sql: string,
): Promise<T[]> {
  const c = new pg.Client({ ...e.pg, host: n.host, port: n.port, database: 'postgres', connectionTimeoutMillis: 3000 });
  await c.connect();
  try {
    return (await c.query<T>(sql)).rows;
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** Which node is the primary, and how far its standby is behind (bytes of WAL not yet replayed, and time). */
function replication(e: Endpoints, c: ClusterEndpoints): Promise<Section> {
  return section('postgres primary and standby', async (s) => {
    let standbys = 0;
    for (const n of c.postgres) {
      const role = await query<{ standby: boolean }>(e, n, 'SELECT pg_is_in_recovery() AS standby')
        .then((r) => (r[0]?.standby ? 'standby' : 'primary'))
        .catch((err: unknown) => `down (${errorMessage(err)})`);
      if (role === 'primary') {
        const rows = await query<{ name: string; state: string; lag: string | null; replay_lag: string | null }>(
          e,
          n,
          'SELECT application_name AS name, state, pg_wal_lsn_diff(pg_current_wal_lsn(), ' +
            "replay_lsn)::bigint::text AS lag, COALESCE(replay_lag::text, '0') AS " +
            "replay_lag FROM pg_stat_replication WHERE application_name LIKE 'postgres-%'",
        );
        s.lines.push(
          `✓ ${n.member.padEnd(10)} ${`${n.host}:${n.port}`.padEnd(16)} ` +
            `primary${rows.length ? '' : ', no standby streaming from it'}`,
        );
        for (const r of rows)
          s.lines.push(`    → ${r.name}: ${r.state}, replay lag ${r.lag ?? '?'} bytes (${r.replay_lag})`);
        standbys += rows.filter((r) => r.state === 'streaming').length;
      } else if (role === 'standby') {
        const [r] = await query<{ lsn: string | null; delay: string | null }>(
          e,
          n,
          'SELECT pg_last_wal_replay_lsn()::text AS lsn, COALESCE((now() - ' +
            "pg_last_xact_replay_timestamp())::text, 'nothing replayed yet') AS delay",
        );
        s.lines.push(
          `✓ ${n.member.padEnd(10)} ${`${n.host}:${n.port}`.padEnd(16)} standby, ` +
            `replayed up to ${r?.lsn ?? '?'} (last replayed commit ${r?.delay} ago)`,
        );
      } else {
        s.lines.push(`✗ ${n.member.padEnd(10)} ${`${n.host}:${n.port}`.padEnd(16)} ${role}`);
        s.problems.push(`${n.member} is ${role}`);
      }
    }
    if (standbys === 0) s.problems.push('no standby is streaming from the primary');
  });
}

/** doctor's cluster view: partition leaders and ISR, each worker's tasks, the standby's replay lag. */
export async function clusterSections(e: Endpoints): Promise<Section[]> {
  const c = e.cluster;
  if (!c) return [];
  const out = [await partitions(e, c)];
  if (c.workers.length) out.push(await workers(e, c));
  // An external environment names no Postgres nodes: the harness has no standby to look at there.
  if (c.postgres.length) out.push(await replication(e, c));
  return out;
}
