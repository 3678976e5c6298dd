/**
 * A private, throwaway Postgres 15 cluster for tests and measurements of the workload driver (no Docker, no
 * stack). initdb refuses to run as root, so as root every server-side command runs as the `postgres` user,
 * in a directory under /var/tmp that user owns (it cannot traverse /root).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where initdb/pg_ctl live; OUTBOX_CHAOS_PG_BIN overrides it (another install, or to exercise the skip). */
export const PG_BIN = process.env['OUTBOX_CHAOS_PG_BIN'] ?? '/usr/lib/postgresql/15/bin';
const DIR_PREFIX = 'oc-wl-test-';
const ROOT = '/var/tmp';

export function throwawayPgAvailable(): { ok: true } | { ok: false; reason: string } {
  if (!existsSync(join(PG_BIN, 'initdb'))) return { ok: false, reason: `${PG_BIN}/initdb not found (Postgres 15 not installed)` };
  return { ok: true };
}

export interface ThrowawayPg {
  url: string;
  port: number;
  dataDir: string;
  /** Stops the server (fast shutdown) without removing it, e.g. to simulate an outage. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** CPU time (user + system) used so far by the server's processes, in ms (Linux /proc). */
  cpuMs(): Promise<number>;
  /** Stops the server and removes its directory. Safe to call twice. */
  stop(): Promise<void>;
}

export interface ThrowawayPgOptions {
  /** Preferred port; a free ephemeral one is used when it is taken. Default 17999. */
  port?: number;
  /** Extra `-c name=value` server settings. */
  settings?: Record<string, string | number>;
}

async function asPostgres(cmd: string, args: string[]): Promise<string> {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const { stdout } = isRoot ? await run('runuser', ['-u', 'postgres', '--', cmd, ...args]) : await run(cmd, args);
  return stdout;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

async function ephemeralPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Clusters left behind by test processes that died without their afterAll: stop and remove them. */
async function reapStale(): Promise<void> {
  for (const name of await readdir(ROOT).catch(() => [] as string[])) {
    if (!name.startsWith(DIR_PREFIX)) continue;
    const pid = Number(name.slice(DIR_PREFIX.length));
    if (!Number.isInteger(pid) || pidAlive(pid)) continue;
    const dir = join(ROOT, name);
    await asPostgres(join(PG_BIN, 'pg_ctl'), ['stop', '-D', join(dir, 'data'), '-m', 'immediate', '-w']).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

export async function startThrowawayPg(options: ThrowawayPgOptions = {}): Promise<ThrowawayPg> {
  await reapStale();
  const dir = join(ROOT, `${DIR_PREFIX}${process.pid}`);
  const dataDir = join(dir, 'data');
  const sockDir = join(dir, 'sock');
  await rm(dir, { recursive: true, force: true });
  await mkdir(sockDir, { recursive: true });
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    for (const d of [dir, sockDir]) await chown(d, Number(stdout.trim()), Number(gid.trim()));
  }
  const wanted = options.port ?? 17_999;
  const port = (await portFree(wanted)) ? wanted : await ephemeralPort();

  const logFile = join(dir, 'server.log');
  const settings: Record<string, string | number> = {
    listen_addresses: '127.0.0.1',
    port,
    unix_socket_directories: sockDir,
    max_connections: 100,
    ...options.settings,
  };
  const serverOpts = Object.entries(settings)
    .map(([k, v]) => `-c ${k}=${v}`)
    .join(' ');
  const pgCtl = (args: string[]): Promise<string> => asPostgres(join(PG_BIN, 'pg_ctl'), ['-D', dataDir, ...args]);
  const start = (): Promise<string> => pgCtl(['start', '-w', '-t', '60', '-l', logFile, '-o', serverOpts]);
  try {
    await asPostgres(join(PG_BIN, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']);
    await start();
  } catch (e) {
    const log = await readFile(logFile, 'utf8').catch(() => '');
    await pgCtl(['stop', '-m', 'immediate', '-w']).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    const tail = log.split('\n').slice(-20).join('\n');
    throw new Error(`throwaway Postgres on port ${port} did not start: ${(e as Error).message}\n--- server.log (tail) ---\n${tail}`);
  }

  let stopped = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    pause: async () => {
      await pgCtl(['stop', '-m', 'fast', '-w', '-t', '60']);
    },
    resume: async () => {
      await start();
    },
    cpuMs: () => serverCpuMs(dataDir),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await pgCtl(['stop', '-m', 'fast', '-w', '-t', '60']).catch(() =>
        pgCtl(['stop', '-m', 'immediate', '-w', '-t', '60']).catch(() => undefined),
      );
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function serverCpuMs(dataDir: string): Promise<number> {
  const pidFile = await readFile(join(dataDir, 'postmaster.pid'), 'utf8');
  const postmaster = Number(pidFile.split('\n')[0]);
  const ticksPerSec = 100; // USER_HZ on Linux
  let ticks = 0;
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    // Fields after the parenthesised command: state ppid ... utime(14) stime(15), 1-based over the whole line.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const pid = Number(name);
    const ppid = Number(rest[1]);
    if (pid === postmaster) {
      // cutime/cstime: CPU of children that already exited (backends of closed connections).
      ticks += Number(rest[11]) + Number(rest[12]) + Number(rest[13]) + Number(rest[14]);
    } else if (ppid === postmaster) {
      ticks += Number(rest[11]) + Number(rest[12]);
    }
  }
  return (ticks * 1000) / ticksPerSec;
}

/** The harness's healthy products table, for tests and measurements against a throwaway cluster. */
export const PRODUCTS_TABLE_DDL = `CREATE TABLE products (
  product_id SERIAL PRIMARY KEY,
  name VARCHAR(255) NOT NULL,
  description TEXT,
  price NUMERIC(10, 2) NOT NULL,
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
)`;
