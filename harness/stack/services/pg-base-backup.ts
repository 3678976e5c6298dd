import { chmodSync, chownSync, copyFileSync, lstatSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { HOST, PG_PASSWORD, PG_USER } from '../context.ts';
import type { RunAs } from '../processes.ts';

/**
 * A base backup without pg_basebackup (the npm Postgres builds ship none): the low-level backup API around a
 * file copy of the primary's data directory. The primary stays up and writing; the copy is made consistent by
 * the backup_label that pg_backup_stop returns, and the standby streams the WAL from the backup's start on
 * (the cluster keeps wal_keep_size of it).
 */

/** The backup API's statements for a major: renamed in 15 (pg_start_backup → pg_backup_start). */
export function backupStatements(major: number): { start: string; stop: string } {
  if (major >= 15)
    return {
      // (label, fast): an immediate checkpoint, as `pg_basebackup -c fast` asks.
      start: 'SELECT pg_backup_start($1, true)',
      // wait_for_archive false: there is no WAL archive; the standby streams what it needs.
      stop: 'SELECT labelfile, spcmapfile FROM pg_backup_stop(false)',
    };
  return {
    // (label, fast, exclusive): the non-exclusive mode, tied to this session, the only one 15 kept.
    start: 'SELECT pg_start_backup($1, true, false)',
    stop: 'SELECT labelfile, spcmapfile FROM pg_stop_backup(false, false)',
  };
}

/** Directories whose contents a base backup leaves out (they are rebuilt at start, or streamed: pg_wal). */
const EMPTY_DIRS = new Set([
  'pg_wal',
  'pg_replslot',
  'pg_dynshmem',
  'pg_notify',
  'pg_serial',
  'pg_snapshots',
  'pg_stat_tmp',
  'pg_subtrans',
]);

/** Top-level files that belong to the running primary, not to a copy of it. */
const SKIP_FILES = new Set([
  'postmaster.pid',
  'postmaster.opts',
  'backup_label',
  'tablespace_map',
  'standby.signal',
  'recovery.signal',
]);

/**
 * Whether a path of the data directory (relative, `/`-separated) stays out of the copy: what the
 * documentation's "Making a Base Backup Using the Low Level API" says may or must be omitted. The
 * directories in EMPTY_DIRS are kept, empty.
 */
export function leftOutOfBaseBackup(rel: string): boolean {
  const parts = rel.split('/');
  const name = parts[parts.length - 1] ?? '';
  if (parts.length === 1 && SKIP_FILES.has(name)) return true;
  if (parts.length > 1 && EMPTY_DIRS.has(parts[0] ?? '')) return true;
  return name.startsWith('pgsql_tmp') || name === 'pg_internal.init';
}

/** Copies a live data directory, leaving out what a base backup does; files that vanish meanwhile are skipped. */
function copyTree(src: string, dst: string, owner: RunAs | undefined, rel = ''): number {
  mkdirSync(dst, { recursive: true, mode: 0o700 });
  chmodSync(dst, 0o700);
  if (owner) chownSync(dst, owner.uid, owner.gid);
  let bytes = 0;
  let entries: string[];
  try {
    entries = readdirSync(src);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  for (const name of entries) {
    const r = rel ? `${rel}/${name}` : name;
    if (leftOutOfBaseBackup(r)) continue;
    const from = join(src, name);
    const to = join(dst, name);
    try {
      const st = lstatSync(from);
      if (st.isDirectory()) bytes += copyTree(from, to, owner, r);
      else if (st.isFile()) {
        copyFileSync(from, to);
        chmodSync(to, 0o600);
        if (owner) chownSync(to, owner.uid, owner.gid);
        bytes += st.size;
      }
    } catch (err) {
      // A temporary file or a dropped relation removed while we copy: the WAL replay recreates what matters.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return bytes;
}

/**
 * Takes a base backup of the Postgres on `port` into `dst` (which must not hold a cluster): backup start, a
 * copy of its data directory, backup stop, and the backup_label (and tablespace_map) written into the copy.
 * Returns the bytes copied.
 */
export async function baseBackup(port: number, dst: string, owner: RunAs | undefined, label: string): Promise<number> {
  const c = new pg.Client({ host: HOST, port, user: PG_USER, password: PG_PASSWORD, database: 'postgres' });
  await c.connect();
  try {
    const q = await c.query<{ v: number; dir: string }>(
      "SELECT current_setting('server_version_num')::int AS v, current_setting('data_directory') AS dir",
    );
    const { v, dir: src } = q.rows[0] ?? {};
    if (!v || !src) throw new Error(`Postgres on port ${port} did not say its version and data directory`);
    const sql = backupStatements(Math.floor(v / 10_000));
    await c.query(sql.start, [label]);
    let bytes = 0;
    let failed: unknown;
    try {
      bytes = copyTree(src, dst, owner);
    } catch (err) {
      failed = err;
    }
    // Ends the backup even when the copy failed (it would end with the session anyway, but say so cleanly).
    const stop = await c.query<{ labelfile: string; spcmapfile: string | null }>(sql.stop);
    if (failed) throw failed;
    const { labelfile, spcmapfile } = stop.rows[0] ?? {};
    if (!labelfile) throw new Error('the backup stop returned no backup_label');
    const write = (name: string, text: string): void => {
      writeFileSync(join(dst, name), text, { mode: 0o600 });
      if (owner) chownSync(join(dst, name), owner.uid, owner.gid);
    };
    write('backup_label', labelfile);
    if (spcmapfile) write('tablespace_map', spcmapfile);
    return bytes;
  } finally {
    await c.end().catch(() => undefined);
  }
}
