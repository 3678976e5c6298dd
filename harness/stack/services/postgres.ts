import { appendFileSync, chownSync, existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { cacheDir } from '../../provision/paths.ts';
import type { PostgresDist } from '../../provision/postgres.ts';
import { run } from '../../util/exec.ts';
import { HOST, PG_PASSWORD, PG_USER, type StackContext } from '../context.ts';
import { isClusterPlan, type PortPlan } from '../ports.ts';
import type { ServiceDef, ServiceName } from '../service.ts';
import type { RunAs } from '../processes.ts';
import { baseBackup } from './pg-base-backup.ts';
import { asUser } from '../users.ts';

/** One Postgres of a stack: the single stack's `postgres`, or a cluster's postgres-1 (first primary) and postgres-2. */
export interface PostgresNode {
  service: ServiceName;
  dir: string;
  port: number;
}

export function postgresNodes(p: PortPlan): PostgresNode[] {
  if (!isClusterPlan(p) || p.postgresStandby === undefined)
    return [{ service: 'postgres', dir: 'postgres', port: p.postgres }];
  return [
    { service: 'postgres-1', dir: 'postgres-1', port: p.postgres },
    { service: 'postgres-2', dir: 'postgres-2', port: p.postgresStandby },
  ];
}

const firstNode = (ctx: StackContext): PostgresNode => postgresNodes(ctx.ports)[0] as PostgresNode;

export function postgresDirs(ctx: StackContext, node: PostgresNode = firstNode(ctx)): { data: string; sock: string } {
  return { data: join(ctx.dir, node.dir, 'data'), sock: join(ctx.dir, node.dir, 'sock') };
}

function ownedDirs(ctx: StackContext, dirs: string[]): void {
  for (const d of dirs) {
    mkdirSync(d, { recursive: true, mode: 0o700 });
    if (ctx.pgUser) chownSync(d, ctx.pgUser.uid, ctx.pgUser.gid);
  }
}

/**
 * The Postgres binaries as the service user can run them. As root the cache sits under /root, which that user
 * cannot traverse, so a cached distribution is mirrored with hard links into the stack's directory (as
 * Elasticsearch's home is); the binaries find their lib and share directories relative to themselves.
 * Binaries outside the cache (Debian's, OUTBOX_CHAOS_PG_BIN) are used where they are.
 */
export async function readablePostgres<D extends Pick<PostgresDist, 'bin'>>(
  stackDir: string,
  dist: D,
  user: RunAs | undefined,
): Promise<D> {
  if (!user || !dist.bin.startsWith(cacheDir())) return dist;
  const src = dirname(dist.bin);
  const dst = join(stackDir, 'pg-dist');
  const marker = (d: string): string => join(d, '.package');
  // Hard links into the cache: after a re-fetch (a new marker inode) or for another major, made again.
  const fresh =
    existsSync(marker(dst)) && existsSync(marker(src)) && statSync(marker(src)).ino === statSync(marker(dst)).ino;
  if (!fresh) {
    rmSync(dst, { recursive: true, force: true });
    mkdirSync(stackDir, { recursive: true });
    rmSync(`${dst}.tmp`, { recursive: true, force: true });
    await run('cp', ['-al', src, `${dst}.tmp`], { what: 'mirroring the Postgres binaries' });
    renameSync(`${dst}.tmp`, dst);
  }
  return { ...dist, bin: join(dst, 'bin') };
}

/** A throwaway cluster per stack: initdb once, then the postmaster is the tracked process. */
export async function initPostgres(ctx: StackContext, node: PostgresNode = firstNode(ctx)): Promise<void> {
  const { data, sock } = postgresDirs(ctx, node);
  if (existsSync(join(data, 'PG_VERSION'))) return;
  ownedDirs(ctx, [join(ctx.dir, node.dir), data, sock]);
  const pwFile = join(ctx.dir, node.dir, 'pwfile');
  writeFileSync(pwFile, `${PG_PASSWORD}\n`);
  if (ctx.pgUser) chownSync(pwFile, ctx.pgUser.uid, ctx.pgUser.gid);
  const [cmd, args] = asUser(ctx.pgUser, join(ctx.artifacts.postgres.bin, 'initdb'), [
    '-D',
    data,
    '-U',
    PG_USER,
    '--pwfile',
    pwFile,
    '-E',
    'UTF8',
    '--no-locale',
    '--auth=md5',
    '--auth-local=trust',
  ]);
  await run(cmd, args, { what: 'initdb' });
  // Replication connections (Debezium's walsender, a standby's) need an hba line too; md5 for TCP keeps it honest.
  appendFileSync(join(data, 'pg_hba.conf'), `host replication all ${HOST}/32 md5\n`);
}

/** The connection a standby streams from: the primary's address as the standby sees it, and its own name. */
export function primaryConninfo(host: string, port: number, applicationName: string): string {
  return `host=${host} port=${port} user=${PG_USER} password=${PG_PASSWORD} application_name=${applicationName}`;
}

/** The physical slot a cluster member streams through while it is the standby (postgres-2 → postgres_2). */
export const standbySlot = (member: string): string => member.replace(/-/g, '_');

/**
 * Postgres 17's failover slots on a local cluster member. Either member may be either role after a failover,
 * and its settings are fixed for the process's life, so each carries both halves: as the standby it streams
 * through its own physical slot, keeps the primary's catalog rows (hot_standby_feedback) and copies every
 * failover slot (sync_replication_slots); as the primary it sends logical changes only once the other member
 * has their WAL (synchronized_standby_slots), so a promoted standby's copy is never behind what the connector
 * saw. Settings that belong to the other role are ignored by Postgres. None of this exists before 17.
 */
export function localFailoverSlotSettings(major: number, self: string, other: string): Record<string, string> {
  if (major < 17) return {};
  return {
    sync_replication_slots: 'on',
    hot_standby_feedback: 'on',
    primary_slot_name: standbySlot(self),
    synchronized_standby_slots: standbySlot(other),
  };
}

/**
 * Makes `node` a hot standby of the Postgres on `primaryPort`: an empty data directory, a base backup of the
 * primary (pg_basebackup where the binaries have it, as Debian's do; else through the low-level backup API,
 * pg-base-backup.ts, since the npm builds ship no pg_basebackup), standby.signal and primary_conninfo. The node
 * must be stopped.
 */
export async function initStandby(ctx: StackContext, node: PostgresNode, primaryPort: number): Promise<void> {
  const { data, sock } = postgresDirs(ctx, node);
  rmSync(data, { recursive: true, force: true });
  ownedDirs(ctx, [join(ctx.dir, node.dir), sock]);
  // On 17, the physical slot this standby streams through (and syncs failover slots over) is made first, so
  // the primary keeps WAL from before the backup on. It outlives the runs' resets, which drop logical slots only.
  if (Number(ctx.artifacts.postgres.major) >= 17) await ensurePhysicalSlot(primaryPort, standbySlot(node.service));
  const pgBasebackup = join(ctx.artifacts.postgres.bin, 'pg_basebackup');
  if (existsSync(pgBasebackup)) {
    // A bin directory that has it (Debian's fallback, OUTBOX_CHAOS_PG_BIN): pg_basebackup.
    const [cmd, args] = asUser(ctx.pgUser, pgBasebackup, [
      '-d',
      primaryConninfo(HOST, primaryPort, node.service),
      '-D',
      data,
      '-X',
      'stream',
      '-c',
      'fast',
      '--no-sync',
    ]);
    await run(cmd, args, { what: `pg_basebackup of ${node.service}`, timeoutMs: 120_000 });
  } else await baseBackup(primaryPort, data, ctx.pgUser, `outbox-chaos ${node.service}`);
  const own = (f: string): void => {
    if (ctx.pgUser) chownSync(f, ctx.pgUser.uid, ctx.pgUser.gid);
  };
  writeFileSync(join(data, 'standby.signal'), '');
  own(join(data, 'standby.signal'));
  // A dbname: slot sync (17) needs one to read the primary's slots; physical streaming ignores it.
  appendFileSync(
    join(data, 'postgresql.auto.conf'),
    `primary_conninfo = '${primaryConninfo(HOST, primaryPort, node.service)} dbname=postgres'\n`,
  );
}

/** A physical replication slot on the Postgres at `port`, reserving WAL from now, unless it exists. */
async function ensurePhysicalSlot(port: number, slot: string): Promise<void> {
  const c = new pg.Client({ host: HOST, port, user: PG_USER, password: PG_PASSWORD, database: 'postgres' });
  await c.connect();
  try {
    await c.query(
      'SELECT pg_create_physical_replication_slot($1, true) ' +
        'WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = $1)',
      [slot],
    );
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** Server settings of every Postgres the harness runs, local process or container. */
export const PG_SETTINGS: Record<string, string | number> = {
  wal_level: 'logical',
  max_wal_senders: 10,
  max_replication_slots: 10,
  max_connections: 200,
  shared_buffers: '256MB',
  // The harness kills processes (or containers), never the OS: writes already handed to the kernel survive,
  // so skipping fsync loses nothing that a real crash test would keep, and makes the workload much faster.
  fsync: 'off',
  full_page_writes: 'off',
  wal_sender_timeout: '30s',
  log_min_messages: 'warning',
  log_connections: 'off',
};

/**
 * A cluster's Postgres on top of PG_SETTINGS, on both nodes (either may be the primary after a failover):
 * the primary keeps enough WAL for its standby without a physical slot (a reset drops every slot), the
 * standby serves reads (hot standby) and reports its replay position quickly.
 */
export const CLUSTER_PG_SETTINGS: Record<string, string | number> = {
  hot_standby: 'on',
  wal_keep_size: '1GB',
  wal_receiver_status_interval: '1s',
};

function failoverSlots(ctx: StackContext, node: PostgresNode): Record<string, string> {
  const other = postgresNodes(ctx.ports).find((n) => n.service !== node.service);
  return other ? localFailoverSlotSettings(Number(ctx.artifacts.postgres.major), node.service, other.service) : {};
}

export function postgresDef(ctx: StackContext, node: PostgresNode = firstNode(ctx)): ServiceDef {
  const { data, sock } = postgresDirs(ctx, node);
  const settings: Record<string, string | number> = {
    listen_addresses: HOST,
    port: node.port,
    unix_socket_directories: sock,
    logging_collector: 'off',
    ...PG_SETTINGS,
    ...(isClusterPlan(ctx.ports) ? { ...CLUSTER_PG_SETTINGS, ...failoverSlots(ctx, node) } : {}),
  };
  const flags = Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]);
  const logFile = join(ctx.dir, 'logs', `${node.service}.log`);
  return {
    name: node.service,
    logFile,
    spawn: () => ({
      name: node.service,
      cmd: join(ctx.artifacts.postgres.bin, 'postgres'),
      args: ['-D', data, ...flags],
      logFile,
      stackDir: ctx.dir,
      runAs: ctx.pgUser,
    }),
    ready: async () => {
      const c = new pg.Client({
        host: HOST,
        port: node.port,
        user: PG_USER,
        password: PG_PASSWORD,
        database: 'postgres',
        connectionTimeoutMillis: 1000,
      });
      try {
        await c.connect();
        await c.query('SELECT 1');
        return true;
      } finally {
        await c.end().catch(() => undefined);
      }
    },
    readyTimeoutMs: 30_000,
    // SIGINT is Postgres's "fast shutdown": roll back sessions, checkpoint, exit.
    stopSignal: 'SIGINT',
  };
}
