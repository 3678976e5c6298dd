import { appendFileSync, chownSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { run } from '../../util/exec.ts';
import { HOST, PG_PASSWORD, PG_USER, type StackContext } from '../context.ts';
import type { ServiceDef } from '../service.ts';
import { asUser } from '../users.ts';

export function postgresDirs(ctx: StackContext): { data: string; sock: string } {
  return { data: join(ctx.dir, 'postgres', 'data'), sock: join(ctx.dir, 'postgres', 'sock') };
}

/** A throwaway cluster per stack: initdb once, then the postmaster is the tracked process. */
export async function initPostgres(ctx: StackContext): Promise<void> {
  const { data, sock } = postgresDirs(ctx);
  if (existsSync(join(data, 'PG_VERSION'))) return;
  for (const d of [join(ctx.dir, 'postgres'), data, sock]) {
    mkdirSync(d, { recursive: true, mode: 0o700 });
    if (ctx.pgUser) chownSync(d, ctx.pgUser.uid, ctx.pgUser.gid);
  }
  const pwFile = join(ctx.dir, 'postgres', 'pwfile');
  writeFileSync(pwFile, `${PG_PASSWORD}\n`);
  if (ctx.pgUser) chownSync(pwFile, ctx.pgUser.uid, ctx.pgUser.gid);
  const [cmd, args] = asUser(ctx.pgUser, join(ctx.artifacts.postgres.bin, 'initdb'), [
    '-D', data, '-U', PG_USER, '--pwfile', pwFile, '-E', 'UTF8', '--no-locale', '--auth=md5', '--auth-local=trust',
  ]);
  await run(cmd, args, { what: 'initdb' });
  // Replication connections (Debezium's walsender) need an hba line too; md5 for TCP keeps it honest.
  appendFileSync(join(data, 'pg_hba.conf'), `host replication all ${HOST}/32 md5\n`);
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

export function postgresDef(ctx: StackContext): ServiceDef {
  const { data, sock } = postgresDirs(ctx);
  const settings: Record<string, string | number> = {
    listen_addresses: HOST,
    port: ctx.ports.postgres,
    unix_socket_directories: sock,
    logging_collector: 'off',
    ...PG_SETTINGS,
  };
  const flags = Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]);
  const logFile = join(ctx.dir, 'logs', 'postgres.log');
  return {
    name: 'postgres',
    logFile,
    spawn: () => ({
      name: 'postgres',
      cmd: join(ctx.artifacts.postgres.bin, 'postgres'),
      args: ['-D', data, ...flags],
      logFile,
      stackDir: ctx.dir,
      runAs: ctx.pgUser,
    }),
    ready: async () => {
      const c = new pg.Client({ host: HOST, port: ctx.ports.postgres, user: PG_USER, password: PG_PASSWORD, database: 'postgres', connectionTimeoutMillis: 1000 });
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
