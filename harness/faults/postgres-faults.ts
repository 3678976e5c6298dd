import { withPg } from '../stack/pg.ts';
import { defineFault } from './define.ts';
import { pollFor, witness, within } from './evidence.ts';
import type { Fault, FaultContext } from './fault.ts';
import { draw, type FaultKind, opt } from './kind.ts';
import { failoverFault } from './pg-failover.ts';

/** The workload's connections name themselves so (workers and their setup); the harness's observers do not. */
export const APP_CONNECTIONS = 'outbox-chaos-workload-%';

/**
 * Terminates the application's own Postgres sessions (the workload's, by application_name) over a direct
 * connection, at the start and then every `everyMs` while the fault lasts: what a failover, a connection
 * pooler's restart or an idle-session killer does to an application, and what its crash looks like from
 * the database. Debezium's replication connection and the harness's observers are left alone. Whatever the
 * application had in flight on a killed session gets an error; what it does next is what is under test.
 */
export function appDisconnectFault(id: string, everyMs: number): Fault {
  let timer: NodeJS.Timeout | undefined;
  let rounds = 0;
  let sessions = 0;
  const kill = async (ctx: FaultContext): Promise<void> => {
    const ep = ctx.endpoints;
    const n = await withPg(ep, ep.pg.database, async (c) => {
      const r = await c.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity' +
          ' WHERE application_name LIKE $1 AND datname = current_database() AND pid <> pg_backend_pid()',
        [APP_CONNECTIONS],
      );
      return r.rowCount ?? 0;
    });
    rounds++;
    sessions += n;
  };
  return defineFault({
    id,
    kind: 'postgres.app-disconnect',
    target: 'postgres',
    describe: () => `pg_terminate_backend of the application's sessions${everyMs > 0 ? `, every ${everyMs} ms` : ''}`,
    async inject(ctx) {
      await kill(ctx);
      if (everyMs > 0) {
        // A round that fails (Postgres busy) is skipped; the next one comes anyway.
        timer = setInterval(() => void kill(ctx).catch(() => undefined), everyMs);
      }
    },
    async repair(ctx) {
      if (timer === undefined && rounds === 0) return;
      clearInterval(timer);
      timer = undefined;
      const detail = `${sessions} application session(s) terminated in ${rounds} round(s)`;
      // pg_terminate_backend answered true for each: Postgres ended them.
      witness(ctx, id, 'app-sessions-terminated', sessions > 0, detail);
      rounds = 0;
      sessions = 0;
      return detail;
    },
  });
}

/** The database the WAL noise goes to: another database of the same cluster, which no slot of ours decodes. */
export const NOISE_DATABASE = 'outbox_chaos_noise';

/**
 * Writes `bytesPerSec` of rows to a table of another database on the source's cluster while it lasts: the
 * neighbour that shares the WAL with the captured database (another service's database, a batch job). WAL is
 * the cluster's, so the connector's slot holds all of it until the connector confirms an LSN past it, which an
 * idle captured table never gives it unless a heartbeat writes to a published table. Repair drops the database.
 */
export function walNoiseFault(id: string, bytesPerSec: number): Fault {
  const ROW = 1_024; // bytes of padding per row; each round writes a quarter second's worth
  const rows = Math.max(1, Math.round(bytesPerSec / 4 / ROW));
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let start: { lsn: string; t: number } | undefined;
  const lsn = async (ctx: FaultContext): Promise<string> =>
    withPg(ctx.endpoints, ctx.endpoints.pg.database, async (c) => {
      const r = await c.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
      return r.rows[0]!.lsn;
    });
  return defineFault({
    id,
    kind: 'postgres.wal-noise',
    target: 'postgres',
    describe: () => `${(bytesPerSec / 1e6).toFixed(1)} MB/s of rows written to database ${NOISE_DATABASE}`,
    async inject(ctx) {
      const ep = ctx.endpoints;
      await withPg(ep, ep.pg.database, async (c) => {
        const r = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [NOISE_DATABASE]);
        if (r.rowCount === 0) await c.query(`CREATE DATABASE ${NOISE_DATABASE}`);
      });
      await withPg(ep, NOISE_DATABASE, (c) => c.query('CREATE TABLE IF NOT EXISTS wal_noise (id bigserial, pad text)'));
      start = { lsn: await lsn(ctx), t: Date.now() };
      const insert =
        `INSERT INTO wal_noise (pad) SELECT repeat(md5(random()::text), ${ROW / 32}) ` +
        `FROM generate_series(1, ${rows})`;
      // One round at a time; a round that fails (Postgres busy) is skipped, the next one comes anyway.
      timer = setInterval(() => {
        running = running.then(() => withPg(ep, NOISE_DATABASE, (c) => c.query(insert)).catch(() => undefined));
      }, 250);
    },
    async repair(ctx) {
      if (start === undefined) return;
      clearInterval(timer);
      timer = undefined;
      await running;
      const ep = ctx.endpoints;
      const bytes = await withPg(ep, ep.pg.database, async (c) => {
        const r = await c.query<{ n: string }>('SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1)::text AS n', [
          start!.lsn,
        ]);
        return Number(r.rows[0]!.n);
      });
      const secs = (Date.now() - start.t) / 1000;
      start = undefined;
      await withPg(ep, ep.pg.database, (c) => c.query(`DROP DATABASE IF EXISTS ${NOISE_DATABASE} WITH (FORCE)`));
      const detail = `the WAL grew by ${(bytes / 1e6).toFixed(1)} MB in ${secs.toFixed(1)} s of noise`;
      // Half the asked rate at least: less means the noise barely ran, and the slot was never put to the test.
      witness(ctx, id, 'wal-written', bytes >= (bytesPerSec * secs) / 2, detail);
      return detail;
    },
  });
}

/** walsender-replaced: a walsender other than the terminated one streams the slot again (within 60 s). */
async function proveWalsenderReplaced(ctx: FaultContext, id: string, killed: number[]): Promise<void> {
  const slot = ctx.names.slot;
  if (killed.length === 0) {
    witness(ctx, id, 'walsender-replaced', false, `slot ${slot} had no active walsender to terminate`);
    return;
  }
  const t0 = Date.now();
  const ep = ctx.endpoints;
  const now = await pollFor(
    async () => {
      const pid = await withPg(ep, ep.pg.database, async (c) => {
        const r = await c.query<{ pid: number | null }>(
          'SELECT active_pid AS pid FROM pg_replication_slots WHERE slot_name = $1',
          [slot],
        );
        return r.rows[0]?.pid ?? undefined;
      });
      return pid !== undefined && !killed.includes(pid) ? pid : undefined;
    },
    { everyMs: 500, until: within(60_000) },
  );
  witness(
    ctx,
    id,
    'walsender-replaced',
    now !== undefined,
    now !== undefined
      ? `walsender ${killed.join(', ')} terminated; pid ${now} streams slot ${slot} ${Date.now() - t0} ms later`
      : `walsender ${killed.join(', ')} terminated; no new walsender on slot ${slot} within 60 s`,
  );
}

/**
 * Terminates the walsender(s) streaming the connector's slot, over a direct connection (not through the pg
 * proxy): what a Postgres failover, a DBA or wal_sender_timeout does. Debezium has to reconnect.
 */
export function walsenderKillFault(id: string): Fault {
  return defineFault({
    id,
    kind: 'postgres.walsender-kill',
    target: 'postgres',
    instantaneous: true,
    describe: () => "pg_terminate_backend of the replication slot's walsender",
    async inject(ctx) {
      const ep = ctx.endpoints;
      // A kill that lands while Debezium is still reconnecting from an earlier one hits nothing and proves
      // nothing: retry (bounded) until a walsender streams the slot, as a DBA's kill would find one. Looking
      // and killing are one statement: Debezium's start opens and closes short-lived replication connections,
      // so a walsender seen by one query may be gone by the next.
      const pids =
        (await pollFor(
          () =>
            withPg(ep, ep.pg.database, async (c) => {
              const r = await c.query<{ pid: number }>(
                'SELECT active_pid AS pid, pg_terminate_backend(active_pid) FROM pg_replication_slots' +
                  ' WHERE slot_name = $1 AND active_pid IS NOT NULL',
                [ctx.names.slot],
              );
              return r.rows.length ? r.rows.map((row) => row.pid) : undefined;
            }),
          { everyMs: 250, until: within(60_000) },
        )) ?? [];
      await proveWalsenderReplaced(ctx, id, pids);
      return pids.length
        ? `terminated walsender pid ${pids.join(', ')} of slot ${ctx.names.slot}`
        : `slot ${ctx.names.slot} had no active walsender`;
    },
    async repair() {
      /* nothing to undo: the connector reconnects (or fails, which is what the run observes) */
    },
  });
}

/**
 * Placeholders a statement may use, filled in from the run's names (they differ per run on a shared stack):
 * `${TABLE}` as an identifier, with any name characters that follow it (`${TABLE}_p3`, a partition named after
 * the table as schema.sql names it), and `${SLOT}` as a string literal (slot functions take the name as text).
 */
export function fillStatement(sql: string, names: { table: string; slot: string }): string {
  return sql
    .replace(/\$\{TABLE\}(\w*)/g, (_, suffix: string) => `"${names.table}${suffix}"`)
    .replaceAll('${SLOT}', `'${names.slot}'`);
}

/**
 * Runs one SQL statement (or several, separated by semicolons, in one implicit transaction) on the source
 * database over a direct connection: a schema change or a TRUNCATE that someone runs while the application
 * writes. `${TABLE}` names the run's table, `${SLOT}` its replication slot. The statement waits at most 10 s for
 * its lock, so a DDL stuck behind the workload fails the fault instead of stalling the run.
 */
export function sqlFault(id: string, sql: string): Fault {
  return defineFault({
    id,
    kind: 'postgres.sql',
    target: 'postgres',
    instantaneous: true,
    describe: () => `runs on the source database: ${sql}`,
    async inject(ctx) {
      const ep = ctx.endpoints;
      const statement = fillStatement(sql, ctx.names);
      const tags = await withPg(ep, ep.pg.database, async (c) => {
        await c.query("SET lock_timeout = '10s'");
        const r: unknown = await c.query(statement);
        const list = (Array.isArray(r) ? r : [r]) as { command: string; rowCount: number | null }[];
        return list.map((x) => `${x.command}${x.rowCount ? ` ${x.rowCount}` : ''}`);
      });
      // Postgres answered each statement's command tag: it committed (a failure throws and fails the fault).
      witness(ctx, id, 'statement-committed', true, `command tags ${tags.join(', ')}`);
      return `committed: ${tags.join(', ')}`;
    },
    async repair() {
      /* a committed schema change stays: what the pipeline makes of it is what the run observes */
    },
  });
}

/** The Postgres family: server-side actions on the source database (the failover's handler is in pg-failover.ts). */
export const POSTGRES_KINDS: readonly FaultKind[] = [
  {
    kind: 'postgres.walsender-kill',
    summary: "pg_terminate_backend of the replication slot's walsender; Debezium must reconnect",
    example: {},
    needs: 'api',
    topology: 'any',
    targets: ['postgres'],
    defaultTarget: 'postgres',
    params: [],
    instantaneous: true,
    evidence: ['walsender-replaced'],
    build: (id) => walsenderKillFault(id),
  },
  {
    kind: 'postgres.app-disconnect',
    summary: "pg_terminate_backend of the workload's own sessions, every `every` ms while it lasts",
    example: { every: 100 },
    needs: 'api',
    topology: 'any',
    targets: ['postgres'],
    defaultTarget: 'postgres',
    params: [{ name: 'every', unit: 'ms', doc: 'pause between rounds; default 250, 0 = once at the start' }],
    instantaneous: false,
    evidence: ['app-sessions-terminated'],
    build: (id, _t, p) => appDisconnectFault(id, opt(p, 'every') ?? 250),
  },
  {
    kind: 'postgres.sql',
    summary: 'runs SQL (ALTER TABLE, TRUNCATE …) on the source; ${TABLE}, ${SLOT} name the run table and slot',
    example: { sql: "ALTER TABLE ${TABLE} ADD COLUMN note text DEFAULT 'n/a'" },
    needs: 'api',
    topology: 'any',
    targets: ['postgres'],
    defaultTarget: 'postgres',
    params: [{ name: 'sql', unit: 'sql', required: true, doc: "the statement(s); ${TABLE} is the run's table" }],
    // random-chaos only adds and drops a column of its own: a change the healthy pipeline must absorb.
    random: {
      sql: draw.pick(
        "ALTER TABLE ${TABLE} ADD COLUMN IF NOT EXISTS chaos_note text DEFAULT 'chaos'",
        'ALTER TABLE ${TABLE} DROP COLUMN IF EXISTS chaos_note',
      ),
    },
    instantaneous: true,
    evidence: ['statement-committed'],
    build: (id, _t, p) => sqlFault(id, p['sql'] as string),
  },
  {
    kind: 'postgres.wal-noise',
    summary: "writes rows to another database of the source's cluster while it lasts: WAL the slot must hold",
    example: { bytesPerSec: 4_000_000 },
    needs: 'api',
    topology: 'any',
    targets: ['postgres'],
    defaultTarget: 'postgres',
    params: [{ name: 'bytesPerSec', unit: 'bytes', doc: 'rows written per second, in bytes; default 4000000' }],
    instantaneous: false,
    evidence: ['wal-written'],
    build: (id, _t, p) => walNoiseFault(id, opt(p, 'bytesPerSec') ?? 4_000_000),
  },
  {
    kind: 'postgres.failover',
    summary: 'cluster: fence the primary, promote the standby, repoint the pg proxies; heal rebuilds a standby',
    example: {},
    // The fence and the rebuild stop and start cluster members' processes.
    needs: 'process',
    topology: 'cluster',
    targets: ['postgres'],
    defaultTarget: 'postgres',
    params: [],
    instantaneous: false,
    evidence: ['standby-promoted'],
    build: (id) => failoverFault(id),
  },
];
